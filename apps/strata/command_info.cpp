// strata info PATH: what a scene, camera path or image holds. strata info --devices: the
// Vulkan devices strata can render on.
#include <cstdio>
#include <filesystem>
#include <string>

#include "apps/strata/backend.h"
#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"
#include "neural/path/camera_path.h"
#include "neural/scene/scene.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

struct InfoOptions {
  std::string path;
  bool devices = false;
};

bool is_camera_path_json(const std::string& path) {
  if (fs::path(path).extension() != ".json" || fs::is_directory(path)) return false;
  const Json json = read_json_file(path);
  if (!json.is_object()) return false;
  if (json.contains("kind") && json["kind"] == "camera_path") return true;
  return json.contains("camera_path") || (json.contains("path") && json["path"].is_array());
}

void print_camera_path(const std::string& path) {
  const CameraPath camera_path = read_camera_path(path);
  Bounds3 positions;
  for (const Keyframe& k : camera_path.keyframes) positions.add(vec3(k.camera_to_world[3]));
  std::printf("%s: camera path, %zu keyframes over %.3g s (%s%s)\n", path.c_str(),
              camera_path.keyframes.size(), camera_path.end_time() - camera_path.start_time(),
              camera_path.interpolation == PathInterpolation::kSmooth ? "smooth" : "linear",
              camera_path.loop ? ", looping" : "");
  std::printf("  positions [%.3g, %.3g, %.3g] .. [%.3g, %.3g, %.3g] m\n", positions.lo.x,
              positions.lo.y, positions.lo.z, positions.hi.x, positions.hi.y, positions.hi.z);
  if (camera_path.width > 0)
    std::printf("  output size %dx%d\n", camera_path.width, camera_path.height);
}

bool print_image(const std::string& path) {
  int w = 0, h = 0, channels = 0, bits = 0;
  if (!read_image_info(path, &w, &h, &channels, &bits)) return false;
  std::printf("%s: image, %dx%d, %d channel%s, %d-bit\n", path.c_str(), w, h, channels,
              channels == 1 ? "" : "s", bits);
  return true;
}

void run_info(const InfoOptions& options);

}  // namespace

void add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command = app.add_subcommand(
      "info", "Print what a scene, camera path or image holds, or list Vulkan devices");
  command->add_option("path", options->path,
                      "planes.json, layers.json, a scene folder, a path.json or an image");
  command->add_flag("--devices", options->devices, "List the Vulkan devices strata can render on");
  command->callback([options] { run_info(*options); });
}

namespace {

void run_info(const InfoOptions& options) {
  if (options.devices) {
    print_vulkan_devices();
    if (options.path.empty()) return;
  }
  if (options.path.empty())
    throw InputError("", "", "strata info needs a PATH or --devices (see --help)");
  std::error_code ec;
  if (!fs::exists(options.path, ec)) throw InputError(options.path, "", "file or folder not found");
  if (is_camera_path_json(options.path)) return print_camera_path(options.path);
  if (!fs::is_directory(options.path, ec) && fs::path(options.path).extension() != ".json" &&
      print_image(options.path))
    return;
  std::fputs(describe(load_scene(options.path)).c_str(), stdout);
}

}  // namespace

}  // namespace strata::cli
