// Camera path generators: an orbit around a scene's bounds, an LLFF-style spiral and a
// forward-facing wiggle around a reference camera. All loop, with keyframes 1 s apart.
#include <cmath>
#include <string>

#include "neural/core/error.h"
#include "neural/path/camera_path.h"
#include "neural/path/rigid_pose.h"

namespace strata {

namespace {

// How much farther than the tightest fit the orbit camera stands, so the scene keeps a border
// and the small deviation of the spline between keyframes never clips it.
constexpr float kOrbitMargin = 1.1f;

void require(bool ok, const std::string& field, const std::string& problem) {
  if (!ok) throw InputError("", field, problem);
}

// The reference camera's axes (orthonormalised) and position.
struct Frame {
  vec3 right, up, forward, position;
};

Frame reference_frame(const Camera& reference) {
  require(reference.projection == Projection::kPinhole, "reference camera",
          "expected a pinhole camera");
  reference.validate("reference camera");
  const std::string problem = path_internal::pose_problem(reference.camera_to_world);
  require(problem.empty(), "reference camera.camera_to_world", problem);
  const mat4 pose = path_internal::rigid_pose(reference.camera_to_world);
  return Frame{vec3(pose[0]), vec3(pose[1]), -vec3(pose[2]), vec3(pose[3])};
}

// A looping path through `poses`, 1 s apart, with the reference camera's fov and size.
CameraPath looping_path(const std::vector<mat4>& poses, float fov_y_deg, int width, int height) {
  CameraPath path;
  path.interpolation = PathInterpolation::kSmooth;
  path.loop = true;
  path.width = width;
  path.height = height;
  for (size_t i = 0; i < poses.size(); ++i)
    path.keyframes.push_back({double(i), poses[i], fov_y_deg});
  path.validate("generated camera path");
  return path;
}

// Focus distance, radius and keyframe count shared by the spiral and the wiggle.
void check_sway(float focus_depth, float radius, int keyframes, int min_keyframes) {
  require(std::isfinite(focus_depth) && focus_depth > 0.0f, "focus_depth",
          "expected a positive distance in metres");
  require(std::isfinite(radius) && radius > 0.0f, "radius", "expected a positive radius in metres");
  require(radius < focus_depth, "radius",
          "expected a radius smaller than the focus distance, so the camera never reaches the "
          "point it looks at");
  require(keyframes >= min_keyframes, "keyframes",
          "expected at least " + std::to_string(min_keyframes) + " keyframes, got " +
              std::to_string(keyframes));
}

}  // namespace

CameraPath orbit_path(const Bounds3& bounds, int keyframes, float fov_y_deg, float elevation_deg) {
  require(!bounds.empty(), "bounds", "cannot orbit an empty scene (no bounds)");
  require(all_finite(bounds.lo) && all_finite(bounds.hi), "bounds", "expected finite bounds");
  // Fewer keyframes make the spline cut corners: with 6 it stays within about 1 degree of looking
  // at the centre, well inside the margin.
  require(keyframes >= 6, "keyframes",
          "expected at least 6 keyframes for an orbit, got " + std::to_string(keyframes));
  require(std::isfinite(fov_y_deg) && fov_y_deg > 0.0f && fov_y_deg < 180.0f, "fov_y_deg",
          "expected a vertical field of view in degrees in (0, 180)");
  require(std::isfinite(elevation_deg) && std::abs(elevation_deg) < 89.0f, "elevation_deg",
          "expected an elevation in degrees within (-89, 89)");
  const vec3 center = bounds.center();
  float radius = 0.5f * glm::length(bounds.extent());  // the bounding sphere holds the box
  if (!(radius > 0.0f)) radius = 1.0f;                 // a single point: orbit at 1 m
  // A sphere of radius r fits a cone of half-angle a from distance r / sin(a). The vertical half
  // fov is used: the horizontal one is at least as wide for landscape or square output.
  const float half_fov = 0.5f * glm::radians(fov_y_deg);
  const float distance = kOrbitMargin * radius / std::sin(half_fov);
  const float elevation = glm::radians(elevation_deg);
  std::vector<mat4> poses;
  for (int i = 0; i < keyframes; ++i) {
    const float azimuth = 2.0f * kPi * float(i) / float(keyframes);
    const vec3 direction(std::cos(elevation) * std::sin(azimuth), std::sin(elevation),
                         std::cos(elevation) * std::cos(azimuth));
    poses.push_back(look_at(center + distance * direction, center, vec3(0, 1, 0)));
  }
  return looping_path(poses, fov_y_deg, 0, 0);
}

CameraPath spiral_path(const Camera& reference, float focus_depth, float radius, int keyframes) {
  const Frame ref = reference_frame(reference);
  check_sway(focus_depth, radius, keyframes, 8);
  const vec3 focus = ref.position + focus_depth * ref.forward;
  // Two turns in the image plane (radius 0.75 r) while swinging forward and back once
  // (amplitude 0.5 r), as LLFF's render_path_spiral (rots = 2, zrate = 0.5): every position stays
  // within sqrt(0.75^2 + 0.5^2) r = 0.9 r of the reference.
  std::vector<mat4> poses;
  for (int i = 0; i < keyframes; ++i) {
    const float theta = 4.0f * kPi * float(i) / float(keyframes);
    const vec3 offset = 0.75f * radius * (std::cos(theta) * ref.right + std::sin(theta) * ref.up) +
                        0.5f * radius * std::sin(0.5f * theta) * ref.forward;
    poses.push_back(look_at(ref.position + offset, focus, ref.up));
  }
  return looping_path(poses, glm::degrees(reference.fov_y()), reference.width, reference.height);
}

CameraPath wiggle_path(const Camera& reference, float focus_depth, float radius, int keyframes) {
  const Frame ref = reference_frame(reference);
  check_sway(focus_depth, radius, keyframes, 3);
  const vec3 focus = ref.position + focus_depth * ref.forward;
  std::vector<mat4> poses;
  for (int i = 0; i < keyframes; ++i) {
    const float theta = 2.0f * kPi * float(i) / float(keyframes);
    const vec3 offset = radius * (std::cos(theta) * ref.right + std::sin(theta) * ref.up);
    poses.push_back(look_at(ref.position + offset, focus, ref.up));
  }
  return looping_path(poses, glm::degrees(reference.fov_y()), reference.width, reference.height);
}

}  // namespace strata

namespace strata {

CameraPath look_around_path(const mat4& eye_pose, float radius, int keyframes, float fov_y_deg,
                            int width, int height) {
  if (keyframes < 4) throw std::invalid_argument("look_around_path: need at least 4 keyframes");
  const vec3 eye = vec3(eye_pose[3]);
  const vec3 up = glm::normalize(vec3(eye_pose[1]));
  const vec3 forward = -glm::normalize(vec3(eye_pose[2]));
  const vec3 right = glm::normalize(glm::cross(forward, up));
  std::vector<mat4> poses;
  for (int i = 0; i < keyframes; ++i) {
    // Turn a full circle while stepping around a small circle, so parallax shows.
    const float theta = 2.0f * kPi * float(i) / float(keyframes);
    const vec3 view = std::cos(theta) * forward + std::sin(theta) * right;
    const vec3 position =
        eye + radius * (std::cos(2.0f * theta) * right + std::sin(2.0f * theta) * forward);
    poses.push_back(look_at(position, position + view, up));
  }
  return looping_path(poses, fov_y_deg, width, height);
}

}  // namespace strata
