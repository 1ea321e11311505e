// strata export INPUT --out scene.glb|scene.gltf [--cameras DATASET|PATH.json]
//   [--resolution N --threshold T --texture-size S --simplify TRIANGLES] (radiance fields)
#include <cstdio>
#include <filesystem>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/dataset/dataset.h"
#include "neural/gltf/gltf_export.h"
#include "neural/path/camera_path.h"
#include "neural/scene/scene.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

struct ExportOptions {
  std::string input;
  std::string out;
  std::string cameras;
  int path_frames = 60;
  int max_texture = 8192;
  FieldMeshOptions field_mesh;  // radiance fields: marching cubes and texture baking
};

// Cameras from a dataset (train and test views) or from a camera path (sampled frames).
std::vector<Camera> read_cameras(const ExportOptions& o, const Scene& scene) {
  std::error_code ec;
  const bool is_path_json = fs::path(o.cameras).extension() == ".json" &&
                            fs::path(o.cameras).filename().string().rfind("transforms", 0) != 0;
  if (is_path_json) {
    const CameraPath path = read_camera_path(o.cameras);
    int w = path.width, h = path.height;
    if (w == 0 && scene.reference_camera)
      w = scene.reference_camera->width, h = scene.reference_camera->height;
    if (w == 0) w = 640, h = 480;
    return path.sample(o.path_frames, w, h);
  }
  const Dataset dataset = load_dataset(o.cameras);
  std::vector<Camera> cameras;
  for (const auto& f : dataset.train) cameras.push_back(f.camera);
  for (const auto& f : dataset.test) cameras.push_back(f.camera);
  return cameras;
}

void run_export(const ExportOptions& o) {
  const Scene scene = load_scene(o.input);
  GltfExportOptions options;
  options.max_texture_size = o.max_texture;
  options.field_mesh = o.field_mesh;
  options.field_mesh.progress = true;
  options.on_field_mesh = [](const std::string& item, const FieldMesh& m) {
    std::printf(
        "%s: %zu triangles (%zu marched), %zu charts, atlas fill %.1f%%, %dx%d texture, "
        "%.1f s\n",
        item.c_str(), m.mesh.triangle_count(), m.marched_triangles, m.charts, 100.0 * m.atlas_fill,
        m.texture.width, m.texture.height, m.seconds);
  };
  if (!o.cameras.empty()) options.cameras = read_cameras(o, scene);
  const fs::path parent = fs::path(o.out).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec))
    throw InputError(o.out, "--out", "the folder " + parent.string() + " does not exist");
  export_gltf(scene, o.out, options);
  std::printf("exported %s to %s", o.input.c_str(), o.out.c_str());
  if (!options.cameras.empty()) std::printf(" with %zu cameras", options.cameras.size());
  std::printf("\n");
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* command =
      app.add_subcommand("export", "Export a scene to glTF 2.0 (.glb, or .gltf + .bin + PNGs)");
  command
      ->add_option(
          "input", o->input,
          "planes.json, layers.json, a .field, a scene folder or a Stereo Magnification folder")
      ->required();
  command->add_option("--out", o->out, "Output file: scene.glb or scene.gltf")->required();
  command->add_option(
      "--cameras", o->cameras,
      "Also export cameras: a dataset (transforms.json, folder) or a camera path (path.json); a "
      "radiance field's texture then favours the surface they see");
  command
      ->add_option("--path-frames", o->path_frames,
                   "Frames sampled from a camera path for --cameras")
      ->capture_default_str();
  command
      ->add_option("--max-texture", o->max_texture,
                   "Largest texture side; larger ones are downscaled with a warning")
      ->capture_default_str();
  command
      ->add_option("--resolution", o->field_mesh.resolution,
                   "Radiance fields: marching-cubes grid nodes along the longest side of the "
                   "occupied box")
      ->capture_default_str();
  command
      ->add_option("--threshold", o->field_mesh.threshold,
                   "Radiance fields: density (1/metres) of the extracted surface")
      ->capture_default_str();
  command
      ->add_option("--texture-size", o->field_mesh.texture_size,
                   "Radiance fields: baked colour texture side, a power of two")
      ->capture_default_str();
  command
      ->add_option("--simplify", o->field_mesh.target_triangles,
                   "Radiance fields: simplify the mesh to about this many triangles (0: keep all)")
      ->capture_default_str();
  command->callback([o] { run_export(*o); });
}

}  // namespace strata::cli
