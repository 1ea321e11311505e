#include "neural/panorama/gaussian_panorama.h"

#include <cmath>
#include <filesystem>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"
#include "neural/gaussians/gaussian_io.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

constexpr int kPanoramaVersion = 1;

// Rotation taking local z to `axis` (unit), as a quaternion (w, x, y, z).
quat rotation_to(vec3 x_axis, vec3 y_axis, vec3 z_axis) {
  return glm::quat_cast(mat3(x_axis, y_axis, z_axis));
}

ScalarImage read_depth(const JsonView& entry, const fs::path& folder, const Camera& eye) {
  const std::string file = (folder / entry.at("depth").string()).string();
  ScalarImage depth;
  if (fs::path(file).extension() == ".exr") {
    depth = read_exr_channel(file, 0);
  } else {
    const float scale = float(entry.number_or("depth_scale", 1000.0));
    if (!(scale > 0.0f))
      entry.at("depth_scale").fail("expected a positive number of units per metre");
    depth = read_image_channel(file, 0);
    for (float& v : depth.values) v = v * 65535.0f / scale;
  }
  if (depth.width != eye.width || depth.height != eye.height)
    throw InputError(file, "",
                     "is " + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                         ", the panorama is " + std::to_string(eye.width) + "x" +
                         std::to_string(eye.height));
  return depth;
}

Image read_color(const std::string& file, const Camera& eye) {
  Image image = read_image(file);
  if (image.width != eye.width || image.height != eye.height)
    throw InputError(file, "",
                     "is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         ", the panorama is " + std::to_string(eye.width) + "x" +
                         std::to_string(eye.height));
  return image;
}

}  // namespace

GaussianCloud lift_panorama_layer(const PanoramaLayer& layer, const Camera& eye, uint16_t layer_id,
                                  const LiftOptions& options) {
  GaussianCloud cloud;
  const int w = layer.color.width, h = layer.color.height;
  auto has_content = [&](int x, int y) {
    const float r = layer.depth.at(x, y);
    return layer.color.at(x, y).a > 0.0f && r > 0.0f && std::isfinite(r);
  };
  size_t count = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) count += has_content(x, y);
  cloud.resize(count);
  size_t i = 0;
  const mat3 rotation = mat3(eye.camera_to_world);
  const vec3 origin = eye.position();
  for (int y = 0; y < h; ++y) {
    // The pixel's angular size: 2pi/w across (shrinking with the cosine of the latitude) and
    // pi/h down.
    const float latitude = (0.5f - (y + 0.5f) / float(h)) * kPi;
    const float across = 2.0f * kPi / float(w) * std::max(std::cos(latitude), 0.5f / float(w));
    const float down = kPi / float(h);
    for (int x = 0; x < w; ++x) {
      if (!has_content(x, y)) continue;
      const vec4 c = layer.color.at(x, y);
      const float r = layer.depth.at(x, y);
      const vec3 d_cam = eye.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
      const vec3 d = rotation * d_cam;
      // Local frame: x along increasing longitude, y along increasing latitude, z the ray.
      const vec3 east_cam = glm::normalize(vec3(-d_cam.z, 0.0f, d_cam.x) + vec3(1e-12f, 0, 0));
      const vec3 north_cam = glm::cross(d_cam, east_cam);
      const vec3 sx(options.footprint * across * r, options.footprint * down * r, 0.0f);
      cloud.positions[i] = origin + r * d;
      cloud.log_scales[i] = glm::log(vec3(sx.x, sx.y, options.thickness * std::min(sx.x, sx.y)));
      cloud.rotations[i] = rotation_to(rotation * east_cam, rotation * north_cam, d);
      cloud.opacity_logits[i] = logit_from_opacity(std::min(options.opacity * c.a, 0.999f));
      const vec3 straight = vec3(c) / c.a;
      cloud.sh_at(i, 0) = (straight - 0.5f) / float(kShC0);
      cloud.layers[i] = layer_id;
      ++i;
    }
  }
  return cloud;
}

std::vector<PanoramaLayer> read_panorama_layers(const std::string& folder_path, Camera* eye) {
  const fs::path folder(folder_path);
  const std::string file = (folder / "pano.json").string();
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  mat4 pose(1.0f);
  if (root.has("camera_to_world")) {
    pose = root.at("camera_to_world").matrix4();
  } else if (root.has("eye")) {
    pose[3] = vec4(root.at("eye").vector3(), 1.0f);
  } else {
    root.fail("expected camera_to_world or eye");
  }
  if (root.has("projection") && root.at("projection").string() != "equirectangular")
    root.at("projection").fail("expected \"equirectangular\"");
  std::vector<PanoramaLayer> layers;
  std::error_code ec;
  if (root.has("layers")) {
    const JsonView list = root.at("layers");
    if (list.array_size() == 0) list.fail("expected at least one layer");
    for (size_t i = 0; i < list.array_size(); ++i) {
      const JsonView entry = list.at(i);
      PanoramaLayer layer;
      layer.name = entry.string_or("name", "layer_" + std::to_string(i));
      layer.color = read_image((folder / entry.at("image").string()).string());
      if (i == 0) *eye = Camera::equirectangular(layer.color.width, layer.color.height, pose);
      layer.color = read_color((folder / entry.at("image").string()).string(), *eye);
      layer.depth = read_depth(entry, folder, *eye);
      layers.push_back(std::move(layer));
    }
    return layers;
  }
  // The room_pano layout: full panorama and its background, foreground derived from depth.
  const std::string full_path = (folder / "pano_full.png").string();
  const Image full = read_image(full_path);
  *eye = Camera::equirectangular(full.width, full.height, pose);
  PanoramaLayer background{
      "background", read_color((folder / "pano_background.png").string(), *eye),
      read_exr_channel((folder / "pano_background_depth_0001.exr").string(), 0)};
  const ScalarImage full_depth =
      read_exr_channel((folder / "pano_full_depth_0001.exr").string(), 0);
  if (background.depth.width != eye->width || full_depth.width != eye->width ||
      background.depth.height != eye->height || full_depth.height != eye->height)
    throw InputError(folder_path, "", "depth maps differ in size from pano_full.png");
  PanoramaLayer foreground{"foreground", Image(eye->width, eye->height), full_depth};
  for (size_t i = 0; i < full.pixels.size(); ++i) {
    const float front = full_depth.values[i], back = background.depth.values[i];
    if (front < back * 0.98f - 0.02f) foreground.color.pixels[i] = full.pixels[i];
  }
  layers.push_back(std::move(background));
  layers.push_back(std::move(foreground));
  return layers;
}

GaussianPanorama build_gaussian_panorama(const std::string& folder, const LiftOptions& options) {
  GaussianPanorama panorama;
  const std::vector<PanoramaLayer> layers = read_panorama_layers(folder, &panorama.eye);
  for (size_t i = 0; i < layers.size(); ++i) {
    panorama.layers.push_back(layers[i].name);
    panorama.cloud.append(lift_panorama_layer(layers[i], panorama.eye, uint16_t(i), options));
  }
  if (panorama.cloud.empty())
    throw InputError(folder, "", "no pixel with content and a valid depth");
  return panorama;
}

void save_gaussian_panorama(const GaussianPanorama& panorama, const std::string& folder) {
  ensure_writable_directory(folder);
  Json list = Json::array();
  for (size_t id = 0; id < panorama.layers.size(); ++id) {
    GaussianCloud layer = panorama.cloud;
    std::vector<bool> keep(layer.size());
    for (size_t i = 0; i < layer.size(); ++i) keep[i] = layer.layers[i] == id;
    layer.filter(keep);
    const std::string name = "layer_" + std::to_string(id) + ".ply";
    write_gaussian_ply((fs::path(folder) / name).string(), layer);
    list.push_back({{"name", panorama.layers[id]}, {"file", name}, {"count", layer.size()}});
  }
  Json root = {{"version", kPanoramaVersion},
               {"kind", "gaussian_panorama"},
               {"eye", camera_to_json(panorama.eye)},
               {"layers", list}};
  write_json_file((fs::path(folder) / "panorama.json").string(), root);
}

GaussianPanorama load_gaussian_panorama(const std::string& path) {
  std::error_code ec;
  const std::string file =
      fs::is_directory(path, ec) ? (fs::path(path) / "panorama.json").string() : path;
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  if (root.string_or("kind", "") != "gaussian_panorama")
    root.at("kind").fail("expected \"gaussian_panorama\"");
  if (root.integer_or("version", kPanoramaVersion) != kPanoramaVersion)
    root.at("version").fail("expected version " + std::to_string(kPanoramaVersion));
  GaussianPanorama panorama;
  panorama.eye = read_camera(root.at("eye"));
  const JsonView list = root.at("layers");
  if (list.array_size() == 0) list.fail("expected at least one layer");
  for (size_t id = 0; id < list.array_size(); ++id) {
    const JsonView entry = list.at(id);
    panorama.layers.push_back(entry.string_or("name", "layer_" + std::to_string(id)));
    GaussianCloud layer =
        load_gaussian_cloud((fs::path(file).parent_path() / entry.at("file").string()).string());
    std::fill(layer.layers.begin(), layer.layers.end(), uint16_t(id));
    panorama.cloud.append(layer);
  }
  return panorama;
}

}  // namespace strata
