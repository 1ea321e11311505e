#include "neural/dataset/dataset.h"

#include <cmath>
#include <filesystem>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/dataset/dataset_internal.h"

namespace strata {

namespace fs = std::filesystem;

bool orthonormalise_pose(mat4& m) {
  vec3 x(m[0]), y(m[1]), z(m[2]);
  const float det = glm::determinant(mat3(x, y, z));
  if (!(std::abs(det) > 1e-8f)) return false;
  x = glm::normalize(x);
  y = glm::normalize(y - glm::dot(y, x) * x);
  z = glm::cross(x, y) * (det > 0.0f ? 1.0f : -1.0f);
  m[0] = vec4(x, 0.0f);
  m[1] = vec4(y, 0.0f);
  m[2] = vec4(z, 0.0f);
  m[3].w = 1.0f;
  return true;
}

mat4 checked_pose(const JsonView& view) {
  mat4 m = view.matrix4();
  if (std::abs(m[0][3]) > 1e-6f || std::abs(m[1][3]) > 1e-6f || std::abs(m[2][3]) > 1e-6f ||
      std::abs(m[3][3] - 1.0f) > 1e-6f)
    view.fail("expected a rigid camera-to-world matrix with bottom row [0, 0, 0, 1]");
  if (!orthonormalise_pose(m)) view.fail("the rotation part is singular (determinant 0)");
  return m;
}

Camera scale_camera(const Camera& camera, int factor) {
  if (factor <= 1) return camera;
  Camera c = camera;
  const float f = float(factor);
  c.width = camera.width / factor;
  c.height = camera.height / factor;
  c.fx /= f;
  c.fy /= f;
  c.cx /= f;
  c.cy /= f;
  return c;
}

Dataset load_dataset(const std::string& path, const DatasetOptions& options) {
  if (options.downscale < 1) throw InputError(path, "--downscale", "expected an integer >= 1");
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "dataset not found");
  Dataset d;
  if (fs::is_directory(path, ec)) {
    const fs::path folder(path);
    auto file = [&](const char* name) { return (folder / name).string(); };
    if (fs::exists(file("transforms_train.json"), ec)) {
      std::vector<std::string> test;
      if (fs::exists(file("transforms_test.json"), ec)) {
        test.push_back(file("transforms_test.json"));
      } else if (fs::exists(file("transforms_val.json"), ec)) {
        test.push_back(file("transforms_val.json"));
      }
      d = load_transforms_json({file("transforms_train.json")}, test, path, options);
    } else if (fs::exists(file("transforms.json"), ec)) {
      d = load_transforms_json_single(file("transforms.json"), options);
    } else if (fs::exists(file("poses_bounds.npy"), ec)) {
      d = load_llff(path, options);
    } else {
      throw InputError(path, "",
                       "no dataset here: expected transforms_train.json (+ transforms_test.json), "
                       "transforms.json "
                       "or poses_bounds.npy");
    }
  } else if (fs::path(path).extension() == ".npy") {
    d = load_llff(fs::path(path).parent_path().string(), options);
  } else {
    const std::string name = fs::path(path).filename().string();
    if (name == "transforms_train.json") {
      return load_dataset(fs::path(path).parent_path().string(), options);
    }
    d = load_transforms_json_single(path, options);
  }
  if (d.skipped_frames > 0)
    warn(path + ": skipped " + std::to_string(d.skipped_frames) +
         " frame(s) whose image file is missing");
  if (d.train.empty() && d.test.empty())
    throw InputError(path, "frames", "the dataset has no usable frame");
  if (d.train.empty()) throw InputError(path, "frames", "the dataset has no training frame");
  return d;
}

Image load_frame_image(const DatasetFrame& frame) {
  Image image = read_image(frame.image_path);
  if (frame.downscale > 1) image = downsample(image, frame.downscale);
  if (image.width != frame.camera.width || image.height != frame.camera.height)
    throw InputError(frame.image_path, "",
                     "is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         " at this scale, but its camera expects " +
                         std::to_string(frame.camera.width) + "x" +
                         std::to_string(frame.camera.height));
  return image;
}

}  // namespace strata
