// The Vulkan Gaussian renderer: 3D Gaussian splatting drawn with the CPU reference's model
// (neural/gaussians/gaussian_render.h), pinhole and equirectangular cameras, layer masks.
// Five compute passes per frame (shaders/gaussians_*.comp): project every Gaussian and count the
// 16x16 tiles it touches, scan the counts into per-tile ranges, fill each range with
// (depth, index) entries, sort every tile's range (merge sort, one workgroup per tile; the sorted
// entries then carry which 8-pixel half rows each Gaussian reaches), and composite each tile
// front to back. The cloud lives on the device in texel buffers; per frame only push constants
// and the layer mask travel.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "renderer/context_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/handles_vk.h"
#include "renderer/offscreen_target_vk.h"
#include "renderer/resources_vk.h"
#include "renderer/vulkan_renderer.h"

namespace strata {

class GaussiansRendererVk {
 public:
  // Pipelines and per-frame descriptor sets on `ctx` for `frames`' frames in flight; both must
  // outlive the renderer. Throws std::invalid_argument for a sort size that is not a power of
  // two in [32, 2048].
  GaussiansRendererVk(const ContextVk& ctx, FrameLoopVk& frames,
                      const VulkanGaussiansSettings& settings = {});
  GaussiansRendererVk(const GaussiansRendererVk&) = delete;
  GaussiansRendererVk& operator=(const GaussiansRendererVk&) = delete;

  // Uploads `cloud` (world frame; copied, not kept). Defective Gaussians (NaN, infinity, zero
  // quaternion) are uploaded but never drawn, as on the CPU. The previous cloud is retired, so
  // frames in flight finish undisturbed. Throws VulkanError when the cloud exceeds the device's
  // buffer limits or memory.
  void set_cloud(const GaussianCloud& cloud);
  // Layer mask (GaussianRenderOptions::visible_layers): empty = all layers; else layer l is
  // drawn iff l < size and visible[l]. Applies to frames recorded from now on.
  void set_visible_layers(const std::vector<bool>& visible);

  // Records the five passes for `camera` into `frame`'s command buffer, writing `target` (which
  // must match the camera's size; its images end in GENERAL layout, written by compute shaders).
  void record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target);
  // Whether `frame` (finished: its fence waited for) ran out of room for tile entries, so its
  // image is incomplete. Grows the room so that the next record() of that view fits.
  bool overflowed(const FrameVk& frame);

  size_t size() const { return count_; }
  // Bytes of the cloud on the device (parameters and SH).
  uint64_t cloud_bytes() const { return cloud_.size + sh_.size; }

 private:
  struct Slot {
    BufferVk projected;                     // GpuProjected per Gaussian
    UniqueBufferView projected_view;        // RGBA32F view of it, as the rasterizer reads it
    UniqueBufferView projected_write_view;  // RGBA32UI view, as project writes it
    BufferVk tile_counts;                   // uint per tile
    BufferVk tile_offsets;                  // uint per tile, + 1
    BufferVk tile_cursor;                   // uint per tile
    BufferVk entries;                       // uvec2 per tile entry
    UniqueBufferView entries_view;          // RG32UI view of it (written, sorted and read)
    BufferVk sort_scratch;                  // uvec2 per tile entry: the sort's merges
    UniqueBufferView sort_scratch_view;     // RG32UI view of it
    BufferVk status;                        // GpuGaussStatus, read by the host
    BufferVk layer_mask;                    // host-written visibility bits
    uint64_t capacity = 0;                  // entries that `entries` holds
    VkDescriptorSet set = VK_NULL_HANDLE;   // owned by descriptor_pool_
  };
  // A buffer of `bytes` with `usage` (storage), replaced (old one retired) when smaller.
  void ensure(BufferVk& buffer, uint64_t bytes, VkBufferUsageFlags usage, MemoryUse use,
              const std::string& name);

  const ContextVk& ctx_;
  FrameLoopVk& frames_;
  UniqueDescriptorSetLayout set_layout_;
  UniquePipelineLayout pipeline_layout_;
  UniquePipeline project_pipeline_, scan_pipeline_, fill_pipeline_, sort_pipeline_,
      raster_pipeline_;
  UniqueDescriptorPool descriptor_pool_;
  std::vector<Slot> slots_;  // one per frame in flight

  BufferVk cloud_;               // kGaussCloudTexels RGBA32F texels per Gaussian
  UniqueBufferView cloud_view_;  // RGBA32F view
  BufferVk sh_;                  // packed SH, RGBA32F texels
  UniqueBufferView sh_view_;
  size_t count_ = 0;              // Gaussians uploaded
  int sh_stride_ = 1;             // coefficients per Gaussian and channel in the upload
  int sh_degree_ = 0;             // degree evaluated
  bool has_layers_ = false;       // the cloud carries layer ids
  std::vector<uint32_t> mask_;    // kGaussMaskWords visibility bits
  uint64_t wanted_capacity_ = 0;  // tile entries the next frames allocate at least
};

}  // namespace strata
