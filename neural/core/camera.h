// Camera: intrinsics (pinhole or equirectangular), resolution and a camera-to-world pose in
// OpenGL axes (x right, y up, looking down -z), the transforms.json convention.
// Pixel coordinates: x right, y down, the centre of pixel (i, j) at (i + 0.5, j + 0.5).
#pragma once

#include <string>

#include "neural/core/math.h"

namespace strata {

enum class Projection {
  kPinhole,          // fx fy cx cy in pixels
  kEquirectangular,  // u = 0.5 + atan2(x, -z) / 2pi, v = 0.5 - asin(y) / pi over the image
};

// Radial-tangential lens distortion (OpenCV / COLMAP / instant-ngp "OPENCV" model) applied to
// normalised image coordinates (x right, y down, 1 unit = the focal length).
struct Distortion {
  float k1 = 0.0f, k2 = 0.0f;  // radial coefficients
  float p1 = 0.0f, p2 = 0.0f;  // tangential coefficients

  bool any() const { return k1 != 0.0f || k2 != 0.0f || p1 != 0.0f || p2 != 0.0f; }
  // Undistorted -> distorted normalised coordinates.
  vec2 distort(vec2 xy) const;
  // Distorted -> undistorted, by Newton's method (exact to ~1e-7 within the image).
  vec2 undistort(vec2 xy) const;
};

struct Ray {
  vec3 origin;     // world, metres
  vec3 direction;  // world, unit length
};

struct Camera {
  Projection projection = Projection::kPinhole;
  int width = 0;               // pixels
  int height = 0;              // pixels
  float fx = 0.0f, fy = 0.0f;  // focal lengths, pixels (pinhole only)
  float cx = 0.0f, cy = 0.0f;  // principal point, pixels (pinhole only)
  mat4 camera_to_world{1.0f};  // rigid pose, OpenGL axes
  Distortion distortion;       // lens distortion (pinhole only); none by default

  // A pinhole camera with square pixels, the principal point at the image centre and the given
  // vertical field of view (radians, in (0, pi)).
  static Camera pinhole_fov_y(int width, int height, float fov_y, const mat4& camera_to_world);
  // An equirectangular (360x180 degree) camera.
  static Camera equirectangular(int width, int height, const mat4& camera_to_world);

  float fov_y() const;  // vertical field of view, radians (pinhole), pi for equirectangular
  vec3 position() const { return vec3(camera_to_world[3]); }
  vec3 forward() const { return -glm::normalize(vec3(camera_to_world[2])); }

  // Unit direction in the camera's frame through the image point `pixel` (pixels).
  vec3 direction_in_camera(vec2 pixel) const;
  // World-space ray through the image point `pixel` (pixels).
  Ray ray(vec2 pixel) const;
  // Projects a world point; false when it is behind a pinhole camera or at the centre of an
  // equirectangular one. `depth` follows depth_of_hit.
  bool project(vec3 world, vec2* pixel, float* depth) const;
  // The depth that renderers write for a hit at distance t along a ray with unit camera-space
  // direction d: z-depth (t * -d.z) for pinhole, ray distance t for equirectangular.
  float depth_of_hit(float t, vec3 direction_in_camera) const {
    return projection == Projection::kPinhole ? -t * direction_in_camera.z : t;
  }
  // The same camera at another resolution (intrinsics scaled to match).
  Camera resized(int new_width, int new_height) const;
  // Checks that the camera can render: positive size, finite focal lengths, finite pose.
  // Throws InputError naming `where`.
  void validate(const std::string& where) const;
};

// Camera-to-world pose (OpenGL axes) of an eye looking at `target` with `up` roughly up.
mat4 look_at(vec3 eye, vec3 target, vec3 up = vec3(0, 1, 0));

}  // namespace strata
