#include "apps/viewer/camera_controller.h"

#include <algorithm>
#include <cmath>

namespace strata::viewer {

namespace {

constexpr float kOrbitMargin = 1.1f;  // as neural/path orbit_path

// A right-handed frame (x, up, z) around `up`; (x, y, z) itself for up = +y.
mat3 up_frame(vec3 up) {
  up = glm::normalize(up);
  const vec3 a = std::abs(up.x) < 0.9f ? vec3(1, 0, 0) : vec3(0, 0, 1);
  const vec3 z = glm::normalize(glm::cross(a, up));
  return mat3(glm::cross(up, z), up, z);
}

vec3 orbit_direction(float azimuth_deg, float elevation_deg, vec3 up) {
  const float az = glm::radians(azimuth_deg), el = glm::radians(elevation_deg);
  return up_frame(up) *
         vec3(std::cos(el) * std::sin(az), std::sin(el), std::cos(el) * std::cos(az));
}

vec3 look_direction(float yaw_deg, float pitch_deg, vec3 up) {
  const float yaw = glm::radians(yaw_deg), pitch = glm::radians(pitch_deg);
  return up_frame(up) *
         vec3(-std::sin(yaw) * std::cos(pitch), std::sin(pitch), -std::cos(yaw) * std::cos(pitch));
}

}  // namespace

const char* mode_name(CameraMode mode) {
  switch (mode) {
    case CameraMode::kOrbit:
      return "orbit";
    case CameraMode::kFly:
      return "fly";
    case CameraMode::kPanorama:
      return "panorama";
  }
  return "?";
}

mat4 ViewCamera::pose() const {
  if (exact_pose) return *exact_pose;
  if (mode == CameraMode::kOrbit)
    return look_at(target + distance * orbit_direction(azimuth_deg, elevation_deg, up), target, up);
  return look_at(position, position + look_direction(yaw_deg, pitch_deg, up), up);
}

Camera ViewCamera::camera(int width, int height) const {
  return Camera::pinhole_fov_y(width, height, glm::radians(fov_y_deg), pose());
}

void ViewCamera::set_pose(const mat4& p, float fov) {
  fov_y_deg = fov;
  const vec3 eye = vec3(p[3]);
  const vec3 world_forward = -glm::normalize(vec3(p[2]));
  const vec3 forward = glm::transpose(up_frame(up)) * world_forward;  // in the up frame
  position = eye;
  yaw_deg = glm::degrees(std::atan2(-forward.x, -forward.z));
  pitch_deg = glm::degrees(std::asin(std::clamp(forward.y, -1.0f, 1.0f)));
  const vec3 back = -forward;
  target = eye + distance * world_forward;
  azimuth_deg = glm::degrees(std::atan2(back.x, back.z));
  elevation_deg = glm::degrees(std::asin(std::clamp(back.y, -1.0f, 1.0f)));
  exact_pose = p;
}

void ViewCamera::set_mode(CameraMode m) {
  const mat4 p = pose();
  mode = m;
  set_pose(p, fov_y_deg);
  exact_pose.reset();
}

void ViewCamera::drag(float dx, float dy) {
  exact_pose.reset();
  const float degrees_per_pixel = 0.25f;
  if (mode == CameraMode::kOrbit) {
    azimuth_deg -= dx * degrees_per_pixel;
    elevation_deg = std::clamp(elevation_deg + dy * degrees_per_pixel, -89.0f, 89.0f);
  } else {
    const float scale = degrees_per_pixel * fov_y_deg / 50.0f;
    yaw_deg += dx * scale;
    pitch_deg = std::clamp(pitch_deg - dy * scale, -89.0f, 89.0f);
  }
}

void ViewCamera::scroll(float amount) {
  if (mode == CameraMode::kOrbit) {
    exact_pose.reset();
    distance = std::max(1e-3f, distance * std::pow(0.9f, amount));
  } else {
    fov_y_deg = std::clamp(fov_y_deg - 2.0f * amount, 10.0f, 120.0f);
  }
}

void ViewCamera::move(vec3 local) {
  if (mode == CameraMode::kPanorama) return;  // the eye stays put
  const mat4 p = pose();
  const vec3 world = mat3(p) * local;
  exact_pose.reset();
  if (mode == CameraMode::kFly) {
    position += world;
  } else {
    target += world;
  }
}

void ViewCamera::pan(float dx, float dy, int height) {
  if (mode != CameraMode::kOrbit || height <= 0) return;
  const mat4 p = pose();
  const float metres_per_pixel =
      2.0f * distance * std::tan(0.5f * glm::radians(fov_y_deg)) / float(height);
  exact_pose.reset();
  target += metres_per_pixel * (-dx * vec3(p[0]) + dy * vec3(p[1]));
}

float orbit_distance(const Bounds3& bounds, float fov_y_deg) {
  float radius = bounds.empty() ? 1.0f : 0.5f * glm::length(bounds.extent());
  if (!(radius > 0.0f)) radius = 1.0f;
  return kOrbitMargin * radius / std::sin(0.5f * glm::radians(fov_y_deg));
}

ViewCamera orbit_view(const Bounds3& bounds, float azimuth_deg, float elevation_deg,
                      float fov_y_deg) {
  ViewCamera view;
  view.mode = CameraMode::kOrbit;
  view.target = bounds.empty() ? vec3(0.0f) : bounds.center();
  view.distance = orbit_distance(bounds, fov_y_deg);
  view.azimuth_deg = azimuth_deg;
  view.elevation_deg = elevation_deg;
  view.fov_y_deg = fov_y_deg;
  return view;
}

ViewCamera default_view(const Scene& scene) {
  const Bounds3 bounds = scene.bounds();
  ViewCamera view = orbit_view(bounds, 0.0f, 20.0f);
  if (scene.reference_camera) {
    const Camera& ref = *scene.reference_camera;
    view.up = glm::normalize(vec3(ref.camera_to_world[1]));
    if (ref.projection == Projection::kEquirectangular) {
      view.mode = CameraMode::kPanorama;
      view.set_pose(ref.camera_to_world, 75.0f);
      view.exact_pose.reset();
    } else {
      view.distance = std::max(1e-3f, glm::length(view.target - ref.position()));
      view.set_pose(ref.camera_to_world, glm::degrees(ref.fov_y()));
    }
  }
  return view;
}

int nearest_camera(const std::vector<Camera>& cameras, const mat4& pose) {
  int best = -1;
  float best_score = 1e30f;
  const vec3 eye(pose[3]);
  const vec3 forward = -glm::normalize(vec3(pose[2]));
  for (size_t i = 0; i < cameras.size(); ++i) {
    const float d = glm::length(cameras[i].position() - eye);
    const float turn = 1.0f - glm::dot(cameras[i].forward(), forward);
    const float score = d + 1e-3f * turn;
    if (score < best_score) {
      best_score = score;
      best = int(i);
    }
  }
  return best;
}

}  // namespace strata::viewer
