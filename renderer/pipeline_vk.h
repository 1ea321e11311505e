// Compute pipelines from SPIR-V embedded at build time (cmake/Shaders.cmake), with their
// descriptor set and pipeline layouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "renderer/context_vk.h"
#include "renderer/handles_vk.h"

namespace strata {

// A descriptor set layout of `bindings` (all visible to the compute stage), named `name`.
UniqueDescriptorSetLayout create_set_layout(
    const ContextVk& ctx, const std::vector<VkDescriptorSetLayoutBinding>& bindings,
    const std::string& name);
// A pipeline layout of one descriptor set and `push_bytes` of compute push constants.
UniquePipelineLayout create_pipeline_layout(const ContextVk& ctx, VkDescriptorSetLayout set,
                                            uint32_t push_bytes, const std::string& name);
// A compute pipeline running `words` (SPIR-V, `word_count` uint32s, entry point "main"), with
// 32-bit specialization constants `constants` (constant_id = position).
UniquePipeline create_compute_pipeline(const ContextVk& ctx, VkPipelineLayout layout,
                                       const uint32_t* words, size_t word_count,
                                       const std::string& name,
                                       const std::vector<uint32_t>& constants = {});

}  // namespace strata
