// Frames in flight: each slot has a command buffer, a fence and a deletion queue, reused round
// robin. Begin a frame, record into its command buffer, submit it; objects retired while a frame
// may use them are destroyed only after its fence (vkguide's per-frame deletion queue). The
// headless renderer submits with no semaphores; the viewer's swapchain path passes its
// acquire/present semaphores to submit().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "renderer/context_vk.h"
#include "renderer/deletion_queue_vk.h"
#include "renderer/handles_vk.h"

namespace strata {

// Timestamps a frame may write (FrameLoopVk::timestamp).
inline constexpr uint32_t kMaxFrameTimestamps = 16;

// Device time of one named pass, averaged over frames.
struct PassTime {
  std::string name;  // the label given to FrameLoopVk::timestamp at the pass's end
  double ms = 0.0;   // mean device milliseconds per frame
  int frames = 0;    // frames averaged
};

struct FrameVk {
  UniqueCommandBuffer cmd;         // primary command buffer, re-recorded each use
  UniqueFence fence;               // signalled when the frame's commands finish
  UniqueQueryPool timestamps;      // kMaxFrameTimestamps queries (null without timestamps)
  std::vector<const char*> marks;  // label of each timestamp written this frame
  DeletionQueue deletion;          // destroyed after `fence` signals, when the slot is reused
  uint32_t slot = 0;               // index among the frames in flight
  uint64_t number = 0;             // frame number (1, 2, ...); 0 = never submitted
  bool in_flight = false;          // submitted and its fence not yet waited for

  VkCommandBuffer command_buffer() const { return cmd.get(); }
};

// How long a fence wait may take before the device is declared hung, nanoseconds.
inline constexpr uint64_t kFenceTimeoutNs = 120ull * 1000 * 1000 * 1000;

class FrameLoopVk {
 public:
  // `frames_in_flight` slots (>= 1) on ctx's queue. ctx must outlive the loop.
  FrameLoopVk(const ContextVk& ctx, uint32_t frames_in_flight);
  // Waits for every frame in flight, then destroys what was retired.
  ~FrameLoopVk();
  FrameLoopVk(const FrameLoopVk&) = delete;
  FrameLoopVk& operator=(const FrameLoopVk&) = delete;

  // Starts the next frame: waits for the slot's previous frame, destroys what that frame
  // retired, and begins its command buffer (one-time submit). Throws VulkanError on a hang.
  FrameVk& begin_frame();
  // Ends and submits the frame begun last, signalling its fence (and `signal`, waiting on
  // `wait` at `wait_stages`: the swapchain path).
  void submit(FrameVk& frame, const std::vector<VkSemaphore>& wait = {},
              const std::vector<VkPipelineStageFlags>& wait_stages = {},
              const std::vector<VkSemaphore>& signal = {});
  // Abandons the frame begun last without submitting it (after an error while recording).
  void cancel(FrameVk& frame);
  // Waits until `frame` has finished (no-op when it is not in flight).
  void wait(FrameVk& frame);
  // Waits for every frame and destroys everything retired so far.
  void wait_all();

  // Hands `object` over for destruction once no frame submitted so far, nor the one being
  // recorded, can use it.
  template <typename T>
  void retire(T&& object) {
    if (recording_)
      frames_[current_].deletion.retire(std::forward<T>(object));
    else
      pending_.retire(std::forward<T>(object));
  }

  // Writes a device timestamp labelled `label` after the commands recorded so far (no-op where
  // the queue has no timestamps, or past kMaxFrameTimestamps). The interval between two
  // timestamps is reported under the later one's label (pass_times). The first timestamp of a
  // frame only starts the clock.
  void timestamp(FrameVk& frame, const char* label);
  // Mean device time of each labelled pass over the frames finished since the last call, in the
  // order first seen; resets the averages.
  std::vector<PassTime> take_pass_times();

  // Records a one-off command buffer with `record`, submits it and waits (uploads).
  void run_now(const std::function<void(VkCommandBuffer)>& record, const char* what);

  // The frame submitted last, or null before the first.
  FrameVk* last_submitted() { return last_ < 0 ? nullptr : &frames_[size_t(last_)]; }
  uint32_t frames_in_flight() const { return uint32_t(frames_.size()); }

 private:
  const ContextVk& ctx_;
  UniqueCommandPool pool_;
  std::vector<FrameVk> frames_;
  DeletionQueue pending_;  // retired between frames; joins the next frame's queue
  size_t current_ = 0;     // slot being recorded (valid while recording_)
  int last_ = -1;          // slot submitted last
  uint64_t frame_number_ = 0;
  bool recording_ = false;
  UniqueCommandBuffer once_cmd_;  // for run_now
  UniqueFence once_fence_;
  std::vector<PassTime> pass_times_;  // sums (ms) until take_pass_times averages them

  void collect_timestamps(FrameVk& frame);
};

}  // namespace strata
