// strata render SCENE (--path PATH.json | --orbit) --out DIR: renders a camera path to numbered
// PNGs (and depth on request) with a progress bar and a summary.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <glm/gtc/matrix_transform.hpp>
#include <optional>
#include <string>

#include "apps/strata/backend.h"
#include "apps/strata/commands.h"
#include "apps/viewer/view_mode.h"
#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/progress.h"
#include "neural/path/camera_path.h"
#include "neural/scene/scene.h"
#include "renderer/scene_renderer.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

struct RenderOptions {
  std::string scene;
  std::string path;
  bool orbit = false;
  bool eye = false;
  int frames = -1;  // -1: 60 along a path, 1 for --eye
  std::string out;
  int width = 0, height = 0;
  std::string depth;  // "", "png16" or "exr"
  float depth_scale = 1000.0f;
  bool layers = false;  // also NNNN_layers.png: the dominant layer per pixel in false colour
  BackendChoice backend;
};

// Focus distance for sways around a reference camera: the median depth of the scene's plane
// centres in front of it.
float median_depth(const PlaneSet& planes, const Camera& camera) {
  std::vector<float> depths;
  for (const Plane& p : planes.planes) {
    const float d = glm::dot(p.center() - camera.position(), camera.forward());
    if (d > 0.0f) depths.push_back(d);
  }
  if (depths.empty()) return 1.0f;
  std::nth_element(depths.begin(), depths.begin() + long(depths.size() / 2), depths.end());
  return depths[depths.size() / 2];
}

float nearest_depth(const PlaneSet& planes, const Camera& camera) {
  float nearest = 1e30f;
  for (const Plane& p : planes.planes) {
    const float d = glm::dot(p.center() - camera.position(), camera.forward());
    if (d > 0.0f) nearest = std::min(nearest, d);
  }
  return nearest < 1e30f ? nearest : 1.0f;
}

// The path --orbit makes: a sway around the reference camera when the scene has one (MPIs and
// posed planes are made for a view and fall apart seen from behind), else a circle around the
// scene's bounds.
CameraPath default_path(const Scene& scene, const PlaneSet& planes) {
  if (scene.reference_camera && scene.reference_camera->projection == Projection::kEquirectangular)
    return look_around_path(scene.reference_camera->camera_to_world, 0.15f, 8, 75.0f, 960, 540);
  if (scene.reference_camera && scene.reference_camera->projection == Projection::kPinhole) {
    const Camera& ref = *scene.reference_camera;
    return wiggle_path(ref, median_depth(planes, ref), 0.06f * nearest_depth(planes, ref), 8);
  }
  const GaussianCloud gaussians = scene_gaussians(scene);
  bool has_field = false;
  for (const SceneItem& item : scene.items)
    has_field |= std::holds_alternative<RadianceField>(item.content) ||
                 std::holds_alternative<ShellVolume>(item.content);  // orbit them too
  if (!planes.planes.empty() || has_field || gaussians.empty())
    return orbit_path(scene.bounds(), 12, 50.0f);
  // A 3DGS capture: the box of the central 80 % of the means on each axis (captures have far
  // outliers), and y pointing down as in COLMAP frames — the orbit is turned 180 degrees about
  // the z axis through the centre so that the picture is upright.
  Bounds3 core;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<float> v(gaussians.size());
    for (size_t i = 0; i < v.size(); ++i) v[i] = gaussians.positions[i][axis];
    std::sort(v.begin(), v.end());
    core.lo[axis] = v[v.size() / 10];
    core.hi[axis] = v[v.size() - 1 - v.size() / 10];
  }
  CameraPath path = orbit_path(core, 12, 50.0f);
  const vec3 c = core.center();
  const mat4 turn = glm::translate(mat4(1.0f), c) * glm::rotate(mat4(1.0f), kPi, vec3(0, 0, 1)) *
                    glm::translate(mat4(1.0f), -c);
  for (Keyframe& k : path.keyframes) k.camera_to_world = turn * k.camera_to_world;
  return path;
}

void run_render(const RenderOptions& o) {
  if (int(!o.path.empty()) + int(o.orbit) + int(o.eye) != 1)
    throw InputError("", "--path/--orbit/--eye",
                     "give exactly one of --path PATH.json, --orbit or --eye");
  if (o.frames == 0 || o.frames < -1) throw InputError("", "--frames", "expected at least 1 frame");
  const int frames = o.frames > 0 ? o.frames : (o.eye ? 1 : 60);
  if ((o.width > 0) != (o.height > 0))
    throw InputError("", "--width/--height", "give both or neither");
  const Scene scene = load_scene(o.scene);
  const PlaneSet planes = scene_planes(scene);
  if (o.eye && !scene.reference_camera)
    throw InputError(o.scene, "--eye",
                     "the scene has no reference camera (an eye or a reference view)");
  const CameraPath camera_path = o.eye     ? CameraPath{}
                                 : o.orbit ? default_path(scene, planes)
                                           : read_camera_path(o.path);
  int width = o.width, height = o.height;
  if (width == 0 && camera_path.width > 0) width = camera_path.width, height = camera_path.height;
  if (width == 0 && scene.reference_camera)
    width = scene.reference_camera->width, height = scene.reference_camera->height;
  if (width == 0) width = 640, height = 480;
  if (width > 16384 || height > 16384)
    throw InputError("", "--width/--height", "expected at most 16384 pixels a side");

  ensure_writable_directory(o.out);
  auto renderer = make_renderer(o.backend, scene);
  renderer->set_scene(scene);
  // Layer labels come from the CPU reference only (the Vulkan shaders output none yet).
  std::unique_ptr<SceneRenderer> labeller;
  if (o.layers) {
    labeller = make_cpu_renderer();
    labeller->set_scene(scene);
  }
  // --eye: the reference camera itself (a panorama's equirectangular eye, an MPI's view).
  const std::vector<Camera> cameras =
      o.eye ? std::vector<Camera>(size_t(frames), scene.reference_camera->resized(width, height))
            : camera_path.sample(frames, width, height);

  ProgressBar progress("render", cameras.size());
  for (size_t i = 0; i < cameras.size(); ++i) {
    const RenderOutput frame = renderer->render(cameras[i]);
    char name[32];
    std::snprintf(name, sizeof(name), "%04zu", i);
    const fs::path base = fs::path(o.out) / name;
    write_png(base.string() + ".png", frame.color);
    if (o.depth == "png16") write_png16(base.string() + "_depth.png", frame.depth, o.depth_scale);
    if (o.depth == "exr") write_exr(base.string() + "_depth.exr", frame.depth);
    if (labeller)
      write_png(base.string() + "_layers.png",
                viewer::layer_false_color(labeller->render_layers(cameras[i])));
    progress.update(i + 1);
  }
  progress.finish();
  if (!o.eye) write_camera_path((fs::path(o.out) / "path.json").string(), camera_path);
  const double seconds = progress.elapsed_seconds();
  std::printf("rendered %zu frames of %dx%d with %s in %.2f s (%.1f ms/frame)\n", cameras.size(),
              width, height, renderer->name().c_str(), seconds,
              1000.0 * seconds / double(cameras.size()));
  std::printf("frames: %s/0000.png .. %04zu.png%s", o.out.c_str(), cameras.size() - 1,
              o.depth.empty() ? "" : (o.depth == "exr" ? " (+ _depth.exr)" : " (+ _depth.png)"));
  if (o.layers) std::printf(" (+ _layers.png)");
  if (!o.eye) std::printf("; camera path: %s/path.json", o.out.c_str());
  std::printf("\n");
}

}  // namespace

void add_render_command(CLI::App& app) {
  auto o = std::make_shared<RenderOptions>();
  CLI::App* command =
      app.add_subcommand("render", "Render a scene along a camera path to numbered PNGs");
  command
      ->add_option(
          "scene", o->scene,
          "planes.json, layers.json, or a folder holding one (or a Stereo Magnification result)")
      ->required();
  command->add_option(
      "--path", o->path,
      "Camera path: strata path.json, nerfstudio camera_path.json or instant-ngp base_cam.json");
  command->add_flag(
      "--orbit", o->orbit,
      "Make a path: a sway around the scene's reference camera, or a circle around its bounds");
  command->add_flag("--eye", o->eye,
                    "Render the scene's reference camera: a panorama's equirectangular eye, an "
                    "MPI's reference view");
  command->add_option("--frames", o->frames,
                      "Number of frames spread over the path (default 60; 1 with --eye)");
  command->add_option("--out", o->out, "Output folder (created if missing)")->required();
  command->add_option(
      "--width", o->width,
      "Frame width in pixels (default: the path's, else the scene's reference camera)");
  command->add_option("--height", o->height, "Frame height in pixels");
  command
      ->add_option("--depth", o->depth,
                   "Also write expected depth: png16 (depth x scale, 16-bit) or exr (metres)")
      ->check(CLI::IsMember({"png16", "exr"}));
  command->add_option("--depth-scale", o->depth_scale, "png16 units per metre")
      ->capture_default_str();
  command->add_flag("--layers", o->layers,
                    "Also write each pixel's dominant layer in false colour (NNNN_layers.png, "
                    "drawn by the CPU reference), as the viewer's layers view shows it");
  add_backend_options(*command, o->backend);
  command->callback([o] { run_render(*o); });
}

}  // namespace strata::cli
