#include "renderer/pipeline_vk.h"

#include "renderer/error_vk.h"

namespace strata {

UniqueDescriptorSetLayout create_set_layout(
    const ContextVk& ctx, const std::vector<VkDescriptorSetLayoutBinding>& bindings,
    const std::string& name) {
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.bindingCount = uint32_t(bindings.size());
  info.pBindings = bindings.data();
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateDescriptorSetLayout(ctx.device(), &info, nullptr, &layout), name);
  ctx.name(layout, name);
  return UniqueDescriptorSetLayout(ctx.device(), layout);
}

UniquePipelineLayout create_pipeline_layout(const ContextVk& ctx, VkDescriptorSetLayout set,
                                            uint32_t push_bytes, const std::string& name) {
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  info.setLayoutCount = 1;
  info.pSetLayouts = &set;
  info.pushConstantRangeCount = push_bytes ? 1 : 0;
  info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreatePipelineLayout(ctx.device(), &info, nullptr, &layout), name);
  ctx.name(layout, name);
  return UniquePipelineLayout(ctx.device(), layout);
}

UniquePipeline create_compute_pipeline(const ContextVk& ctx, VkPipelineLayout layout,
                                       const uint32_t* words, size_t word_count,
                                       const std::string& name,
                                       const std::vector<uint32_t>& constants) {
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = word_count * sizeof(uint32_t);
  module_info.pCode = words;
  VkShaderModule module = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateShaderModule(ctx.device(), &module_info, nullptr, &module), name);
  // Only needed while the pipeline is created.
  UniqueShaderModule owned_module(ctx.device(), module);
  ctx.name(module, name + " shader");

  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  std::vector<VkSpecializationMapEntry> entries;
  for (uint32_t i = 0; i < constants.size(); ++i)
    entries.push_back({i, uint32_t(i * sizeof(uint32_t)), sizeof(uint32_t)});
  VkSpecializationInfo specialization{uint32_t(entries.size()), entries.data(),
                                      constants.size() * sizeof(uint32_t), constants.data()};
  if (!constants.empty()) info.stage.pSpecializationInfo = &specialization;
  info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  STRATA_VK_CHECK(
      vkCreateComputePipelines(ctx.device(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline), name);
  ctx.name(pipeline, name);
  return UniquePipeline(ctx.device(), pipeline);
}

}  // namespace strata
