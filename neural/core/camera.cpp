#include "neural/core/camera.h"

#include <cmath>
#include <string>

#include "neural/core/error.h"

namespace strata {

vec2 Distortion::distort(vec2 xy) const {
  const float x = xy.x, y = xy.y, r2 = x * x + y * y;
  const float radial = 1.0f + r2 * (k1 + r2 * k2);
  return vec2(x * radial + 2.0f * p1 * x * y + p2 * (r2 + 2.0f * x * x),
              y * radial + p1 * (r2 + 2.0f * y * y) + 2.0f * p2 * x * y);
}

vec2 Distortion::undistort(vec2 target) const {
  vec2 xy = target;
  for (int iteration = 0; iteration < 20; ++iteration) {
    const float x = xy.x, y = xy.y, r2 = x * x + y * y;
    const float radial = 1.0f + r2 * (k1 + r2 * k2);
    const float d_radial = k1 + 2.0f * k2 * r2;  // d radial / d r2
    const vec2 residual = distort(xy) - target;
    // Jacobian of distort() at xy.
    const float j00 = radial + 2.0f * x * x * d_radial + 2.0f * p1 * y + 6.0f * p2 * x;
    const float j01 = 2.0f * x * y * d_radial + 2.0f * p1 * x + 2.0f * p2 * y;
    const float j10 = 2.0f * x * y * d_radial + 2.0f * p1 * x + 2.0f * p2 * y;
    const float j11 = radial + 2.0f * y * y * d_radial + 6.0f * p1 * y + 2.0f * p2 * x;
    const float det = j00 * j11 - j01 * j10;
    if (std::abs(det) < 1e-12f) break;
    const vec2 step((j11 * residual.x - j01 * residual.y) / det,
                    (-j10 * residual.x + j00 * residual.y) / det);
    xy -= step;
    if (glm::dot(step, step) < 1e-16f) break;
  }
  return xy;
}

Camera Camera::pinhole_fov_y(int width, int height, float fov_y, const mat4& camera_to_world) {
  Camera c;
  c.projection = Projection::kPinhole;
  c.width = width;
  c.height = height;
  c.fy = 0.5f * float(height) / std::tan(0.5f * fov_y);
  c.fx = c.fy;
  c.cx = 0.5f * float(width);
  c.cy = 0.5f * float(height);
  c.camera_to_world = camera_to_world;
  return c;
}

Camera Camera::equirectangular(int width, int height, const mat4& camera_to_world) {
  Camera c;
  c.projection = Projection::kEquirectangular;
  c.width = width;
  c.height = height;
  c.camera_to_world = camera_to_world;
  return c;
}

float Camera::fov_y() const {
  if (projection == Projection::kEquirectangular) return kPi;
  return 2.0f * std::atan(0.5f * float(height) / fy);
}

vec3 Camera::direction_in_camera(vec2 pixel) const {
  if (projection == Projection::kEquirectangular) {
    const float phi = (pixel.x / float(width) - 0.5f) * 2.0f * kPi;
    const float theta = (0.5f - pixel.y / float(height)) * kPi;
    return vec3(std::cos(theta) * std::sin(phi), std::sin(theta), -std::cos(theta) * std::cos(phi));
  }
  vec2 xy((pixel.x - cx) / fx, (pixel.y - cy) / fy);
  if (distortion.any()) xy = distortion.undistort(xy);
  return glm::normalize(vec3(xy.x, -xy.y, -1.0f));
}

Ray Camera::ray(vec2 pixel) const {
  const vec3 d = direction_in_camera(pixel);
  return Ray{position(), glm::normalize(mat3(camera_to_world) * d)};
}

bool Camera::project(vec3 world, vec2* pixel, float* depth) const {
  const mat4 world_to_camera = glm::inverse(camera_to_world);
  const vec3 p = vec3(world_to_camera * vec4(world, 1.0f));
  if (projection == Projection::kEquirectangular) {
    const float r = glm::length(p);
    if (r <= 0.0f) return false;
    const vec3 d = p / r;
    *pixel = vec2((0.5f + std::atan2(d.x, -d.z) / (2.0f * kPi)) * float(width),
                  (0.5f - std::asin(glm::clamp(d.y, -1.0f, 1.0f)) / kPi) * float(height));
    *depth = r;
    return true;
  }
  if (p.z >= 0.0f) return false;
  vec2 xy(p.x / -p.z, -p.y / -p.z);
  if (distortion.any()) xy = distortion.distort(xy);
  *pixel = vec2(cx + fx * xy.x, cy + fy * xy.y);
  *depth = -p.z;
  return true;
}

Camera Camera::resized(int new_width, int new_height) const {
  Camera c = *this;
  const float sx = float(new_width) / float(width), sy = float(new_height) / float(height);
  c.width = new_width;
  c.height = new_height;
  c.fx *= sx;
  c.cx *= sx;
  c.fy *= sy;
  c.cy *= sy;
  return c;
}

void Camera::validate(const std::string& where) const {
  if (width <= 0 || height <= 0)
    throw InputError(
        where, "width/height",
        "expected a positive size, got " + std::to_string(width) + "x" + std::to_string(height));
  if (width > 32768 || height > 32768)
    throw InputError(where, "width/height", "expected at most 32768 pixels a side");
  if (projection == Projection::kPinhole && !(std::isfinite(fx) && std::isfinite(fy) && fx > 0 &&
                                              fy > 0 && std::isfinite(cx) && std::isfinite(cy)))
    throw InputError(where, "fx/fy/cx/cy",
                     "expected finite intrinsics with positive focal lengths");
  if (!all_finite(camera_to_world))
    throw InputError(where, "camera_to_world", "expected finite numbers (found NaN or infinity)");
}

mat4 look_at(vec3 eye, vec3 target, vec3 up) {
  vec3 back = eye - target;
  if (glm::length(back) < 1e-12f) back = vec3(0, 0, 1);
  back = glm::normalize(back);
  vec3 right = glm::cross(up, back);
  if (glm::length(right) < 1e-6f) right = glm::cross(vec3(0, 0, 1), back);
  if (glm::length(right) < 1e-6f) right = glm::cross(vec3(1, 0, 0), back);
  right = glm::normalize(right);
  const vec3 true_up = glm::cross(back, right);
  mat4 m(1.0f);
  m[0] = vec4(right, 0.0f);
  m[1] = vec4(true_up, 0.0f);
  m[2] = vec4(back, 0.0f);
  m[3] = vec4(eye, 1.0f);
  return m;
}

}  // namespace strata
