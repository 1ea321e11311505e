// VulkanSceneRenderer on a ContextVk: frames in flight (FrameLoopVk), one offscreen target per
// frame slot, the planes renderer drawing scene_planes(scene) (plane sets, layer-stack cards and
// MPIs all arrive as planes) and the Gaussian renderer drawing scene_gaussians(scene).
// A scene with both draws each into its own target and merges them on the host after readback
// with the CPU reference's merge_by_depth (neural/scene/scene_render.h), so the rule is one piece
// of code; draw() alone (timing) renders both without merging.
#include <optional>
#include <stdexcept>

#include "neural/scene/scene_render.h"
#include "renderer/context_vk.h"
#include "renderer/frame_loop_vk.h"
#include "renderer/gaussians_renderer_vk.h"
#include "renderer/offscreen_target_vk.h"
#include "renderer/planes_renderer_vk.h"
#include "renderer/shells_renderer_vk.h"
#include "renderer/vulkan_renderer.h"

namespace strata {

namespace {

// Two frames in flight: the host prepares frame N+1 while the device draws frame N.
constexpr uint32_t kFramesInFlight = 2;

class VulkanSceneRendererVk final : public VulkanSceneRenderer {
 public:
  VulkanSceneRendererVk(const VulkanOptions& options, const VulkanPlanesSettings& settings,
                        const VulkanGaussiansSettings& gaussian_settings)
      : ctx_(options),
        frames_(ctx_, kFramesInFlight),
        planes_(ctx_, frames_, settings),
        gaussians_(ctx_, frames_, gaussian_settings),
        shells_(ctx_, frames_) {
    targets_.resize(kFramesInFlight);
    gaussian_targets_.resize(kFramesInFlight);
    shell_targets_.resize(kFramesInFlight);
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
    const PlaneSet planes = scene_planes(scene);
    const GaussianCloud gaussians = scene_gaussians(scene);
    planes_.set_planes(planes);
    gaussians_.set_cloud(gaussians);
    has_planes_ = !planes.planes.empty();
    has_gaussians_ = !gaussians.empty();
    // Shells (one ShellVolume per scene on this renderer) draw into a third target.
    const PreparedScene prepared = prepare_scene(scene);
    if (prepared.shells.size() > 1)
      throw VulkanError("the Vulkan renderer draws one shell volume per scene; this one has " +
                        std::to_string(prepared.shells.size()) + " (use --backend cpu)");
    shells_.set_shells(prepared.shells.empty() ? ShellVolume{} : prepared.shells[0]);
    has_shells_ = !shells_.empty();
    drawn_ = false;
  }

  void set_visible_gaussian_layers(const std::vector<bool>& visible) override {
    gaussians_.set_visible_layers(visible);
  }

  RenderOutput render(const Camera& camera) override {
    FrameVk* frame = &record_frame(camera, /*read_back=*/true);
    frames_.wait(*frame);
    // A view with more tile entries than the Gaussian renderer had room for is drawn again with
    // the room it reported (it grows at least 25% each time, so this ends).
    while ((has_gaussians_ && gaussians_.overflowed(*frame)) ||
           (has_shells_ && shells_.overflowed(*frame))) {
      frame = &record_frame(camera, /*read_back=*/true);
      frames_.wait(*frame);
    }
    return read_frame(*frame);
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
    if ((has_gaussians_ && gaussians_.overflowed(*last)) ||
        (has_shells_ && shells_.overflowed(*last)))
      return render(*last_camera_);
    frames_.run_now(
        [&](VkCommandBuffer cmd) {
          targets_[last->slot].record_readback(cmd);
          if (has_planes_ && has_gaussians_) gaussian_targets_[last->slot].record_readback(cmd);
          if (has_shells_ && (has_planes_ || has_gaussians_))
            shell_targets_[last->slot].record_readback(cmd);
        },
        "reading a frame back");
    return read_frame(*last);
  }

  std::vector<std::pair<std::string, double>> take_pass_times_ms() override {
    std::vector<std::pair<std::string, double>> out;
    for (const PassTime& p : frames_.take_pass_times()) out.emplace_back(p.name, p.ms);
    return out;
  }

  uint64_t texture_bytes() const override {
    return planes_.texture_bytes() + shells_.texture_bytes();
  }

 private:
  // The finished `frame`'s image (copied to its readback buffers): the planes or the Gaussians,
  // or both merged by expected depth.
  RenderOutput read_frame(const FrameVk& frame) {
    RenderOutput out = targets_[frame.slot].read(ctx_);
    if (has_planes_ && has_gaussians_)
      out = merge_by_depth(out, gaussian_targets_[frame.slot].read(ctx_));
    if (has_shells_ && (has_planes_ || has_gaussians_))
      out = merge_by_depth(out, shell_targets_[frame.slot].read(ctx_));
    return out;
  }

  // The target of `targets` for `frame`, (re)made to the camera's size.
  OffscreenTargetVk& target_for(std::vector<OffscreenTargetVk>& targets, const FrameVk& frame,
                                const Camera& camera, const std::string& name) {
    OffscreenTargetVk& target = targets[frame.slot];
    if (target.empty() || target.width() != uint32_t(camera.width) ||
        target.height() != uint32_t(camera.height)) {
      frames_.retire(std::move(target));
      target = OffscreenTargetVk(ctx_, uint32_t(camera.width), uint32_t(camera.height),
                                 name + " " + std::to_string(frame.slot));
    }
    return target;
  }

  // Begins a frame, records the planes for `camera` (and the copy to the readback buffer),
  // submits it and returns it.
  FrameVk& record_frame(const Camera& camera, bool read_back) {
    camera.validate("camera");
    FrameVk& frame = frames_.begin_frame();
    try {
      OffscreenTargetVk& target = target_for(targets_, frame, camera, "target");
      // Planes draw into `target` unless the scene is Gaussians only (an empty scene still
      // draws its empty plane set: a cleared image).
      if (has_planes_ || (!has_gaussians_ && !has_shells_)) planes_.record(frame, camera, target);
      OffscreenTargetVk* second = nullptr;
      if (has_gaussians_) {
        second = has_planes_ ? &target_for(gaussian_targets_, frame, camera, "gaussian target")
                             : &target;
        gaussians_.record(frame, camera, *second);
      }
      OffscreenTargetVk* third = nullptr;
      if (has_shells_) {
        third = (has_planes_ || has_gaussians_)
                    ? &target_for(shell_targets_, frame, camera, "shell target")
                    : &target;
        shells_.record(frame, camera, *third);
      }
      if (read_back) {
        target.record_readback(frame.command_buffer());
        if (second && second != &target) second->record_readback(frame.command_buffer());
        if (third && third != &target) third->record_readback(frame.command_buffer());
        frames_.timestamp(frame, "readback copy");
      }
    } catch (...) {
      frames_.cancel(frame);
      throw;
    }
    frames_.submit(frame);
    drawn_ = true;
    last_camera_ = camera;
    return frame;
  }

  ContextVk ctx_;
  FrameLoopVk frames_;  // after ctx_: its deletion queues empty before the device goes
  PlanesRendererVk planes_;
  GaussiansRendererVk gaussians_;
  ShellsRendererVk shells_;
  std::vector<OffscreenTargetVk> targets_;           // one per frame slot
  std::vector<OffscreenTargetVk> gaussian_targets_;  // per slot; used when planes are drawn too
  std::vector<OffscreenTargetVk> shell_targets_;     // per slot; used when others are drawn too
  bool has_planes_ = false;                          // the scene set last has planes
  bool has_gaussians_ = false;                       // ... and Gaussians
  bool has_shells_ = false;                          // ... and a shell volume
  bool drawn_ = false;
  std::optional<Camera> last_camera_;  // of the frame submitted last (read_back redraws it)
};

}  // namespace

std::unique_ptr<VulkanSceneRenderer> make_vulkan_scene_renderer(
    const VulkanOptions& options, const VulkanPlanesSettings& settings,
    const VulkanGaussiansSettings& gaussian_settings) {
  return std::make_unique<VulkanSceneRendererVk>(options, settings, gaussian_settings);
}

std::unique_ptr<SceneRenderer> make_vulkan_renderer(const VulkanOptions& options) {
  return make_vulkan_scene_renderer(options);
}

}  // namespace strata
