// The Vulkan shells renderer: the shells of ShellVolumes drawn with the CPU reference's rule
// (neural/shells/shell_render.h): every shell's triangles rasterised with the same clipping,
// projection and watertight fill rule, per-pixel fragments sorted by depth and composited front
// to back with bilinear texel samples. Four compute passes per frame (shaders/shells_*.comp):
// bin triangles into 16x16 tiles, scan the counts, fill the tile lists, and rasterise and
// composite each tile (see shells_raster.comp for why not depth peeling). The mesh and RGBA8
// straight-alpha textures (premultiplied as sampled) live on the device; per frame only push
// constants travel.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/shells/shell_volume.h"
#include "renderer/context_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/handles_vk.h"
#include "renderer/offscreen_target_vk.h"
#include "renderer/resources_vk.h"

namespace strata {

class ShellsRendererVk {
 public:
  // Pipelines and per-frame descriptor sets on `ctx` for `frames`' frames in flight; both must
  // outlive the renderer.
  ShellsRendererVk(const ContextVk& ctx, FrameLoopVk& frames);
  ShellsRendererVk(const ShellsRendererVk&) = delete;
  ShellsRendererVk& operator=(const ShellsRendererVk&) = delete;

  // Uploads `shells` (world space, validated; copied, not kept; an empty ShellVolume draws
  // nothing). The previous shells are retired. Throws VulkanError when they exceed the device's
  // buffer limits or memory.
  void set_shells(const ShellVolume& shells);
  bool empty() const { return triangles_ == 0; }

  // Records the four passes for `camera` (pinhole) into `frame`'s command buffer, writing
  // `target` (which must match the camera's size; its images end in GENERAL layout).
  void record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target);
  // Whether `frame` (finished) ran out of room for tile entries, so its image is incomplete.
  // Grows the room so that the next record() of that view fits.
  bool overflowed(const FrameVk& frame);

  uint64_t texture_bytes() const { return textures_.size; }

 private:
  struct Slot {
    BufferVk rects;                 // ivec4 per triangle
    BufferVk tile_counts;           // uint per tile
    BufferVk tile_offsets;          // uint per tile, + 1
    BufferVk tile_cursor;           // uint per tile
    BufferVk entries;               // uint per tile entry
    UniqueBufferView entries_view;  // R32UI view of it, as the rasterizer reads it
    BufferVk setup;                 // kShellSetupTexels RGBA32F texels per triangle (bin pass)
    UniqueBufferView setup_view;    // RGBA32F view of it
    BufferVk status;                // GpuShellStatus, read by the host
    uint64_t capacity = 0;          // entries that `entries` holds
    VkDescriptorSet set = VK_NULL_HANDLE;  // owned by descriptor_pool_
  };
  void ensure(BufferVk& buffer, uint64_t bytes, VkBufferUsageFlags usage, MemoryUse use,
              const std::string& name);

  const ContextVk& ctx_;
  FrameLoopVk& frames_;
  UniqueDescriptorSetLayout set_layout_;
  UniquePipelineLayout pipeline_layout_;
  UniquePipeline bin_pipeline_, scan_pipeline_, fill_pipeline_, raster_pipeline_;
  UniqueDescriptorPool descriptor_pool_;
  std::vector<Slot> slots_;  // one per frame in flight

  BufferVk vertices_;  // 2 RGBA32F texels per vertex: (position, u), (normal, v)
  UniqueBufferView vertices_view_;
  BufferVk indices_;  // R32UI, 3 per base triangle
  UniqueBufferView indices_view_;
  BufferVk textures_;  // RGBA8, straight colour, shell after shell
  UniqueBufferView textures_view_;
  BufferVk offsets_;  // float per shell
  size_t base_triangles_ = 0;
  size_t triangles_ = 0;  // all shells
  int texture_width_ = 0, texture_height_ = 0;
  uint64_t wanted_capacity_ = 0;  // tile entries the next frames allocate at least
};

}  // namespace strata
