#include "renderer/frame_loop_vk.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "renderer/error_vk.h"

namespace strata {

namespace {

UniqueFence make_fence(const ContextVk& ctx, const std::string& name) {
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateFence(ctx.device(), &info, nullptr, &fence), name);
  ctx.name(fence, name);
  return UniqueFence(ctx.device(), fence);
}

UniqueCommandBuffer make_command_buffer(const ContextVk& ctx, VkCommandPool pool,
                                        const std::string& name) {
  VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = pool;
  info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  info.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkAllocateCommandBuffers(ctx.device(), &info, &cmd), name);
  ctx.name(cmd, name);
  return UniqueCommandBuffer(ctx.device(), pool, cmd);
}

void wait_fence(const ContextVk& ctx, VkFence fence, const char* what) {
  const VkResult result = vkWaitForFences(ctx.device(), 1, &fence, VK_TRUE, kFenceTimeoutNs);
  if (result == VK_TIMEOUT)
    throw VulkanError(std::string(what) + " did not finish within " +
                      std::to_string(kFenceTimeoutNs / 1000000000ull) +
                      " s: the device appears hung");
  STRATA_VK_CHECK(result, what);
}

}  // namespace

FrameLoopVk::FrameLoopVk(const ContextVk& ctx, uint32_t frames_in_flight) : ctx_(ctx) {
  if (frames_in_flight == 0) throw std::invalid_argument("FrameLoopVk needs at least one frame");
  VkCommandPoolCreateInfo info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  info.queueFamilyIndex = ctx.queue_family();
  VkCommandPool pool = VK_NULL_HANDLE;
  STRATA_VK_CHECK(vkCreateCommandPool(ctx.device(), &info, nullptr, &pool), "frame command pool");
  pool_ = UniqueCommandPool(ctx.device(), pool);
  ctx.name(pool, "frame command pool");
  frames_.resize(frames_in_flight);
  for (uint32_t i = 0; i < frames_in_flight; ++i) {
    frames_[i].slot = i;
    frames_[i].cmd = make_command_buffer(ctx, pool, "frame " + std::to_string(i) + " commands");
    frames_[i].fence = make_fence(ctx, "frame " + std::to_string(i) + " fence");
    if (ctx.timestamp_period_ns() > 0.0) {
      VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
      info.queryType = VK_QUERY_TYPE_TIMESTAMP;
      info.queryCount = kMaxFrameTimestamps;
      VkQueryPool pool_handle = VK_NULL_HANDLE;
      STRATA_VK_CHECK(vkCreateQueryPool(ctx.device(), &info, nullptr, &pool_handle), "timestamps");
      frames_[i].timestamps = UniqueQueryPool(ctx.device(), pool_handle);
      ctx.name(pool_handle, "frame " + std::to_string(i) + " timestamps");
    }
  }
  once_cmd_ = make_command_buffer(ctx, pool, "one-off commands");
  once_fence_ = make_fence(ctx, "one-off fence");
}

FrameLoopVk::~FrameLoopVk() {
  try {
    wait_all();
  } catch (...) {
    // A lost device: nothing more can be waited for; destroy anyway.
    vkDeviceWaitIdle(ctx_.device());
  }
  for (FrameVk& f : frames_) f.deletion.flush();
  pending_.flush();
}

FrameVk& FrameLoopVk::begin_frame() {
  if (recording_) throw std::logic_error("begin_frame() while a frame is being recorded");
  current_ = size_t(last_ + 1) % frames_.size();
  FrameVk& frame = frames_[current_];
  wait(frame);
  frame.deletion.flush();
  // Retired since the last submit: may be used by frames up to the last one, all of which have
  // finished by the time this slot is waited for again.
  frame.deletion.take(pending_);
  STRATA_VK_CHECK(vkResetCommandBuffer(frame.command_buffer(), 0), "starting a frame");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  STRATA_VK_CHECK(vkBeginCommandBuffer(frame.command_buffer(), &begin), "starting a frame");
  frame.marks.clear();
  if (frame.timestamps)
    vkCmdResetQueryPool(frame.command_buffer(), frame.timestamps.get(), 0, kMaxFrameTimestamps);
  frame.number = ++frame_number_;
  recording_ = true;
  return frame;
}

void FrameLoopVk::submit(FrameVk& frame, const std::vector<VkSemaphore>& wait_semaphores,
                         const std::vector<VkPipelineStageFlags>& wait_stages,
                         const std::vector<VkSemaphore>& signal) {
  if (!recording_ || &frame != &frames_[current_])
    throw std::logic_error("submit() of a frame that is not being recorded");
  recording_ = false;
  STRATA_VK_CHECK(vkEndCommandBuffer(frame.command_buffer()), "ending a frame");
  const VkFence fence = frame.fence.get();
  STRATA_VK_CHECK(vkResetFences(ctx_.device(), 1, &fence), "submitting a frame");
  VkCommandBuffer cmd = frame.command_buffer();
  VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  info.waitSemaphoreCount = uint32_t(wait_semaphores.size());
  info.pWaitSemaphores = wait_semaphores.data();
  info.pWaitDstStageMask = wait_stages.data();
  info.commandBufferCount = 1;
  info.pCommandBuffers = &cmd;
  info.signalSemaphoreCount = uint32_t(signal.size());
  info.pSignalSemaphores = signal.data();
  STRATA_VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &info, fence), "submitting a frame");
  frame.in_flight = true;
  last_ = int(current_);
}

void FrameLoopVk::cancel(FrameVk& frame) {
  if (!recording_ || &frame != &frames_[current_]) return;
  recording_ = false;
  vkEndCommandBuffer(frame.command_buffer());  // result irrelevant: it is reset before reuse
}

void FrameLoopVk::wait(FrameVk& frame) {
  if (!frame.in_flight) return;
  wait_fence(ctx_, frame.fence.get(), "a frame");
  frame.in_flight = false;
  collect_timestamps(frame);
}

void FrameLoopVk::timestamp(FrameVk& frame, const char* label) {
  if (!frame.timestamps || frame.marks.size() >= kMaxFrameTimestamps) return;
  vkCmdWriteTimestamp(frame.command_buffer(), VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                      frame.timestamps.get(), uint32_t(frame.marks.size()));
  frame.marks.push_back(label);
}

void FrameLoopVk::collect_timestamps(FrameVk& frame) {
  if (!frame.timestamps || frame.marks.size() < 2) return;
  uint64_t ticks[kMaxFrameTimestamps];
  const VkResult result =
      vkGetQueryPoolResults(ctx_.device(), frame.timestamps.get(), 0, uint32_t(frame.marks.size()),
                            sizeof(ticks), ticks, sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
  if (result != VK_SUCCESS) return;  // not available: skip this frame's times
  for (size_t i = 1; i < frame.marks.size(); ++i) {
    const double ms = double(ticks[i] - ticks[i - 1]) * ctx_.timestamp_period_ns() * 1e-6;
    auto it = std::find_if(pass_times_.begin(), pass_times_.end(),
                           [&](const PassTime& p) { return p.name == frame.marks[i]; });
    if (it == pass_times_.end())
      it = pass_times_.insert(pass_times_.end(), PassTime{frame.marks[i]});
    it->ms += ms;
    ++it->frames;
  }
}

std::vector<PassTime> FrameLoopVk::take_pass_times() {
  std::vector<PassTime> out = std::move(pass_times_);
  pass_times_.clear();
  for (PassTime& p : out) p.ms /= std::max(p.frames, 1);
  return out;
}

void FrameLoopVk::wait_all() {
  for (FrameVk& f : frames_) wait(f);
  if (!recording_)
    for (FrameVk& f : frames_) f.deletion.flush();
  if (!recording_) pending_.flush();
}

void FrameLoopVk::run_now(const std::function<void(VkCommandBuffer)>& record, const char* what) {
  VkCommandBuffer cmd = once_cmd_.get();
  STRATA_VK_CHECK(vkResetCommandBuffer(cmd, 0), what);
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  STRATA_VK_CHECK(vkBeginCommandBuffer(cmd, &begin), what);
  record(cmd);
  STRATA_VK_CHECK(vkEndCommandBuffer(cmd), what);
  const VkFence fence = once_fence_.get();
  STRATA_VK_CHECK(vkResetFences(ctx_.device(), 1, &fence), what);
  VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  info.commandBufferCount = 1;
  info.pCommandBuffers = &cmd;
  STRATA_VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &info, fence), what);
  wait_fence(ctx_, fence, what);
}

}  // namespace strata
