#include "neural/fit/fit_views.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "neural/core/error.h"
#include "neural/core/progress.h"
#include "neural/scene/scene_render.h"

namespace strata {

std::vector<FitView> dataset_views(const std::vector<DatasetFrame>& frames, bool progress) {
  std::vector<FitView> views;
  views.reserve(frames.size());
  std::unique_ptr<ProgressBar> bar;
  if (progress && !frames.empty()) bar = std::make_unique<ProgressBar>("images", frames.size());
  for (const DatasetFrame& f : frames) {
    FitView v;
    v.name = std::filesystem::path(f.image_path).stem().string();
    v.camera = f.camera;
    v.image = load_frame_image(f);
    views.push_back(std::move(v));
    if (bar) bar->update(views.size());
  }
  if (bar) bar->finish();
  return views;
}

Dataset load_pinhole_dataset(const std::string& path, int downscale, int test_every,
                             const std::string& representation) {
  Dataset dataset = load_dataset(path, DatasetOptions{downscale, test_every});
  if (dataset.train.empty()) throw InputError(path, "frames", "the dataset has no training views");
  for (const DatasetFrame& f : dataset.train)
    if (f.camera.projection != Projection::kPinhole)
      throw InputError(path, "camera", "expected pinhole cameras for " + representation);
  return dataset;
}

std::vector<Camera> frame_cameras(const std::vector<DatasetFrame>& frames) {
  std::vector<Camera> cameras;
  for (const DatasetFrame& f : frames) cameras.push_back(f.camera);
  return cameras;
}

int reference_camera_index(const std::vector<Camera>& cameras) {
  vec3 centre(0.0f);
  for (const Camera& c : cameras) centre += c.position() / float(cameras.size());
  int best = 0;
  float best_distance = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < cameras.size(); ++i) {
    const float d = glm::distance(cameras[i].position(), centre);
    if (d < best_distance) {
      best_distance = d;
      best = int(i);
    }
  }
  return best;
}

std::vector<Camera> cameras_around(const std::vector<Camera>& cameras, int count, float jitter,
                                   uint64_t seed, int width, int height) {
  if (cameras.empty())
    throw InputError("", "cameras", "expected at least one camera to sample around");
  if (count < 1) throw InputError("", "--views", "expected a view count >= 1");
  // The spacing that the jitter is relative to: mean distance to the nearest other camera.
  float spacing = 0.0f;
  for (size_t i = 0; i < cameras.size(); ++i) {
    float nearest = std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < cameras.size(); ++j)
      if (j != i)
        nearest = std::min(nearest, glm::distance(cameras[i].position(), cameras[j].position()));
    if (std::isfinite(nearest)) spacing += nearest / float(cameras.size());
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Camera base = cameras[0];
  if (width > 0 && height > 0) base = base.resized(width, height);
  std::vector<Camera> out;
  for (int k = 0; k < count; ++k) {
    const Camera& a = cameras[size_t(rng() % cameras.size())];
    const Camera& b = cameras[size_t(rng() % cameras.size())];
    const float t = unit(rng);
    const quat qa = glm::quat_cast(mat3(a.camera_to_world));
    const quat qb = glm::quat_cast(mat3(b.camera_to_world));
    const quat q = glm::slerp(qa, glm::dot(qa, qb) < 0.0f ? -qb : qb, t);
    vec3 eye = glm::mix(a.position(), b.position(), t);
    eye += jitter * spacing * vec3(normal(rng), normal(rng), normal(rng)) / std::sqrt(3.0f);
    Camera c = base;
    c.camera_to_world = mat4(glm::mat3_cast(glm::normalize(q)));
    c.camera_to_world[3] = vec4(eye, 1.0f);
    out.push_back(c);
  }
  return out;
}

std::vector<Camera> cameras_along_path(const CameraPath& path, int count, int width, int height) {
  return path.sample(count, width, height);
}

std::vector<Camera> conversion_cameras(const std::vector<Camera>& train_cameras,
                                       const std::string& path_file, int views, float jitter,
                                       uint64_t seed) {
  if (!path_file.empty())
    return cameras_along_path(read_camera_path(path_file), std::max(views, 1),
                              train_cameras[0].width, train_cameras[0].height);
  std::vector<Camera> cameras = train_cameras;
  if (views > 0) {
    const std::vector<Camera> around = cameras_around(train_cameras, views, jitter, seed);
    cameras.insert(cameras.end(), around.begin(), around.end());
  }
  return cameras;
}

std::vector<FitView> teacher_views(const Scene& teacher, const std::vector<Camera>& cameras,
                                   const std::string& prefix, bool progress) {
  const PreparedScene prepared = prepare_scene(teacher);
  std::vector<FitView> views;
  std::unique_ptr<ProgressBar> bar;
  if (progress && !cameras.empty())
    bar = std::make_unique<ProgressBar>("teacher views", cameras.size());
  for (size_t i = 0; i < cameras.size(); ++i) {
    FitView v;
    v.name = prefix + "_" + std::to_string(i);
    v.camera = cameras[i];
    v.image = render_scene(prepared, cameras[i]).color;
    views.push_back(std::move(v));
    if (bar) bar->update(i + 1);
  }
  if (bar) bar->finish();
  return views;
}

}  // namespace strata
