// Per-pixel layer labels (RenderOutput::layer): the dominant layer (largest weight T*a) from the
// CPU references of planes, Gaussians and shells, scene-wide labels across items, and the
// viewer's false colours. [layers]
#include <catch2/catch.hpp>

#include <set>

#include "apps/viewer/view_mode.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/planes/fronto_parallel_mpi.h"
#include "neural/planes/plane_set_render.h"
#include "neural/scene/scene_render.h"
#include "neural/shells/shell_render.h"
#include "tests/test_shells_support.h"

using namespace strata;

namespace {

Plane solid_plane(const Camera& camera, float depth, vec4 straight_color) {
  Plane p = fronto_parallel_plane(camera, depth);
  p.texture = Image(4, 4, vec4(vec3(straight_color) * straight_color.a, straight_color.a));
  return p;
}

// Two opaque planes crossing at x = 0 (as in test_planes_render): A nearer on the left.
PlaneSet crossing_planes() {
  Plane a, b;
  a.origin = vec3(-2.0f, 1.0f, -2.0f);
  a.u_axis = vec3(4.0f, 0.0f, -2.0f);
  a.v_axis = vec3(0.0f, -2.0f, 0.0f);
  a.texture = Image(2, 2, vec4(1, 0, 0, 1));
  b.origin = vec3(-2.0f, 1.0f, -4.0f);
  b.u_axis = vec3(4.0f, 0.0f, 2.0f);
  b.v_axis = vec3(0.0f, -2.0f, 0.0f);
  b.texture = Image(2, 2, vec4(0, 1, 0, 1));
  PlaneSet set;
  set.planes = {a, b};
  return set;
}

// One round Gaussian at `position` with layer id `layer` and the given opacity.
void add_gaussian(GaussianCloud& cloud, vec3 position, float radius, float opacity,
                  uint16_t layer) {
  const size_t i = cloud.size();
  cloud.resize(i + 1);
  cloud.positions[i] = position;
  cloud.log_scales[i] = vec3(std::log(radius));
  cloud.opacity_logits[i] = std::log(opacity / (1.0f - opacity));
  cloud.sh[i * size_t(cloud.sh_coefficients())] = vec3(0.5f);
  cloud.layers[i] = layer;
}

}  // namespace

TEST_CASE("crossing planes: each pixel is labelled by the nearer plane", "[layers]") {
  const Camera camera = Camera::pinhole_fov_y(64, 32, glm::radians(60.0f), mat4(1.0f));
  const PlaneSet set = crossing_planes();
  CHECK(render_planes(set, camera).layer.empty());  // not asked: nothing to pay
  const RenderOutput out = render_planes(set, camera, /*want_layers=*/true);
  REQUIRE(out.layer.size() == size_t(64 * 32));
  int left = 0, right = 0;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 64; ++x) {
      const int32_t label = out.layer[size_t(y) * 64 + x];
      if (out.color.at(x, y).a == 0.0f) {
        CHECK(label == -1);
      } else if (x < 30) {  // the crossing line is the middle column (x = 32)
        CHECK(label == 0);
        ++left;
      } else if (x >= 34) {
        CHECK(label == 1);
        ++right;
      }
    }
  CHECK(left > 200);
  CHECK(right > 200);
}

TEST_CASE("a semi-transparent front plane: the label is the larger weight T*a", "[layers]") {
  const Camera camera = Camera::pinhole_fov_y(16, 12, glm::radians(50.0f), mat4(1.0f));
  PlaneSet set;
  set.planes.push_back(solid_plane(camera, 2.0f, vec4(1, 0, 0, 0.3f)));  // front: weight 0.3
  set.planes.push_back(solid_plane(camera, 4.0f, vec4(0, 0, 1, 1.0f)));  // back: weight 0.7
  CHECK(render_planes(set, camera, true).layer[6 * 16 + 8] == 1);
  set.planes[0] = solid_plane(camera, 2.0f, vec4(1, 0, 0, 0.6f));  // front 0.6, back 0.4
  CHECK(render_planes(set, camera, true).layer[6 * 16 + 8] == 0);
}

TEST_CASE("a two-layer Gaussian panorama: labels follow the layer ids", "[layers]") {
  GaussianCloud cloud;
  add_gaussian(cloud, vec3(0.0f, 0.0f, -3.0f), 0.4f, 0.99f, 1);  // ahead: layer 1
  add_gaussian(cloud, vec3(3.0f, 0.0f, 0.0f), 0.4f, 0.99f, 0);   // to the right: layer 0
  add_gaussian(cloud, vec3(0.0f, 0.0f, 3.0f), 0.4f, 0.2f, 1);    // behind: faint layer 1 ...
  add_gaussian(cloud, vec3(0.0f, 0.0f, 5.0f), 0.8f, 0.99f, 0);   // ... over an opaque layer 0
  const Camera camera = Camera::equirectangular(128, 64, mat4(1.0f));
  GaussianRenderOptions options;
  CHECK(render_gaussians(cloud, camera, options).layer.empty());
  options.want_layers = true;
  const RenderOutput out = render_gaussians(cloud, camera, options);
  REQUIRE(out.layer.size() == size_t(128 * 64));
  // u = W (0.5 + atan2(x, -z) / 2pi): ahead at u = 64, right at u = 96, behind at the seam.
  CHECK(out.layer[32 * 128 + 64] == 1);
  CHECK(out.layer[32 * 128 + 96] == 0);
  CHECK(out.layer[32 * 128 + 0] == 0);    // behind: 0.2 in front of ~0.8 * 0.99
  CHECK(out.layer[32 * 128 + 32] == -1);  // left: nothing
  // Hiding layer 0 leaves layer 1 alone behind (and its pixels labelled 1).
  options.visible_layers = {false, true};
  CHECK(render_gaussians(cloud, camera, options).layer[32 * 128 + 0] == 1);
}

TEST_CASE("shells: the outer shell is dominant where it is opaque", "[layers]") {
  const Camera camera =
      Camera::pinhole_fov_y(32, 32, glm::radians(30.0f), look_at(vec3(0, 0, 5.0f), vec3(0.0f)));
  const ShellVolume opaque =
      test::sphere_shells({0.0f, 0.1f}, {vec4(1, 0, 0, 1), vec4(0, 1, 0, 1)}, 4, 16, 32);
  CHECK(render_shells(opaque, camera).layer.empty());
  const RenderOutput out = render_shells(opaque, camera, nullptr, true);
  REQUIRE(out.layer.size() == size_t(32 * 32));
  CHECK(out.layer[16 * 32 + 16] == 1);
  CHECK(out.layer[0] == -1);  // the corner misses the sphere
  // A faint outer shell (a = 0.2) lets the inner one (weight 0.8) win.
  const ShellVolume faint =
      test::sphere_shells({0.0f, 0.1f}, {vec4(1, 0, 0, 1), vec4(0, 1, 0, 0.2f)}, 4, 16, 32);
  CHECK(render_shells(faint, camera, nullptr, true).layer[16 * 32 + 16] == 0);
}

TEST_CASE("merging two renders keeps the label of the larger weight", "[layers]") {
  RenderOutput a{Image(1, 1, vec4(0.3f, 0, 0, 0.3f)), ScalarImage(1, 1, 1.0f), {5}};
  RenderOutput b{Image(1, 1, vec4(0, 0, 1, 1)), ScalarImage(1, 1, 2.0f), {7}};
  // a is nearer (weight 0.3), b behind it (weight 0.7): b's label, either order.
  CHECK(merge_by_depth(a, b).layer == std::vector<int32_t>{7});
  CHECK(merge_by_depth(b, a).layer == std::vector<int32_t>{7});
  a.color.pixels[0] = vec4(0.9f, 0, 0, 0.9f);
  CHECK(merge_by_depth(a, b).layer == std::vector<int32_t>{5});
  CHECK(merge_by_depth(b, a).layer == std::vector<int32_t>{5});
  b.layer.clear();  // one side without labels: no labels
  CHECK(merge_by_depth(a, b).layer.empty());
}

TEST_CASE("a scene: labels from the nearer item, named item / layer", "[layers]") {
  const Camera camera = Camera::pinhole_fov_y(32, 16, glm::radians(60.0f), mat4(1.0f));
  // A plane over the left half at 2 m; a large Gaussian (layer 0) behind, at 6 m, in the middle.
  Plane wall;
  wall.name = "left";
  wall.origin = vec3(-3.0f, 2.0f, -2.0f);
  wall.u_axis = vec3(3.0f, 0.0f, 0.0f);
  wall.v_axis = vec3(0.0f, -4.0f, 0.0f);
  wall.texture = Image(2, 2, vec4(1, 0, 0, 1));
  PlaneSet planes;
  planes.planes = {wall};
  GaussianCloud cloud;
  add_gaussian(cloud, vec3(0.0f, 0.0f, -6.0f), 1.5f, 0.99f, 0);
  Scene scene;
  scene.items.push_back(SceneItem{"wall", "", mat4(1.0f), planes, {}, std::nullopt});
  scene.items.push_back(SceneItem{"blob", "", mat4(1.0f), cloud, {"sky"}, std::nullopt});
  const PreparedScene prepared = prepare_scene(scene);
  REQUIRE(prepared.label_names.size() == 2);
  CHECK(label_name(prepared, 0) == "wall / left");
  CHECK(label_name(prepared, 1) == "blob / sky");
  CHECK(label_name(prepared, -1) == "none");
  CHECK(render_scene(prepared, camera).layer.empty());
  SceneRenderOptions options;
  options.want_layers = true;
  const RenderOutput out = render_scene(prepared, camera, options);
  REQUIRE(out.layer.size() == size_t(32 * 16));
  CHECK(out.layer[8 * 32 + 14] == 0);  // the plane is in front of the Gaussian
  CHECK(out.layer[8 * 32 + 18] == 1);  // only the Gaussian
  CHECK(out.layer[8 * 32 + 0] == 0);   // only the plane
}

TEST_CASE("the layers view: false colours by label, shaded by alpha", "[layers]") {
  // Neighbouring labels get well-separated colours.
  for (int i = 0; i < 12; ++i)
    for (int j = i + 1; j < 12; ++j) {
      INFO(i << " vs " << j);
      CHECK(glm::length(viewer::layer_color(i) - viewer::layer_color(j)) > 0.1f);
    }
  RenderOutput frame{Image(3, 1), ScalarImage(3, 1), {2, 4, -1}};
  frame.color.pixels = {vec4(0.5f, 0, 0, 1), vec4(0.25f, 0, 0, 0.5f), vec4(0.0f)};
  const vec3 background(0.1f);
  const viewer::Rgba8Image shown = viewer::shade(frame, viewer::ViewMode::kLayers, background);
  const vec3 c0 = viewer::layer_color(2), c1 = glm::mix(background, viewer::layer_color(4), 0.5f);
  CHECK(int(shown.pixels[0]) == int(std::lround(c0.r * 255.0f)));
  CHECK(int(shown.pixels[2]) == int(std::lround(c0.b * 255.0f)));
  CHECK(int(shown.pixels[4]) == int(std::lround(c1.r * 255.0f)));
  CHECK(int(shown.pixels[8]) == int(std::lround(0.1f * 255.0f)));  // nothing: the background
  const auto labels = viewer::labels_shown(frame);
  REQUIRE(labels.size() == 2);
  CHECK(labels[0].first == 2);
  // `strata render --layers`'s image, composited over the background, is what the view shows.
  const viewer::Rgba8Image offline =
      viewer::over_background_8(viewer::layer_false_color(frame), background);
  for (size_t i = 0; i < shown.pixels.size(); ++i)
    CHECK(std::abs(int(offline.pixels[i]) - int(shown.pixels[i])) <= 1);
  CHECK(viewer::layer_false_color(frame).pixels[2] == vec4(0.0f));  // no label: transparent
  // Without labels the view falls back to colour.
  frame.layer.clear();
  CHECK(viewer::shade(frame, viewer::ViewMode::kLayers, background).pixels ==
        viewer::shade(frame, viewer::ViewMode::kColor, background).pixels);
}
