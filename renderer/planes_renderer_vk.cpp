#include "renderer/planes_renderer_vk.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "planes_comp_spv.h"
#include "planes_tiles_comp_spv.h"
#include "renderer/error_vk.h"
#include "renderer/pipeline_vk.h"
#include "renderer/planes_frame.h"

namespace strata {

namespace {

constexpr uint64_t kStagingBytes = 64ull << 20;   // upload chunk
constexpr uint32_t kMaxWorkgroupsPerRow = 65535;  // guaranteed maxComputeWorkGroupCount[0]
constexpr int kMaxTextureSide = 32768;            // GpuPlane packs a side in 16 bits

VkDescriptorSetLayoutBinding binding(uint32_t index, VkDescriptorType type) {
  VkDescriptorSetLayoutBinding b{};
  b.binding = index;
  b.descriptorType = type;
  b.descriptorCount = 1;
  b.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  return b;
}

// Texels a texture occupies once padded to whole blocks.
uint64_t padded_texels(int width, int height) {
  const uint64_t b = kTextureBlock;
  return (uint64_t(width) + b - 1) / b * b * ((uint64_t(height) + b - 1) / b * b);
}

// Copies word arrays into one device buffer through a staging buffer of bounded size, one
// submission (waited for) each time the staging buffer fills.
class StagedUpload {
 public:
  StagedUpload(const ContextVk& ctx, FrameLoopVk& frames, BufferVk& staging,
               const BufferVk& destination)
      : ctx_(ctx), frames_(frames), staging_(staging), destination_(destination) {}

  // Queues `words` for word offset `word_offset` of the destination.
  void add(uint64_t word_offset, const std::vector<uint32_t>& words) {
    const uint64_t bytes = words.size() * 4;
    for (uint64_t done = 0; done < bytes;) {
      if (staged_ == staging_.size) submit();
      const uint64_t n = std::min(bytes - done, staging_.size - staged_);
      std::memcpy(static_cast<uint8_t*>(staging_.mapped) + staged_,
                  reinterpret_cast<const uint8_t*>(words.data()) + done, n);
      copies_.push_back(VkBufferCopy{staged_, word_offset * 4 + done, n});
      staged_ += n;
      done += n;
    }
  }
  // Submits what is queued and waits; the data is then visible to compute shaders.
  void submit() {
    if (copies_.empty()) return;
    staging_.flush(ctx_);
    frames_.run_now(
        [&](VkCommandBuffer cmd) {
          vkCmdCopyBuffer(cmd, staging_.get(), destination_.get(), uint32_t(copies_.size()),
                          copies_.data());
          memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
        },
        "uploading plane textures");
    copies_.clear();
    staged_ = 0;
  }

 private:
  const ContextVk& ctx_;
  FrameLoopVk& frames_;
  BufferVk& staging_;
  const BufferVk& destination_;
  std::vector<VkBufferCopy> copies_;
  uint64_t staged_ = 0;  // bytes of staging_ in use
};

std::string plane_label(const PlaneSet& planes, size_t i) {
  const std::string& name = planes.planes[i].name;
  return "plane " + std::to_string(i) + (name.empty() ? "" : " '" + name + "'");
}

}  // namespace

PlanesRendererVk::PlanesRendererVk(const ContextVk& ctx, FrameLoopVk& frames,
                                   const VulkanPlanesSettings& settings)
    : ctx_(ctx),
      frames_(frames),
      settings_(settings),
      format_(settings.half_float_textures ? TexelFormat::kRgba16f : TexelFormat::kRgba8) {
  set_layout_ = create_set_layout(
      ctx,
      {binding(gpu::kPlanesBindingTexels, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kPlanesBindingPlanes, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kPlanesBindingOccupancy, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kPlanesBindingTiles, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER),
       binding(gpu::kPlanesBindingTilesRead, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
       binding(gpu::kPlanesBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
       binding(gpu::kPlanesBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE)},
      "planes set layout");
  pipeline_layout_ =
      create_pipeline_layout(ctx, set_layout_.get(), sizeof(gpu::PlanesPush), "planes layout");
  tile_pipeline_ = create_compute_pipeline(ctx, pipeline_layout_.get(), shaders::planes_tiles_comp,
                                           std::size(shaders::planes_tiles_comp), "planes tiles");
  composite_pipeline_ = create_compute_pipeline(
      ctx, pipeline_layout_.get(), shaders::planes_comp, std::size(shaders::planes_comp),
      "planes composite", {format_ == TexelFormat::kRgba16f ? 1u : 0u});  // kHalfFloatTexels

  const uint32_t n = frames.frames_in_flight();
  const VkDescriptorPoolSize sizes[] = {
      {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 4 * n},
      {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, n},
      {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 2 * n},
  };
  VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool.maxSets = n;
  pool.poolSizeCount = uint32_t(std::size(sizes));
  pool.pPoolSizes = sizes;
  VkDescriptorPool pool_handle = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateDescriptorPool(ctx.device(), &pool, nullptr, &pool_handle),
                  "planes descriptor pool");
  descriptor_pool_ = UniqueDescriptorPool(ctx.device(), pool_handle);
  ctx.name(pool_handle, "planes descriptor pool");
  slots_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const VkDescriptorSetLayout layout = set_layout_.get();
    VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    info.descriptorPool = pool_handle;
    info.descriptorSetCount = 1;
    info.pSetLayouts = &layout;
    STRATA_VK_CHECK(vkAllocateDescriptorSets(ctx.device(), &info, &slots_[i].set),
                    "planes descriptor set");
    ctx.name(slots_[i].set, "planes set, frame " + std::to_string(i));
  }
  set_planes(PlaneSet{});
}

size_t PlanesRendererVk::max_planes() const {
  return std::min<size_t>(gpu::kPlanesMaxPlanes,
                          ctx_.limits().maxTexelBufferElements / (sizeof(gpu::GpuPlane) / 16));
}

void PlanesRendererVk::set_planes(const PlaneSet& planes) {
  const size_t count = planes.planes.size();
  if (count > max_planes())
    throw VulkanError("the Vulkan planes renderer draws at most " + std::to_string(max_planes()) +
                      " planes on this device; this scene has " + std::to_string(count) +
                      " (use --backend cpu)");

  // Textures as uploaded: downscaled copies only where needed; a 1x1 transparent stand-in for an
  // empty texture (and for an empty scene, so the buffers always exist).
  static const Image kEmpty(1, 1, vec4(0.0f));
  const int max_side = settings_.max_texture_size > 0
                           ? std::min(settings_.max_texture_size, kMaxTextureSide)
                           : kMaxTextureSide;
  std::vector<Image> resized(count);
  std::vector<const Image*> textures;
  for (size_t i = 0; i < count; ++i) {
    const Image& t = planes.planes[i].texture;
    if (t.empty()) {
      textures.push_back(&kEmpty);
    } else if (t.width > max_side || t.height > max_side) {
      resized[i] = downscale_to_fit(t, max_side);
      warn(plane_label(planes, i) + ": texture " + std::to_string(t.width) + "x" +
           std::to_string(t.height) + " exceeds the limit of " + std::to_string(max_side) +
           " texels a side; downscaled to " + std::to_string(resized[i].width) + "x" +
           std::to_string(resized[i].height));
      textures.push_back(&resized[i]);
    } else {
      textures.push_back(&t);
    }
  }
  if (textures.empty()) textures.push_back(&kEmpty);

  // All textures share one texel buffer: when they exceed the device's texel-buffer or
  // allocation limit, every texture is downscaled by the same factor.
  const uint64_t words_per_texel = uint64_t(texel_words(format_));
  const uint64_t limit = std::min<uint64_t>(ctx_.limits().maxTexelBufferElements,
                                            ctx_.max_allocation_bytes() / (4 * words_per_texel));
  uint64_t total = 0;
  for (const Image* t : textures) total += padded_texels(t->width, t->height);
  if (total > limit) {
    const double factor = std::sqrt(double(limit) / double(total)) * 0.97;
    for (size_t i = 0; i < count; ++i) {
      const Image& t = *textures[i];
      const int side = std::max(1, int(std::max(t.width, t.height) * factor));
      resized[i] = downscale_to_fit(t, side);
      textures[i] = &resized[i];
    }
    warn("plane textures need " + std::to_string(total) + " texels, more than this Vulkan device " +
         "holds in one texel buffer (" + std::to_string(limit) + "); all downscaled by " +
         std::to_string(factor));
  }

  Uploaded uploaded = upload_textures(textures);
  // The previous scene is retired only now: a failure above leaves it drawable.
  frames_.retire(std::move(texels_view_));
  frames_.retire(std::move(texels_));
  frames_.retire(std::move(occupancy_view_));
  frames_.retire(std::move(occupancy_));
  texels_ = std::move(uploaded.texels);
  texels_view_ = std::move(uploaded.texels_view);
  occupancy_ = std::move(uploaded.occupancy);
  occupancy_view_ = std::move(uploaded.occupancy_view);
  statics_ = std::move(uploaded.statics);
  statics_.resize(count);  // drops the empty scene's stand-in texture
  poses_ = PlaneSet{};
  poses_.reference_camera = planes.reference_camera;
  for (size_t i = 0; i < count; ++i) {
    Plane p;
    p.name = planes.planes[i].name;
    p.origin = planes.planes[i].origin;
    p.u_axis = planes.planes[i].u_axis;
    p.v_axis = planes.planes[i].v_axis;
    poses_.planes.push_back(std::move(p));
  }
}

PlanesRendererVk::Uploaded PlanesRendererVk::upload_textures(
    const std::vector<const Image*>& textures) {
  Uploaded out;
  std::vector<EncodedTexture> encoded(textures.size());
  parallel_for(textures.size(), 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) encoded[i] = encode_texture(*textures[i], format_);
  });
  uint64_t texel_total = 0, occupancy_total = 0;
  for (const EncodedTexture& e : encoded) {
    texel_total += e.words.size() / texel_words(format_);
    occupancy_total += e.occupancy.size();
  }
  if (occupancy_total > ctx_.limits().maxTexelBufferElements)
    throw VulkanError("plane occupancy tables need " + std::to_string(occupancy_total) +
                      " entries, more than the device's texel-buffer limit");

  const uint64_t scene_bytes = (texel_total * texel_words(format_) + occupancy_total) * 4;
  if (settings_.memory_budget_bytes && scene_bytes > settings_.memory_budget_bytes)
    throw VulkanError("out of device memory: the scene's textures need " +
                      std::to_string(scene_bytes >> 20) + " MiB, the budget is " +
                      std::to_string(settings_.memory_budget_bytes >> 20) +
                      " MiB; try smaller textures, fewer planes, or --backend cpu");
  const VkBufferUsageFlags usage =
      VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  out.texels = create_buffer(ctx_, std::max<uint64_t>(texel_total, 1) * 4 * texel_words(format_),
                             usage, MemoryUse::kDeviceOnly, "plane texels");
  out.texels_view = create_buffer_view(
      ctx_, out.texels, format_ == TexelFormat::kRgba8 ? VK_FORMAT_R32_UINT : VK_FORMAT_R32G32_UINT,
      "plane texels view");
  out.occupancy = create_buffer(ctx_, std::max<uint64_t>(occupancy_total, 1) * 4, usage,
                                MemoryUse::kDeviceOnly, "plane occupancy");
  out.occupancy_view =
      create_buffer_view(ctx_, out.occupancy, VK_FORMAT_R32_UINT, "plane occupancy view");

  const uint64_t all_words = texel_total * texel_words(format_) + occupancy_total;
  BufferVk staging =
      create_buffer(ctx_, std::min<uint64_t>(std::max<uint64_t>(all_words, 1) * 4, kStagingBytes),
                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::kUpload, "texture staging");
  StagedUpload texel_upload(ctx_, frames_, staging, out.texels);
  out.statics.assign(textures.size(), gpu::GpuPlane{});
  uint64_t texel_offset = 0, occupancy_offset = 0;
  for (size_t i = 0; i < textures.size(); ++i) {
    const EncodedTexture& e = encoded[i];
    gpu::GpuPlane& g = out.statics[i];
    g.texture = glm::uvec4(
        uint32_t(texel_offset), uint32_t(textures[i]->width) | uint32_t(textures[i]->height) << 16,
        e.straight_alpha ? gpu::kPlaneStraightAlpha : 0u, uint32_t(occupancy_offset));
    texel_upload.add(texel_offset * texel_words(format_), e.words);
    texel_offset += e.words.size() / texel_words(format_);
    occupancy_offset += e.occupancy.size();
  }
  texel_upload.submit();
  StagedUpload occupancy_upload(ctx_, frames_, staging, out.occupancy);
  for (size_t i = 0; i < textures.size(); ++i)
    occupancy_upload.add(out.statics[i].texture.w, encoded[i].occupancy);
  occupancy_upload.submit();
  return out;
}

void PlanesRendererVk::record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target) {
  if (target.width() != uint32_t(camera.width) || target.height() != uint32_t(camera.height))
    throw std::logic_error("PlanesRendererVk::record: target size differs from the camera's");
  Slot& slot = slots_[frame.slot];
  const VkCommandBuffer cmd = frame.command_buffer();
  const size_t count = poses_.planes.size();

  // This frame's planes.
  const std::vector<gpu::GpuPlane> planes = prepare_gpu_planes(poses_, statics_, camera);
  const uint64_t plane_bytes = std::max<uint64_t>(count, 1) * sizeof(gpu::GpuPlane);
  if (slot.planes.size < plane_bytes) {
    frames_.retire(std::move(slot.planes_view));
    frames_.retire(std::move(slot.planes));
    slot.planes = create_buffer(ctx_, plane_bytes, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT,
                                MemoryUse::kUpload, "planes, frame " + std::to_string(frame.slot));
    slot.planes_view = create_buffer_view(ctx_, slot.planes, VK_FORMAT_R32G32B32A32_SFLOAT,
                                          "planes view, frame " + std::to_string(frame.slot));
  }
  if (count) std::memcpy(slot.planes.mapped, planes.data(), count * sizeof(gpu::GpuPlane));
  slot.planes.flush(ctx_);

  const gpu::PlanesPush push = make_planes_push(camera, count);
  const uint64_t tiles = uint64_t(push.tiles.x) * push.tiles.y;
  const uint64_t tile_words = tiles * push.tiles.z;
  if (tile_words > ctx_.limits().maxTexelBufferElements)
    throw VulkanError("a " + std::to_string(camera.width) + "x" + std::to_string(camera.height) +
                      " image needs more tile records than this device's texel-buffer limit");
  if (slot.tiles.size < tile_words * 4) {
    frames_.retire(std::move(slot.tiles_view));
    frames_.retire(std::move(slot.tiles));
    slot.tiles =
        create_buffer(ctx_, tile_words * 4,
                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT,
                      MemoryUse::kDeviceOnly, "tile records, frame " + std::to_string(frame.slot));
    slot.tiles_view = create_buffer_view(ctx_, slot.tiles, VK_FORMAT_R32_UINT,
                                         "tile records view, frame " + std::to_string(frame.slot));
  }

  // The slot's previous frame has finished (its fence was waited for): rewrite its set.
  const VkBufferView texel_view = texels_view_.get();
  const VkBufferView plane_view = slot.planes_view.get();
  const VkBufferView occupancy_view = occupancy_view_.get();
  const VkDescriptorBufferInfo tile_buffer{slot.tiles.get(), 0, VK_WHOLE_SIZE};
  const VkBufferView tile_view = slot.tiles_view.get();
  const VkDescriptorImageInfo color{VK_NULL_HANDLE, target.color().view.get(),
                                    VK_IMAGE_LAYOUT_GENERAL};
  const VkDescriptorImageInfo depth{VK_NULL_HANDLE, target.depth().view.get(),
                                    VK_IMAGE_LAYOUT_GENERAL};
  VkWriteDescriptorSet writes[7];
  auto write = [&](int i, uint32_t binding_index, VkDescriptorType type,
                   const VkDescriptorImageInfo* image, const VkDescriptorBufferInfo* buffer,
                   const VkBufferView* texel_buffer) {
    writes[i] = VkWriteDescriptorSet{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = slot.set;
    writes[i].dstBinding = binding_index;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = type;
    writes[i].pImageInfo = image;
    writes[i].pBufferInfo = buffer;
    writes[i].pTexelBufferView = texel_buffer;
  };
  const VkDescriptorType texel_buffer = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
  write(0, gpu::kPlanesBindingTexels, texel_buffer, nullptr, nullptr, &texel_view);
  write(1, gpu::kPlanesBindingPlanes, texel_buffer, nullptr, nullptr, &plane_view);
  write(2, gpu::kPlanesBindingOccupancy, texel_buffer, nullptr, nullptr, &occupancy_view);
  write(3, gpu::kPlanesBindingTiles, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nullptr, &tile_buffer,
        nullptr);
  write(4, gpu::kPlanesBindingTilesRead, texel_buffer, nullptr, nullptr, &tile_view);
  write(5, gpu::kPlanesBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &color, nullptr, nullptr);
  write(6, gpu::kPlanesBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &depth, nullptr, nullptr);
  vkUpdateDescriptorSets(ctx_.device(), 7, writes, 0, nullptr);

  ctx_.begin_label(cmd, "planes");
  frames_.timestamp(frame, "start");
  target.record_begin(cmd);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_layout_.get(), 0, 1,
                          &slot.set, 0, nullptr);
  vkCmdPushConstants(cmd, pipeline_layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push),
                     &push);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, tile_pipeline_.get());
  const uint64_t groups = (tiles + gpu::kPlanesTileGroup - 1) / gpu::kPlanesTileGroup;
  const uint32_t groups_x = uint32_t(std::min<uint64_t>(groups, kMaxWorkgroupsPerRow));
  const uint32_t groups_y = uint32_t((groups + groups_x - 1) / groups_x);
  vkCmdDispatch(cmd, groups_x, groups_y, 1);
  frames_.timestamp(frame, "planes: tile lists");
  memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, composite_pipeline_.get());
  vkCmdDispatch(cmd, push.tiles.x, push.tiles.y, 1);
  frames_.timestamp(frame, "planes: composite");
  ctx_.end_label(cmd);
}

}  // namespace strata
