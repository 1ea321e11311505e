#include "renderer/shells_renderer_vk.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string>

#include "renderer/error_vk.h"
#include "renderer/pipeline_vk.h"
#include "renderer/vulkan_renderer.h"
#include "shaders/shells_shared.h"
#include "shells_bin_comp_spv.h"
#include "shells_fill_comp_spv.h"
#include "shells_raster_comp_spv.h"
#include "shells_scan_comp_spv.h"

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
      "uploading shells");
  return buffer;
}

void dispatch_per_triangle(VkCommandBuffer cmd, size_t count) {
  const uint64_t groups = (uint64_t(count) + gpu::kShellGroup - 1) / gpu::kShellGroup;
  if (groups == 0) return;
  const uint32_t x = uint32_t(std::min<uint64_t>(groups, kMaxWorkgroupsPerRow));
  vkCmdDispatch(cmd, x, uint32_t((groups + x - 1) / x), 1);
}

void compute_to_compute(VkCommandBuffer cmd) {
  memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

uint32_t to_unorm8(float v) {
  return uint32_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

}  // namespace

ShellsRendererVk::ShellsRendererVk(const ContextVk& ctx, FrameLoopVk& frames)
    : ctx_(ctx), frames_(frames) {
  const VkDescriptorType storage = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  const VkDescriptorType texel = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
  set_layout_ = create_set_layout(
      ctx,
      {binding(gpu::kShellBindingVertices, texel), binding(gpu::kShellBindingIndices, texel),
       binding(gpu::kShellBindingTextures, texel), binding(gpu::kShellBindingOffsets, storage),
       binding(gpu::kShellBindingRects, storage), binding(gpu::kShellBindingTileCounts, storage),
       binding(gpu::kShellBindingTileOffsets, storage),
       binding(gpu::kShellBindingTileCursor, storage), binding(gpu::kShellBindingEntries, storage),
       binding(gpu::kShellBindingStatus, storage),
       binding(gpu::kShellBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
       binding(gpu::kShellBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
       binding(gpu::kShellBindingSetup, storage), binding(gpu::kShellBindingSetupRead, texel),
       binding(gpu::kShellBindingEntriesRead, texel)},
      "shells set layout");
  pipeline_layout_ =
      create_pipeline_layout(ctx, set_layout_.get(), sizeof(gpu::ShellsPush), "shells layout");
  const auto pipeline = [&](const uint32_t* words, size_t count, const char* name) {
    return create_compute_pipeline(ctx, pipeline_layout_.get(), words, count, name);
  };
  bin_pipeline_ =
      pipeline(shaders::shells_bin_comp, std::size(shaders::shells_bin_comp), "shells bin");
  scan_pipeline_ =
      pipeline(shaders::shells_scan_comp, std::size(shaders::shells_scan_comp), "shells scan");
  fill_pipeline_ =
      pipeline(shaders::shells_fill_comp, std::size(shaders::shells_fill_comp), "shells fill");
  raster_pipeline_ = pipeline(shaders::shells_raster_comp, std::size(shaders::shells_raster_comp),
                              "shells rasterize");

  const uint32_t n = frames.frames_in_flight();
  const VkDescriptorPoolSize sizes[] = {
      {texel, 5 * n},
      {storage, 8 * n},
      {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 2 * n},
  };
  VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool.maxSets = n;
  pool.poolSizeCount = uint32_t(std::size(sizes));
  pool.pPoolSizes = sizes;
  VkDescriptorPool pool_handle = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateDescriptorPool(ctx.device(), &pool, nullptr, &pool_handle),
                  "shells descriptor pool");
  descriptor_pool_ = UniqueDescriptorPool(ctx.device(), pool_handle);
  ctx.name(pool_handle, "shells descriptor pool");
  slots_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const VkDescriptorSetLayout layout = set_layout_.get();
    VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    info.descriptorPool = pool_handle;
    info.descriptorSetCount = 1;
    info.pSetLayouts = &layout;
    STRATA_VK_CHECK(vkAllocateDescriptorSets(ctx.device(), &info, &slots_[i].set),
                    "shells descriptor set");
    ctx.name(slots_[i].set, "shells set, frame " + std::to_string(i));
  }
  set_shells(ShellVolume{});
}

void ShellsRendererVk::set_shells(const ShellVolume& shells) {
  const bool none = shells.base.triangle_count() == 0 || shells.offsets.empty();
  const size_t vertices = none ? 0 : shells.base.vertex_count();
  const size_t faces = none ? 0 : shells.base.triangle_count();
  const size_t k = none ? 0 : shells.shell_count();
  const int w = none ? 1 : shells.texture_width(), h = none ? 1 : shells.texture_height();
  const uint64_t texel_limit = ctx_.limits().maxTexelBufferElements;
  const uint64_t texels = uint64_t(std::max<size_t>(k, 1)) * uint64_t(w) * uint64_t(h);
  if (texels > texel_limit || uint64_t(vertices) * 2 > texel_limit ||
      uint64_t(faces) * 3 > texel_limit || w > 65535 || h > 65535 ||
      uint64_t(faces) * k > UINT32_MAX / 2)
    throw VulkanError("these shells (" + std::to_string(k) + " shells of " + std::to_string(w) +
                      "x" + std::to_string(h) + " texels, " + std::to_string(faces) +
                      " triangles) exceed this device's texel buffer limit of " +
                      std::to_string(texel_limit) + " elements (use --backend cpu)");
  std::vector<glm::vec4> vertex_data(std::max<size_t>(vertices, 1) * 2, glm::vec4(0.0f));
  for (size_t i = 0; i < vertices; ++i) {
    vertex_data[2 * i] = glm::vec4(shells.base.positions[i], shells.base.uvs[i].x);
    vertex_data[2 * i + 1] = glm::vec4(shells.base.normals[i], shells.base.uvs[i].y);
  }
  std::vector<uint32_t> index_data(std::max<size_t>(faces * 3, 3), 0u);
  if (!none) std::copy(shells.base.indices.begin(), shells.base.indices.end(), index_data.begin());
  std::vector<uint32_t> texel_data(texels, 0u);
  for (size_t s = 0; s < k; ++s)
    for (size_t i = 0; i < size_t(w) * size_t(h); ++i) {
      // Straight colour, premultiplied by the shader: the 8 bits then hold what a shells PNG
      // holds (premultiplied 8-bit texels lose the colour of faint ones, which many overlapping
      // shells add up: 2 dB against the CPU on a fitted 16-shell volume).
      const vec4 c = shells.textures[s].pixels[i];
      const vec3 straight = c.a > 0.0f ? vec3(c) / c.a : vec3(0.0f);
      texel_data[s * size_t(w) * size_t(h) + i] =
          to_unorm8(straight.r) | to_unorm8(straight.g) << 8 | to_unorm8(straight.b) << 16 |
          to_unorm8(c.a) << 24;
    }
  std::vector<float> offset_data(std::max<size_t>(k, 1), 0.0f);
  for (size_t s = 0; s < k; ++s) offset_data[s] = shells.offsets[s];

  const VkBufferUsageFlags texel = VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  BufferVk vertex_buffer = upload(ctx_, frames_, vertex_data.data(),
                                  vertex_data.size() * sizeof(glm::vec4), texel, "shell vertices");
  UniqueBufferView vertex_view =
      create_buffer_view(ctx_, vertex_buffer, VK_FORMAT_R32G32B32A32_SFLOAT, "shell vertices view");
  BufferVk index_buffer =
      upload(ctx_, frames_, index_data.data(), index_data.size() * 4, texel, "shell indices");
  UniqueBufferView index_view =
      create_buffer_view(ctx_, index_buffer, VK_FORMAT_R32_UINT, "shell indices view");
  BufferVk texture_buffer =
      upload(ctx_, frames_, texel_data.data(), texel_data.size() * 4, texel, "shell textures");
  UniqueBufferView texture_view =
      create_buffer_view(ctx_, texture_buffer, VK_FORMAT_R8G8B8A8_UNORM, "shell textures view");
  BufferVk offset_buffer = upload(ctx_, frames_, offset_data.data(), offset_data.size() * 4,
                                  VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, "shell offsets");
  // The previous shells are retired only now: a failure above leaves them drawable.
  frames_.retire(std::move(vertices_view_));
  frames_.retire(std::move(vertices_));
  frames_.retire(std::move(indices_view_));
  frames_.retire(std::move(indices_));
  frames_.retire(std::move(textures_view_));
  frames_.retire(std::move(textures_));
  frames_.retire(std::move(offsets_));
  vertices_ = std::move(vertex_buffer);
  vertices_view_ = std::move(vertex_view);
  indices_ = std::move(index_buffer);
  indices_view_ = std::move(index_view);
  textures_ = std::move(texture_buffer);
  textures_view_ = std::move(texture_view);
  offsets_ = std::move(offset_buffer);
  base_triangles_ = faces;
  triangles_ = faces * k;
  texture_width_ = w;
  texture_height_ = h;
  wanted_capacity_ = std::max<uint64_t>(kMinCapacity, uint64_t(triangles_) * 2);
}

void ShellsRendererVk::ensure(BufferVk& buffer, uint64_t bytes, VkBufferUsageFlags usage,
                              MemoryUse use, const std::string& name) {
  if (buffer.get() != VK_NULL_HANDLE && buffer.size >= bytes) return;
  frames_.retire(std::move(buffer));
  buffer = create_buffer(ctx_, bytes, usage, use, name);
  if (buffer.mapped) {
    std::memset(buffer.mapped, 0, bytes);
    buffer.flush(ctx_);
  }
}

bool ShellsRendererVk::overflowed(const FrameVk& frame) {
  const Slot& slot = slots_[frame.slot];
  if (!slot.status.mapped) return false;
  slot.status.invalidate(ctx_);
  gpu::GpuShellStatus status;
  std::memcpy(&status, slot.status.mapped, sizeof(status));
  if (status.totals.x <= status.totals.y) return false;
  wanted_capacity_ = std::max(wanted_capacity_, uint64_t(status.totals.x) * 5 / 4);
  return true;
}

void ShellsRendererVk::record(FrameVk& frame, const Camera& camera, OffscreenTargetVk& target) {
  if (target.width() != uint32_t(camera.width) || target.height() != uint32_t(camera.height))
    throw std::logic_error("ShellsRendererVk::record: target size differs from the camera's");
  if (camera.projection != Projection::kPinhole)
    throw VulkanError("the Vulkan shells renderer draws pinhole cameras only");
  Slot& slot = slots_[frame.slot];
  const std::string suffix = ", frame " + std::to_string(frame.slot);
  overflowed(frame);  // this slot's previous frame has finished: does the room suffice?

  const uint32_t tiles_x = (uint32_t(camera.width) + gpu::kShellTile - 1) / gpu::kShellTile;
  const uint32_t tiles_y = (uint32_t(camera.height) + gpu::kShellTile - 1) / gpu::kShellTile;
  const uint64_t tiles = uint64_t(tiles_x) * tiles_y;
  const uint64_t storage_limit = ctx_.limits().maxStorageBufferRange;
  const uint64_t capacity =
      std::min<uint64_t>({wanted_capacity_, storage_limit / 8, uint64_t(UINT32_MAX)});
  if (wanted_capacity_ > capacity)
    throw VulkanError("the shells of this view need " + std::to_string(wanted_capacity_) +
                      " tile entries, more than one storage buffer of this device holds; use "
                      "--backend cpu or a smaller image");
  const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  ensure(slot.rects, std::max<uint64_t>(triangles_, 1) * 16, storage, MemoryUse::kDeviceOnly,
         "shell rects" + suffix);
  const VkBufferUsageFlags readable = storage | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  const uint64_t setup_bytes = std::max<uint64_t>(triangles_, 1) * gpu::kShellSetupTexels * 16;
  if (slot.setup.size < setup_bytes) {
    frames_.retire(std::move(slot.setup_view));
    ensure(slot.setup, setup_bytes, readable, MemoryUse::kDeviceOnly, "shell setup" + suffix);
    slot.setup_view = create_buffer_view(ctx_, slot.setup, VK_FORMAT_R32G32B32A32_SFLOAT,
                                         "shell setup view" + suffix);
  }
  ensure(slot.tile_counts, tiles * 4, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
         MemoryUse::kDeviceOnly, "shell tile counts" + suffix);
  ensure(slot.tile_offsets, (tiles + 1) * 4, storage, MemoryUse::kDeviceOnly,
         "shell tile offsets" + suffix);
  ensure(slot.tile_cursor, tiles * 4, storage, MemoryUse::kDeviceOnly,
         "shell tile cursors" + suffix);
  if (slot.capacity < capacity) {
    frames_.retire(std::move(slot.entries_view));
    frames_.retire(std::move(slot.entries));
    // Entries are (triangle, slice mask) pairs (see kShellBindingEntries).
    slot.entries = create_buffer(ctx_, capacity * 8, readable, MemoryUse::kDeviceOnly,
                                 "shell tile entries" + suffix);
    slot.entries_view = create_buffer_view(ctx_, slot.entries, VK_FORMAT_R32G32_UINT,
                                           "shell tile entries view" + suffix);
    slot.capacity = capacity;
  }
  ensure(slot.status, sizeof(gpu::GpuShellStatus), storage, MemoryUse::kReadback,
         "shell status" + suffix);

  // Push constants: world -> camera as the CPU reference computes it (glm::inverse in float).
  const mat4 world_to_camera = glm::inverse(camera.camera_to_world);
  gpu::ShellsPush push{};
  push.row0 = glm::vec4(world_to_camera[0][0], world_to_camera[1][0], world_to_camera[2][0],
                        world_to_camera[3][0]);
  push.row1 = glm::vec4(world_to_camera[0][1], world_to_camera[1][1], world_to_camera[2][1],
                        world_to_camera[3][1]);
  push.row2 = glm::vec4(world_to_camera[0][2], world_to_camera[1][2], world_to_camera[2][2],
                        world_to_camera[3][2]);
  push.intrinsics = glm::vec4(camera.fx, camera.fy, camera.cx, camera.cy);
  push.image = glm::uvec4(uint32_t(camera.width), uint32_t(camera.height), uint32_t(triangles_),
                          uint32_t(std::max<size_t>(base_triangles_, 1)));
  push.params = glm::uvec4(tiles_x, tiles_y, uint32_t(slot.capacity),
                           uint32_t(texture_width_) | uint32_t(texture_height_) << 16);

  const VkBufferView vertices_view = vertices_view_.get(), indices_view = indices_view_.get(),
                     textures_view = textures_view_.get();
  const VkDescriptorBufferInfo buffers[] = {
      {offsets_.get(), 0, VK_WHOLE_SIZE},         {slot.rects.get(), 0, VK_WHOLE_SIZE},
      {slot.tile_counts.get(), 0, VK_WHOLE_SIZE}, {slot.tile_offsets.get(), 0, VK_WHOLE_SIZE},
      {slot.tile_cursor.get(), 0, VK_WHOLE_SIZE}, {slot.entries.get(), 0, VK_WHOLE_SIZE},
      {slot.status.get(), 0, VK_WHOLE_SIZE},      {slot.setup.get(), 0, VK_WHOLE_SIZE}};
  const uint32_t buffer_bindings[] = {gpu::kShellBindingOffsets,    gpu::kShellBindingRects,
                                      gpu::kShellBindingTileCounts, gpu::kShellBindingTileOffsets,
                                      gpu::kShellBindingTileCursor, gpu::kShellBindingEntries,
                                      gpu::kShellBindingStatus,     gpu::kShellBindingSetup};
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
  const VkDescriptorType texel = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
  write(gpu::kShellBindingVertices, texel, nullptr, nullptr, &vertices_view);
  write(gpu::kShellBindingIndices, texel, nullptr, nullptr, &indices_view);
  write(gpu::kShellBindingTextures, texel, nullptr, nullptr, &textures_view);
  const VkBufferView setup_view = slot.setup_view.get(), entries_view = slot.entries_view.get();
  write(gpu::kShellBindingSetupRead, texel, nullptr, nullptr, &setup_view);
  write(gpu::kShellBindingEntriesRead, texel, nullptr, nullptr, &entries_view);
  for (size_t b = 0; b < std::size(buffers); ++b)
    write(buffer_bindings[b], VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nullptr, &buffers[b], nullptr);
  write(gpu::kShellBindingColor, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &color, nullptr, nullptr);
  write(gpu::kShellBindingDepth, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &depth, nullptr, nullptr);
  vkUpdateDescriptorSets(ctx_.device(), uint32_t(writes.size()), writes.data(), 0, nullptr);

  const VkCommandBuffer cmd = frame.command_buffer();
  ctx_.begin_label(cmd, "shells");
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
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, bin_pipeline_.get());
  dispatch_per_triangle(cmd, triangles_);
  frames_.timestamp(frame, "shells: bin");
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, scan_pipeline_.get());
  vkCmdDispatch(cmd, 1, 1, 1);
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, fill_pipeline_.get());
  dispatch_per_triangle(cmd, triangles_);
  frames_.timestamp(frame, "shells: scan and fill");
  compute_to_compute(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, raster_pipeline_.get());
  vkCmdDispatch(cmd, tiles_x, tiles_y, 1);
  frames_.timestamp(frame, "shells: rasterize");
  memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  ctx_.end_label(cmd);
}

}  // namespace strata
