#include "neural/planes/stereo_magnification.h"

#include <cstdio>
#include <filesystem>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/planes/fronto_parallel_mpi.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
std::string layer_file(const std::string& folder, const char* kind, int index) {
  char name[64];
  std::snprintf(name, sizeof(name), "mpi_%s_%02d.png", kind, index);
  return (fs::path(folder) / name).string();
}
}  // namespace

bool is_stereo_magnification_folder(const std::string& folder) {
  std::error_code ec;
  return fs::is_directory(folder, ec) && fs::exists(layer_file(folder, "rgb", 0), ec);
}

PlaneSet import_stereo_magnification(const std::string& folder,
                                     const StereoMagnificationOptions& options) {
  if (!is_stereo_magnification_folder(folder))
    throw InputError(folder, "",
                     "not a Stereo Magnification result folder (expected mpi_rgb_00.png)");
  if (!(options.near_depth > 0.0f && options.far_depth > options.near_depth))
    throw InputError(folder, "near/far", "expected 0 < near < far");
  int count = 0;
  std::error_code ec;
  while (fs::exists(layer_file(folder, "rgb", count), ec)) ++count;

  std::vector<Image> layers;
  for (int i = 0; i < count; ++i) {
    const std::string rgb_path = layer_file(folder, "rgb", i),
                      alpha_path = layer_file(folder, "alpha", i);
    Image rgb = read_image(rgb_path);
    const ScalarImage alpha = read_image_channel(alpha_path, 0);
    if (alpha.width != rgb.width || alpha.height != rgb.height)
      throw InputError(alpha_path, "",
                       "is " + std::to_string(alpha.width) + "x" + std::to_string(alpha.height) +
                           " but " + rgb_path + " is " + std::to_string(rgb.width) + "x" +
                           std::to_string(rgb.height));
    if (!layers.empty() && (rgb.width != layers[0].width || rgb.height != layers[0].height))
      throw InputError(rgb_path, "", "differs in size from mpi_rgb_00.png");
    const bool opaque = options.back_layer_opaque && i == 0;
    for (size_t k = 0; k < rgb.pixels.size(); ++k) {
      const float a = opaque ? 1.0f : alpha.values[k];
      rgb.pixels[k] = vec4(vec3(rgb.pixels[k]) * a, a);  // rgb files are opaque: straight colour
    }
    layers.push_back(std::move(rgb));
  }
  const int width = layers[0].width - 2 * options.padding,
            height = layers[0].height - 2 * options.padding;
  if (width <= 0 || height <= 0)
    throw InputError(folder, "padding",
                     "a padding of " + std::to_string(options.padding) +
                         " pixels leaves no image of the " + std::to_string(layers[0].width) + "x" +
                         std::to_string(layers[0].height) + " MPI");
  Camera reference;
  reference.width = width;
  reference.height = height;
  reference.fx = reference.fy = options.focal_fraction * float(width);
  reference.cx = 0.5f * float(width);
  reference.cy = 0.5f * float(height);

  PlaneSet set;
  set.reference_camera = reference;
  const std::vector<float> depths =
      inverse_depth_spacing(options.near_depth, options.far_depth, count);
  for (int i = 0; i < count; ++i) {
    Plane p = fronto_parallel_plane(reference, depths[size_t(i)], float(options.padding));
    char name[32];
    std::snprintf(name, sizeof(name), "mpi_%02d", i);
    p.name = name;
    p.texture = std::move(layers[size_t(i)]);
    set.planes.push_back(std::move(p));
  }
  return set;
}

}  // namespace strata
