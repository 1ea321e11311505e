#include "neural/fit/fit_views.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <utility>

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

namespace {

// A blended camera pairs a random camera with one of this many nearest others.
constexpr size_t kBlendNeighbours = 6;

// The point nearest every camera's optical axis (least squares), when the cameras look at one: an
// orbit around an object. Empty for rigs whose axes are near parallel (forward-facing) or that
// have the point behind a camera.
std::optional<vec3> centre_of_attention(const std::vector<Camera>& cameras) {
  if (cameras.size() < 2) return std::nullopt;
  mat3 a(0.0f);
  vec3 b(0.0f);
  for (const Camera& c : cameras) {
    const vec3 d = c.forward();
    const mat3 off_axis = mat3(1.0f) - glm::outerProduct(d, d);
    a += off_axis;
    b += off_axis * c.position();
  }
  // Near-parallel axes leave `a` close to rank 2: the point would sit far away and be ill-defined.
  const float scale = (a[0][0] + a[1][1] + a[2][2]) / 3.0f;
  if (!(glm::determinant(a) > 1e-3f * scale * scale * scale)) return std::nullopt;
  const vec3 centre = glm::inverse(a) * b;
  for (const Camera& c : cameras)
    if (glm::dot(centre - c.position(), c.forward()) <= 0.0f) return std::nullopt;
  return centre;
}

// Unit vectors a and b blended along the great circle between them.
vec3 slerp_direction(vec3 a, vec3 b, float t) {
  const float cosine = glm::clamp(glm::dot(a, b), -1.0f, 1.0f);
  const float angle = std::acos(cosine);
  if (angle < 1e-4f) return glm::normalize(glm::mix(a, b, t));
  return (std::sin((1.0f - t) * angle) * a + std::sin(t * angle) * b) / std::sin(angle);
}

}  // namespace

std::vector<Camera> cameras_around(const std::vector<Camera>& cameras, int count, float jitter,
                                   uint64_t seed, int width, int height) {
  if (cameras.empty())
    throw InputError("", "cameras", "expected at least one camera to sample around");
  if (count < 1) throw InputError("", "--views", "expected a view count >= 1");
  // Each camera's nearest others: a blend pairs neighbours, so that it stays among the cameras
  // (two cameras across an orbit would blend to a view from inside the scene). The spacing the
  // jitter is relative to: the mean distance to the nearest other camera.
  const size_t n = cameras.size();
  const size_t neighbours = std::min<size_t>(kBlendNeighbours, n - 1);
  std::vector<std::vector<size_t>> nearest(n);
  float spacing = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::pair<float, size_t>> by_distance;
    for (size_t j = 0; j < n; ++j)
      if (j != i)
        by_distance.emplace_back(glm::distance(cameras[i].position(), cameras[j].position()), j);
    std::partial_sort(by_distance.begin(), by_distance.begin() + ptrdiff_t(neighbours),
                      by_distance.end());
    for (size_t k = 0; k < neighbours; ++k) nearest[i].push_back(by_distance[k].second);
    if (neighbours > 0) spacing += by_distance[0].first / float(n);
  }
  const std::optional<vec3> centre = centre_of_attention(cameras);

  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Camera base = cameras[0];
  if (width > 0 && height > 0) base = base.resized(width, height);
  std::vector<Camera> out;
  for (int k = 0; k < count; ++k) {
    const size_t ia = size_t(rng() % n);
    const size_t ib = neighbours == 0 ? ia : nearest[ia][size_t(rng() % neighbours)];
    const Camera& a = cameras[ia];
    const Camera& b = cameras[ib];
    const float t = unit(rng);
    const quat qa = glm::quat_cast(mat3(a.camera_to_world));
    const quat qb = glm::quat_cast(mat3(b.camera_to_world));
    const quat q = glm::slerp(qa, glm::dot(qa, qb) < 0.0f ? -qb : qb, t);
    vec3 eye;
    if (centre) {
      // Around an orbit's centre: along the sphere between the two, not along the chord.
      const vec3 ua = a.position() - *centre, ub = b.position() - *centre;
      const float ra = glm::length(ua), rb = glm::length(ub);
      eye = *centre + glm::mix(ra, rb, t) * slerp_direction(ua / ra, ub / rb, t);
    } else {
      eye = glm::mix(a.position(), b.position(), t);
    }
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
