// The Vulkan planes renderer: posed RGBA planes drawn with the CPU reference's rule (per-pixel
// ray/plane intersection, per-pixel order by distance, bilinear samples composited front to
// back). Two compute passes per frame: tile lists (shaders/planes_tiles.comp) and per-pixel
// compositing (shaders/planes.comp); see those files for why it scales. Textures of any sizes
// live in one texel buffer of 8x8-texel blocks (renderer/texture_blocks.h).
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/planes/plane_set.h"
#include "renderer/context_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/handles_vk.h"
#include "renderer/offscreen_target_vk.h"
#include "renderer/resources_vk.h"
#include "renderer/texture_blocks.h"
#include "renderer/vulkan_renderer.h"
#include "shaders/planes_shared.h"

namespace strata {

class PlanesRendererVk {
 public:
  // Pipelines and per-frame descriptor sets on `ctx` for `frames`' frames in flight; both must
  // outlive the renderer.
  PlanesRendererVk(const ContextVk& ctx, FrameLoopVk& frames, const VulkanPlanesSettings& settings);
  PlanesRendererVk(const PlanesRendererVk&) = delete;
  PlanesRendererVk& operator=(const PlanesRendererVk&) = delete;

  // Uploads `planes` (textures and occupancy tables; poses stay on the host). The previous
  // scene's resources are retired, so frames in flight finish undisturbed. Textures larger than
  // the settings or the device allow are downscaled with a warning. Throws VulkanError when the
  // scene does not fit in device memory or has more planes than max_planes().
  void set_planes(const PlaneSet& planes);

  // Records the tile and compositing passes for `camera` into `frame`'s command buffer, writing
  // `target` (which must match the camera's size; its images end in GENERAL layout, written by
  // compute shaders).
  void record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target);

  // Bytes of texture data on the device (texel blocks, edge blocks' padding included, and
  // occupancy tables).
  uint64_t texture_bytes() const { return texels_.size + occupancy_.size; }
  // The most planes one scene may have on this device.
  size_t max_planes() const;
  size_t plane_count() const { return poses_.planes.size(); }

 private:
  struct Slot {
    BufferVk planes;               // host-visible GpuPlane[] for this frame
    UniqueBufferView planes_view;  // RGBA32F texel-buffer view of `planes`
    BufferVk tiles;                // device-local tile records, written by the tile pass
    UniqueBufferView tiles_view;   // R32_UINT view of `tiles`, as the composite pass reads it
    VkDescriptorSet set = VK_NULL_HANDLE;  // owned by descriptor_pool_
  };
  struct Uploaded {
    BufferVk texels;                     // every texture's blocks
    UniqueBufferView texels_view;        // R32_UINT (RGBA8) or R32G32_UINT (RGBA16F) view
    BufferVk occupancy;                  // every texture's summed-area table (uint32)
    UniqueBufferView occupancy_view;     // R32_UINT view of it
    std::vector<gpu::GpuPlane> statics;  // per plane: texture and occupancy fields
  };
  // Encodes `textures` and uploads them and their occupancy tables.
  Uploaded upload_textures(const std::vector<const Image*>& textures);

  const ContextVk& ctx_;
  FrameLoopVk& frames_;
  VulkanPlanesSettings settings_;
  TexelFormat format_;
  UniqueDescriptorSetLayout set_layout_;
  UniquePipelineLayout pipeline_layout_;
  UniquePipeline tile_pipeline_;
  UniquePipeline composite_pipeline_;
  UniqueDescriptorPool descriptor_pool_;
  std::vector<Slot> slots_;  // one per frame in flight

  PlaneSet poses_;                      // the scene's planes without their textures
  std::vector<gpu::GpuPlane> statics_;  // per plane: texture and occupancy fields
  BufferVk texels_;                     // device-local texel blocks of every plane
  UniqueBufferView texels_view_;
  BufferVk occupancy_;  // device-local summed-area tables of every plane
  UniqueBufferView occupancy_view_;
};

}  // namespace strata
