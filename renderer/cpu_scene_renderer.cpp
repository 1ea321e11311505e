#include "neural/core/parallel.h"
#include "neural/scene/scene_render.h"
#include "renderer/scene_renderer.h"

namespace strata {

namespace {

class CpuSceneRenderer final : public SceneRenderer {
 public:
  std::string name() const override {
    return "cpu (" + std::to_string(thread_count()) + " threads)";
  }
  void set_scene(const Scene& scene) override {
    // The prepared scene borrows fields from the Scene: keep a copy that lives as long.
    source_ = scene;
    scene_ = prepare_scene(source_);
  }
  RenderOutput render(const Camera& camera) override { return render_scene(scene_, camera); }
  RenderOutput render_layers(const Camera& camera) override {
    SceneRenderOptions options;
    options.want_layers = true;
    return render_scene(scene_, camera, options);
  }
  std::string layer_name(int label) const override { return label_name(scene_, label); }

 private:
  Scene source_;
  PreparedScene scene_;
};

}  // namespace

std::unique_ptr<SceneRenderer> make_cpu_renderer() {
  return std::make_unique<CpuSceneRenderer>();
}

}  // namespace strata
