#include "neural/scene/scene_render.h"

#include <optional>

#include "neural/field/field_render.h"
#include "neural/planes/plane_set_render.h"
#include "neural/shells/shell_render.h"

namespace strata {

PreparedScene prepare_scene(const Scene& scene) {
  PreparedScene prepared{scene_planes(scene), scene_gaussians(scene), {}, {}};
  for (const SceneItem& item : scene.items)
    if (const auto* shells = std::get_if<ShellVolume>(&item.content))
      prepared.shells.push_back(transformed_shells(*shells, item.transform));
  for (const SceneItem& item : scene.items)
    if (const auto* field = std::get_if<RadianceField>(&item.content))
      prepared.fields.emplace_back(field, item.transform);
  return prepared;
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
  std::optional<RenderOutput> result;
  auto merge = [&](RenderOutput part) {
    result = result ? merge_by_depth(*result, part) : std::move(part);
  };
  if (!scene.planes.planes.empty()) merge(render_planes(scene.planes, camera));
  if (!scene.gaussians.empty()) {
    GaussianRenderOptions gaussian_options;
    gaussian_options.visible_layers = options.visible_gaussian_layers;
    merge(render_gaussians(scene.gaussians, camera, gaussian_options));
  }
  for (const ShellVolume& shells : scene.shells) merge(render_shells(shells, camera));
  for (const auto& [field, transform] : scene.fields) {
    // A field is drawn in its own space: the camera moves instead (rigid transforms).
    Camera local = camera;
    local.camera_to_world = glm::inverse(transform) * camera.camera_to_world;
    merge(render_field(*field, local));
  }
  if (!result)
    return RenderOutput{Image(camera.width, camera.height),
                        ScalarImage(camera.width, camera.height)};
  return std::move(*result);
}

}  // namespace strata
