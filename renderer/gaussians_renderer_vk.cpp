#include "renderer/gaussians_renderer_vk.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>

#include "gaussians_fill_comp_spv.h"
#include "gaussians_project_comp_spv.h"
#include "gaussians_raster_comp_spv.h"
#include "gaussians_scan_comp_spv.h"
#include "gaussians_sort_comp_spv.h"
#include "neural/core/parallel.h"
// The CPU reference's camera model (internal to neural/gaussians, but the GPU must start from
// exactly the same float rotation, translation and limits to match it).
#include "neural/gaussians/gaussian_raster.h"
#include "renderer/error_vk.h"
#include "renderer/pipeline_vk.h"
#include "renderer/vulkan_renderer.h"
#include "shaders/gaussians_shared.h"

namespace strata {

namespace {

constexpr uint32_t kMaxWorkgroupsPerRow = 65535;  // guaranteed maxComputeWorkGroupCount[0]
constexpr uint64_t kMinCapacity = 1u << 16;       // tile entries allocated at least

VkDescriptorSetLayoutBinding binding(uint32_t index, VkDescriptorType type) {
  VkDescriptorSetLayoutBinding b{};
  b.binding = index;
  b.descriptorType = type;
  b.descriptorCount = 1;
  b.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  return b;
}

// Texels of packed SH per Gaussian for `stride` coefficients a channel.
uint32_t sh_texels(int stride) {
  return uint32_t(3 * stride + 3) / 4;
}

// Copies `bytes` from `data` into a new device-local buffer through a staging buffer.
BufferVk upload(const ContextVk& ctx, FrameLoopVk& frames, const void* data, uint64_t bytes,
                VkBufferUsageFlags usage, const std::string& name) {
  BufferVk buffer = create_buffer(ctx, bytes, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                  MemoryUse::kDeviceOnly, name);
  BufferVk staging = create_buffer(ctx, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::kUpload,
                                   name + " staging");
  std::memcpy(staging.mapped, data, bytes);
  staging.flush(ctx);
  frames.run_now(
      [&](VkCommandBuffer cmd) {
        const VkBufferCopy copy{0, 0, bytes};
        vkCmdCopyBuffer(cmd, staging.get(), buffer.get(), 1, &copy);
        memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
      },
      "uploading Gaussians");
  return buffer;
}

// Workgroups for one invocation per Gaussian, as rows of at most kMaxWorkgroupsPerRow.
void dispatch_per_gaussian(VkCommandBuffer cmd, size_t count) {
  const uint64_t groups = (uint64_t(count) + gpu::kGaussGroup - 1) / gpu::kGaussGroup;
  if (groups == 0) return;
  const uint32_t x = uint32_t(std::min<uint64_t>(groups, kMaxWorkgroupsPerRow));
  vkCmdDispatch(cmd, x, uint32_t((groups + x - 1) / x), 1);
}

void compute_to_compute(VkCommandBuffer cmd) {
  memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

}  // namespace

GaussiansRendererVk::GaussiansRendererVk(const ContextVk& ctx, FrameLoopVk& frames,
                                         const VulkanGaussiansSettings& settings)
    : ctx_(ctx), frames_(frames), mask_(gpu::kGaussMaskWords, ~0u) {
  // The sort's shared buffers: two of 8-byte entries, as many as the device's shared memory holds.
  uint32_t sort_shared = gpu::kGaussSortShared;
  while (sort_shared > 32 && 16u * sort_shared > ctx.limits().maxComputeSharedMemorySize)
    sort_shared /= 2;
  const uint32_t wanted = settings.sort_shared_entries;
  if (wanted != 0) {
    if (wanted < 32 || wanted > gpu::kGaussSortShared || (wanted & (wanted - 1)) != 0)
      throw std::invalid_argument(
          "VulkanGaussiansSettings::sort_shared_entries must be a power "
          "of two in [32, 2048], not " +
          std::to_string(wanted));
    sort_shared = std::min(sort_shared, wanted);
  }
  // The sort's runs of 64 need subgroup shuffles among 8 lanes (see gaussians_sort.comp).
  VkPhysicalDeviceSubgroupProperties subgroups{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties.pNext = &subgroups;
  vkGetPhysicalDeviceProperties2(ctx.physical_device(), &properties);
  if (!(subgroups.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) ||
      !(subgroups.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT))
    throw VulkanError("the Vulkan Gaussian renderer needs subgroup shuffles in compute shaders");
  const uint32_t subgroup_runs = subgroups.subgroupSize >= 8 ? 1 : 0;
  const VkDescriptorType storage = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  const VkDescriptorType texels_out = VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
  set_layout_ = create_set_layout(
      ctx,
      {binding(gpu::kGaussBindingCloud, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kGaussBindingSh, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kGaussBindingLayerMask, storage),
       binding(gpu::kGaussBindingProjected, texels_out),
       binding(gpu::kGaussBindingTileCounts, storage),
       binding(gpu::kGaussBindingTileOffsets, storage),
       binding(gpu::kGaussBindingTileCursor, storage),
       binding(gpu::kGaussBindingEntries, texels_out), binding(gpu::kGaussBindingStatus, storage),
       binding(gpu::kGaussBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
       binding(gpu::kGaussBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
       binding(gpu::kGaussBindingProjectedRead, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kGaussBindingEntriesRead, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kGaussBindingSortScratch, texels_out)},
      "gaussians set layout");
  pipeline_layout_ = create_pipeline_layout(ctx, set_layout_.get(), sizeof(gpu::GaussiansPush),
                                            "gaussians layout");
  const auto pipeline = [&](const uint32_t* words, size_t count, const char* name,
                            const std::vector<uint32_t>& constants = {}) {
    return create_compute_pipeline(ctx, pipeline_layout_.get(), words, count, name, constants);
  };
  project_pipeline_ = pipeline(shaders::gaussians_project_comp,
                               std::size(shaders::gaussians_project_comp), "gaussians project");
  scan_pipeline_ = pipeline(shaders::gaussians_scan_comp, std::size(shaders::gaussians_scan_comp),
                            "gaussians scan");
  fill_pipeline_ = pipeline(shaders::gaussians_fill_comp, std::size(shaders::gaussians_fill_comp),
                            "gaussians fill");
  sort_pipeline_ = pipeline(shaders::gaussians_sort_comp, std::size(shaders::gaussians_sort_comp),
                            "gaussians sort", {sort_shared, subgroup_runs});
  raster_pipeline_ = pipeline(shaders::gaussians_raster_comp,
                              std::size(shaders::gaussians_raster_comp), "gaussians rasterize");

  const uint32_t n = frames.frames_in_flight();
  const VkDescriptorPoolSize sizes[] = {
      {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 4 * n},
      {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 3 * n},
      {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 5 * n},
      {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 2 * n},
  };
  VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool.maxSets = n;
  pool.poolSizeCount = uint32_t(std::size(sizes));
  pool.pPoolSizes = sizes;
  VkDescriptorPool pool_handle = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateDescriptorPool(ctx.device(), &pool, nullptr, &pool_handle),
                  "gaussians descriptor pool");
  descriptor_pool_ = UniqueDescriptorPool(ctx.device(), pool_handle);
  ctx.name(pool_handle, "gaussians descriptor pool");
  slots_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const VkDescriptorSetLayout layout = set_layout_.get();
    VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    info.descriptorPool = pool_handle;
    info.descriptorSetCount = 1;
    info.pSetLayouts = &layout;
    STRATA_VK_CHECK(vkAllocateDescriptorSets(ctx.device(), &info, &slots_[i].set),
                    "gaussians descriptor set");
    ctx.name(slots_[i].set, "gaussians set, frame " + std::to_string(i));
  }
  set_cloud(GaussianCloud{});
}

void GaussiansRendererVk::set_cloud(const GaussianCloud& cloud) {
  cloud.check_consistent();
  const size_t n = cloud.size();
  const int stride = cloud.sh_coefficients();
  const uint32_t per_sh = sh_texels(stride);
  // Every per-Gaussian buffer is a texel buffer (see gaussians_shared.h): the limits are texels
  // per buffer and bytes per allocation.
  const uint64_t texel_limit = ctx_.limits().maxTexelBufferElements;
  const uint64_t bytes_limit = std::min<uint64_t>(ctx_.max_allocation_bytes(), UINT32_MAX);
  const uint64_t most_texels =
      std::max<uint64_t>({gpu::kGaussCloudTexels, gpu::kGaussProjectedTexels, per_sh});
  const uint64_t most = std::min(texel_limit, bytes_limit / 16) / most_texels;
  if (n > most)
    throw VulkanError("the Vulkan Gaussian renderer draws at most " + std::to_string(most) +
                      " Gaussians of SH degree " + std::to_string(cloud.sh_degree) +
                      " on this device; this scene has " + std::to_string(n) +
                      " (use --backend cpu)");

  // Packed on the host: 3 texels of parameters, then the SH rgb floats padded to whole texels.
  std::vector<glm::vec4> params(std::max<size_t>(n, 1) * gpu::kGaussCloudTexels, glm::vec4(0.0f));
  std::vector<float> sh(std::max<size_t>(n, 1) * per_sh * 4, 0.0f);
  parallel_for(n, 4096, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const float layer = cloud.layers.empty() ? 0.0f : float(cloud.layers[i]);
      const bool defective = find_defect(cloud, i) != GaussianDefect::kNone;
      const quat q = cloud.rotations[i];
      params[i * 3 + 0] = glm::vec4(cloud.positions[i], cloud.opacity_logits[i]);
      params[i * 3 + 1] = glm::vec4(cloud.log_scales[i], defective ? -1.0f : layer);
      params[i * 3 + 2] = glm::vec4(q.w, q.x, q.y, q.z);
      float* out = sh.data() + i * per_sh * 4;
      for (int k = 0; k < stride; ++k)
        for (int c = 0; c < 3; ++c) out[3 * k + c] = cloud.sh[i * size_t(stride) + size_t(k)][c];
    }
  });
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  BufferVk cloud_buffer = upload(ctx_, frames_, params.data(), params.size() * sizeof(glm::vec4),
                                 usage, "gaussian parameters");
  UniqueBufferView cloud_view = create_buffer_view(
      ctx_, cloud_buffer, VK_FORMAT_R32G32B32A32_SFLOAT, "gaussian parameters view");
  BufferVk sh_buffer =
      upload(ctx_, frames_, sh.data(), sh.size() * sizeof(float), usage, "gaussian SH");
  UniqueBufferView sh_view =
      create_buffer_view(ctx_, sh_buffer, VK_FORMAT_R32G32B32A32_SFLOAT, "gaussian SH view");
  // The previous cloud is retired only now: a failure above leaves it drawable.
  frames_.retire(std::move(cloud_view_));
  frames_.retire(std::move(cloud_));
  frames_.retire(std::move(sh_view_));
  frames_.retire(std::move(sh_));
  cloud_ = std::move(cloud_buffer);
  cloud_view_ = std::move(cloud_view);
  sh_ = std::move(sh_buffer);
  sh_view_ = std::move(sh_view);
  count_ = n;
  sh_stride_ = stride;
  sh_degree_ = std::clamp(cloud.sh_degree, 0, kMaxShDegree);
  has_layers_ = !cloud.layers.empty();
  // A start for the tile entries: a few tiles per Gaussian; frames that need more grow it.
  wanted_capacity_ = std::max<uint64_t>(kMinCapacity, uint64_t(n) * 4);
}

void GaussiansRendererVk::set_visible_layers(const std::vector<bool>& visible) {
  std::fill(mask_.begin(), mask_.end(), visible.empty() ? ~0u : 0u);
  for (size_t l = 0; l < visible.size() && l < size_t(gpu::kGaussMaskWords) * 32; ++l)
    if (visible[l]) mask_[l / 32] |= 1u << (l % 32);
}

void GaussiansRendererVk::ensure(BufferVk& buffer, uint64_t bytes, VkBufferUsageFlags usage,
                                 MemoryUse use, const std::string& name) {
  if (buffer.get() != VK_NULL_HANDLE && buffer.size >= bytes) return;
  frames_.retire(std::move(buffer));
  buffer = create_buffer(ctx_, bytes, usage, use, name);
  if (buffer.mapped) {
    std::memset(buffer.mapped, 0, bytes);
    buffer.flush(ctx_);
  }
}

bool GaussiansRendererVk::overflowed(const FrameVk& frame) {
  const Slot& slot = slots_[frame.slot];
  if (!slot.status.mapped) return false;
  slot.status.invalidate(ctx_);
  gpu::GpuGaussStatus status;
  std::memcpy(&status, slot.status.mapped, sizeof(status));
  if (status.totals.x <= status.totals.y) return false;
  wanted_capacity_ = std::max(wanted_capacity_, uint64_t(status.totals.x) * 5 / 4);
  return true;
}

void GaussiansRendererVk::record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target) {
  if (target.width() != uint32_t(camera.width) || target.height() != uint32_t(camera.height))
    throw std::logic_error("GaussiansRendererVk::record: target size differs from the camera's");
  Slot& slot = slots_[frame.slot];
  const std::string suffix = ", frame " + std::to_string(frame.slot);
  // This slot's previous frame has finished: its entry total tells whether the room suffices.
  overflowed(frame);

  const uint32_t tiles_x = (uint32_t(camera.width) + gpu::kGaussTile - 1) / gpu::kGaussTile;
  const uint32_t tiles_y = (uint32_t(camera.height) + gpu::kGaussTile - 1) / gpu::kGaussTile;
  const uint64_t tiles = uint64_t(tiles_x) * tiles_y;
  const uint64_t entry_limit = std::min<uint64_t>(
      {ctx_.limits().maxTexelBufferElements, ctx_.max_allocation_bytes() / 8, UINT32_MAX});
  const uint64_t capacity = std::min(wanted_capacity_, entry_limit);
  if (wanted_capacity_ > capacity)
    throw VulkanError("the Gaussians of this view need " + std::to_string(wanted_capacity_) +
                      " tile entries, more than one texel buffer of this device holds (" +
                      std::to_string(capacity) + "); use --backend cpu or a smaller image");
  const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  const VkBufferUsageFlags texels =
      VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  const uint64_t projected_bytes = std::max<size_t>(count_, 1) * sizeof(gpu::GpuProjected);
  if (slot.projected.size < projected_bytes) {
    frames_.retire(std::move(slot.projected_view));
    frames_.retire(std::move(slot.projected_write_view));
    ensure(slot.projected, projected_bytes, texels, MemoryUse::kDeviceOnly,
           "gaussians projected" + suffix);
    slot.projected_view = create_buffer_view(ctx_, slot.projected, VK_FORMAT_R32G32B32A32_SFLOAT,
                                             "gaussians projected view" + suffix);
    slot.projected_write_view =
        create_buffer_view(ctx_, slot.projected, VK_FORMAT_R32G32B32A32_UINT,
                           "gaussians projected write view" + suffix);
  }
  ensure(slot.tile_counts, tiles * 4, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
         MemoryUse::kDeviceOnly, "gaussian tile counts" + suffix);
  ensure(slot.tile_offsets, (tiles + 1) * 4, storage, MemoryUse::kDeviceOnly,
         "gaussian tile offsets" + suffix);
  ensure(slot.tile_cursor, tiles * 4, storage, MemoryUse::kDeviceOnly,
         "gaussian tile cursors" + suffix);
  if (slot.capacity < capacity) {
    frames_.retire(std::move(slot.entries_view));
    frames_.retire(std::move(slot.entries));
    slot.entries = create_buffer(ctx_, capacity * 8, texels, MemoryUse::kDeviceOnly,
                                 "gaussian tile entries" + suffix);
    slot.entries_view = create_buffer_view(ctx_, slot.entries, VK_FORMAT_R32G32_UINT,
                                           "gaussian tile entries view" + suffix);
    frames_.retire(std::move(slot.sort_scratch_view));
    frames_.retire(std::move(slot.sort_scratch));
    slot.sort_scratch = create_buffer(ctx_, capacity * 8, VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT,
                                      MemoryUse::kDeviceOnly, "gaussian sort scratch" + suffix);
    slot.sort_scratch_view = create_buffer_view(ctx_, slot.sort_scratch, VK_FORMAT_R32G32_UINT,
                                                "gaussian sort scratch view" + suffix);
    slot.capacity = capacity;
  }
  ensure(slot.status, sizeof(gpu::GpuGaussStatus), storage, MemoryUse::kReadback,
         "gaussian status" + suffix);
  ensure(slot.layer_mask, gpu::kGaussMaskWords * 4, storage, MemoryUse::kUpload,
         "gaussian layer mask" + suffix);
  std::memcpy(slot.layer_mask.mapped, mask_.data(), mask_.size() * 4);
  slot.layer_mask.flush(ctx_);

  // Push constants: the CPU reference's camera model, in floats.
  const gaussian_detail::CameraModel<float> cam = gaussian_detail::camera_model<float>(camera);
  gpu::GaussiansPush push{};
  for (int r = 0; r < 3; ++r) {
    glm::vec4 row(cam.rotation[0][r], cam.rotation[1][r], cam.rotation[2][r], cam.translation[r]);
    (r == 0 ? push.rotation_row0 : r == 1 ? push.rotation_row1 : push.rotation_row2) = row;
  }
  push.eye_near = glm::vec4(cam.eye, GaussianRenderOptions{}.near_plane);
  push.intrinsics = glm::vec4(cam.fx, cam.fy, cam.cx, cam.cy);
  push.limits = glm::vec4(cam.limit_x, cam.limit_y, 0.0f, 0.0f);
  push.image =
      glm::uvec4(uint32_t(camera.width), uint32_t(camera.height),
                 camera.projection == Projection::kEquirectangular ? gpu::kGaussProjectionEquirect
                                                                   : gpu::kGaussProjectionPinhole,
                 uint32_t(count_));
  push.params =
      glm::uvec4(tiles_x, tiles_y,
                 uint32_t(sh_stride_) | uint32_t(sh_degree_) << 8 | (has_layers_ ? 1u << 16 : 0u),
                 uint32_t(slot.capacity));

  // The slot's previous frame has finished (its fence was waited for): rewrite its set.
  const VkBufferView cloud_view = cloud_view_.get(), sh_view = sh_view_.get();
  const VkBufferView projected_view = slot.projected_view.get();
  const VkBufferView projected_write_view = slot.projected_write_view.get();
  const VkBufferView entries_view = slot.entries_view.get();
  const VkBufferView scratch_view = slot.sort_scratch_view.get();
  const VkDescriptorBufferInfo buffers[] = {{slot.layer_mask.get(), 0, VK_WHOLE_SIZE},
                                            {slot.tile_counts.get(), 0, VK_WHOLE_SIZE},
                                            {slot.tile_offsets.get(), 0, VK_WHOLE_SIZE},
                                            {slot.tile_cursor.get(), 0, VK_WHOLE_SIZE},
                                            {slot.status.get(), 0, VK_WHOLE_SIZE}};
  const uint32_t buffer_bindings[] = {gpu::kGaussBindingLayerMask, gpu::kGaussBindingTileCounts,
                                      gpu::kGaussBindingTileOffsets, gpu::kGaussBindingTileCursor,
                                      gpu::kGaussBindingStatus};
  const VkDescriptorImageInfo color{VK_NULL_HANDLE, target.color().view.get(),
                                    VK_IMAGE_LAYOUT_GENERAL};
  const VkDescriptorImageInfo depth{VK_NULL_HANDLE, target.depth().view.get(),
                                    VK_IMAGE_LAYOUT_GENERAL};
  std::vector<VkWriteDescriptorSet> writes;
  auto write = [&](uint32_t binding_index, VkDescriptorType type,
                   const VkDescriptorImageInfo* image, const VkDescriptorBufferInfo* buffer,
                   const VkBufferView* texel_buffer) {
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = slot.set;
    w.dstBinding = binding_index;
    w.descriptorCount = 1;
    w.descriptorType = type;
    w.pImageInfo = image;
    w.pBufferInfo = buffer;
    w.pTexelBufferView = texel_buffer;
    writes.push_back(w);
  };
  write(gpu::kGaussBindingCloud, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nullptr, nullptr,
        &cloud_view);
  write(gpu::kGaussBindingSh, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nullptr, nullptr, &sh_view);
  write(gpu::kGaussBindingProjectedRead, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nullptr, nullptr,
        &projected_view);
  write(gpu::kGaussBindingEntriesRead, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nullptr, nullptr,
        &entries_view);
  write(gpu::kGaussBindingProjected, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, nullptr, nullptr,
        &projected_write_view);
  write(gpu::kGaussBindingEntries, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, nullptr, nullptr,
        &entries_view);
  write(gpu::kGaussBindingSortScratch, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, nullptr, nullptr,
        &scratch_view);
  for (size_t b = 0; b < std::size(buffers); ++b)
    write(buffer_bindings[b], VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nullptr, &buffers[b], nullptr);
  write(gpu::kGaussBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &color, nullptr, nullptr);
  write(gpu::kGaussBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &depth, nullptr, nullptr);
  vkUpdateDescriptorSets(ctx_.device(), uint32_t(writes.size()), writes.data(), 0, nullptr);

  const VkCommandBuffer cmd = frame.command_buffer();
  ctx_.begin_label(cmd, "gaussians");
  if (frame.marks.empty()) frames_.timestamp(frame, "start");
  target.record_begin(cmd);
  vkCmdFillBuffer(cmd, slot.tile_counts.get(), 0, tiles * 4, 0);
  memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_layout_.get(), 0, 1,
                          &slot.set, 0, nullptr);
  vkCmdPushConstants(cmd, pipeline_layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push),
                     &push);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, project_pipeline_.get());
  dispatch_per_gaussian(cmd, count_);
  frames_.timestamp(frame, "gaussians: project");
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, scan_pipeline_.get());
  vkCmdDispatch(cmd, 1, 1, 1);
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, fill_pipeline_.get());
  dispatch_per_gaussian(cmd, count_);
  frames_.timestamp(frame, "gaussians: scan and fill");
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, sort_pipeline_.get());
  vkCmdDispatch(cmd, tiles_x, tiles_y, 1);
  frames_.timestamp(frame, "gaussians: sort");
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, raster_pipeline_.get());
  vkCmdDispatch(cmd, tiles_x, tiles_y, 1);
  frames_.timestamp(frame, "gaussians: rasterize");
  // The entry total goes to the host once the frame's fence signals.
  memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  ctx_.end_label(cmd);
}

}  // namespace strata
