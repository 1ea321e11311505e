#include "neural/scene/scene_render.h"

#include "neural/planes/plane_set_render.h"

namespace strata {

PreparedScene prepare_scene(const Scene& scene) {
  return PreparedScene{scene_planes(scene), scene_gaussians(scene)};
}

RenderOutput merge_by_depth(const RenderOutput& a, const RenderOutput& b) {
  RenderOutput out{Image(a.color.width, a.color.height),
                   ScalarImage(a.color.width, a.color.height)};
  for (size_t i = 0; i < a.color.pixels.size(); ++i) {
    const vec4 ca = a.color.pixels[i], cb = b.color.pixels[i];
    const float da = a.depth.values[i], db = b.depth.values[i];
    const bool a_first = cb.a <= 0.0f || (ca.a > 0.0f && da <= db);
    const vec4 front = a_first ? ca : cb, back = a_first ? cb : ca;
    const float df = a_first ? da : db, dbk = a_first ? db : da;
    out.color.pixels[i] = front + (1.0f - front.a) * back;
    const float wf = front.a, wb = (1.0f - front.a) * back.a;
    out.depth.values[i] = wf + wb > 0.0f ? (wf * df + wb * dbk) / (wf + wb) : 0.0f;
  }
  return out;
}

RenderOutput render_scene(const PreparedScene& scene, const Camera& camera,
                          const SceneRenderOptions& options) {
  const bool has_planes = !scene.planes.planes.empty(), has_gaussians = !scene.gaussians.empty();
  if (has_planes && !has_gaussians) return render_planes(scene.planes, camera);
  GaussianRenderOptions gaussian_options;
  gaussian_options.visible_layers = options.visible_gaussian_layers;
  if (has_gaussians && !has_planes)
    return render_gaussians(scene.gaussians, camera, gaussian_options);
  if (!has_planes && !has_gaussians)
    return RenderOutput{Image(camera.width, camera.height),
                        ScalarImage(camera.width, camera.height)};
  return merge_by_depth(render_planes(scene.planes, camera),
                        render_gaussians(scene.gaussians, camera, gaussian_options));
}

}  // namespace strata
