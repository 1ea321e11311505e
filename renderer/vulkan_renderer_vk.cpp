// VulkanSceneRenderer on a ContextVk: frames in flight (FrameLoopVk), one offscreen target per
// frame slot, and the planes renderer drawing scene_planes(scene) (plane sets, layer-stack
// cards and MPIs all arrive as planes).
#include <stdexcept>

#include "renderer/context_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/offscreen_target_vk.h"
#include "renderer/planes_renderer_vk.h"
#include "renderer/vulkan_renderer.h"

namespace strata {

namespace {

// Two frames in flight: the host prepares frame N+1 while the device draws frame N.
constexpr uint32_t kFramesInFlight = 2;

class VulkanSceneRendererVk final : public VulkanSceneRenderer {
 public:
  VulkanSceneRendererVk(const VulkanOptions& options, const VulkanPlanesSettings& settings)
      : ctx_(options), frames_(ctx_, kFramesInFlight), planes_(ctx_, frames_, settings) {
    targets_.resize(kFramesInFlight);
  }

  ~VulkanSceneRendererVk() override {
    // Resources below are destroyed before frames_; nothing may still be drawing with them.
    try {
      frames_.wait_all();
    } catch (...) {
    }
  }

  std::string name() const override {
    return "vulkan: " + ctx_.info().name + (ctx_.validation_enabled() ? " (validation on)" : "");
  }

  void set_scene(const Scene& scene) override {
    planes_.set_planes(scene_planes(scene));
    drawn_ = false;
  }

  RenderOutput render(const Camera& camera) override {
    FrameVk& frame = record_frame(camera, /*read_back=*/true);
    frames_.wait(frame);
    return targets_[frame.slot].read(ctx_);
  }

  VulkanDeviceInfo device_info() const override { return ctx_.info(); }
  bool validation_enabled() const override { return ctx_.validation_enabled(); }
  std::vector<std::string> validation_messages() const override {
    return ctx_.validation_messages();
  }

  void draw(const Camera& camera) override { record_frame(camera, /*read_back=*/false); }

  void finish() override { frames_.wait_all(); }

  RenderOutput read_back() override {
    FrameVk* last = frames_.last_submitted();
    if (!drawn_ || !last) throw std::logic_error("read_back(): nothing drawn since set_scene");
    frames_.wait(*last);
    OffscreenTargetVk& target = targets_[last->slot];
    frames_.run_now([&](VkCommandBuffer cmd) { target.record_readback(cmd); },
                    "reading a frame back");
    return target.read(ctx_);
  }

  std::vector<std::pair<std::string, double>> take_pass_times_ms() override {
    std::vector<std::pair<std::string, double>> out;
    for (const PassTime& p : frames_.take_pass_times()) out.emplace_back(p.name, p.ms);
    return out;
  }

  uint64_t texture_bytes() const override { return planes_.texture_bytes(); }

 private:
  // Begins a frame, records the planes for `camera` (and the copy to the readback buffer),
  // submits it and returns it.
  FrameVk& record_frame(const Camera& camera, bool read_back) {
    camera.validate("camera");
    FrameVk& frame = frames_.begin_frame();
    try {
      OffscreenTargetVk& target = targets_[frame.slot];
      if (target.empty() || target.width() != uint32_t(camera.width) ||
          target.height() != uint32_t(camera.height)) {
        frames_.retire(std::move(target));
        target = OffscreenTargetVk(ctx_, uint32_t(camera.width), uint32_t(camera.height),
                                   "target " + std::to_string(frame.slot));
      }
      planes_.record(frame, camera, target);
      if (read_back) {
        target.record_readback(frame.command_buffer());
        frames_.timestamp(frame, "readback copy");
      }
    } catch (...) {
      frames_.cancel(frame);
      throw;
    }
    frames_.submit(frame);
    drawn_ = true;
    return frame;
  }

  ContextVk ctx_;
  FrameLoopVk frames_;  // after ctx_: its deletion queues empty before the device goes
  PlanesRendererVk planes_;
  std::vector<OffscreenTargetVk> targets_;  // one per frame slot
  bool drawn_ = false;
};

}  // namespace

std::unique_ptr<VulkanSceneRenderer> make_vulkan_scene_renderer(
    const VulkanOptions& options, const VulkanPlanesSettings& settings) {
  return std::make_unique<VulkanSceneRendererVk>(options, settings);
}

std::unique_ptr<SceneRenderer> make_vulkan_renderer(const VulkanOptions& options) {
  return make_vulkan_scene_renderer(options);
}

}  // namespace strata
