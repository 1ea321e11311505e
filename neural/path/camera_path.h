// CameraPath: keyframes (camera-to-world pose, vertical field of view, time) and a smooth
// interpolation between them; generators for orbits, spirals and forward-facing wiggles; the
// path.json file format (plus nerfstudio camera_path.json and instant-ngp base_cam.json).
#pragma once

#include <string>
#include <vector>

#include "neural/core/camera.h"

namespace strata {

struct Keyframe {
  double time = 0.0;             // seconds, strictly increasing along the path
  mat4 camera_to_world{1.0f};    // rigid pose, OpenGL axes
  float fov_y_deg = 50.0f;       // vertical field of view, degrees in (0, 180)
};

enum class PathInterpolation {
  kSmooth,  // positions and fov by a Catmull-Rom spline through the keyframes, rotations by a
            // rotation spline (squad) — C1 continuous
  kLinear,  // positions and fov linear, rotations by slerp
};

struct CameraPath {
  std::vector<Keyframe> keyframes;  // at least one, times increasing
  PathInterpolation interpolation = PathInterpolation::kSmooth;
  bool loop = false;                // the last keyframe joins the first (orbits)
  int width = 0, height = 0;        // preferred output size in pixels; 0 = the caller chooses

  double start_time() const;
  double end_time() const;
  // Pose and fov at `time` (clamped to the path's span; wrapped when looping).
  Keyframe evaluate(double time) const;
  // `frames` pinhole cameras of width x height spread evenly over the path's span (a looping
  // path does not repeat its first frame at the end).
  std::vector<Camera> sample(int frames, int width, int height) const;
  // Checks: at least one keyframe, increasing times, finite poses, fov in (0, 180).
  void validate(const std::string& where) const;
};

// Reads strata's path.json, nerfstudio's camera_path.json or instant-ngp's base_cam.json (the
// kind is detected from the content). Throws InputError naming the file and field.
CameraPath read_camera_path(const std::string& path);
// Writes strata's path.json atomically.
void write_camera_path(const std::string& path, const CameraPath& camera_path);

// A looping circle of `keyframes` poses around the centre of `bounds`, looking at it from
// `elevation_deg` above the horizontal plane (y up), at a distance that fits the bounds in view.
CameraPath orbit_path(const Bounds3& bounds, int keyframes, float fov_y_deg, float elevation_deg = 20.0f);
// A looping LLFF-style spiral around a reference camera: positions on a spiral in the camera's
// image plane (radius in metres, with a forward/backward swing), always looking at the point
// `focus_depth` metres ahead of the reference camera.
CameraPath spiral_path(const Camera& reference, float focus_depth, float radius, int keyframes);
// A looping forward-facing sway: the camera moves on a small circle (radius, metres) in its own
// image plane and keeps looking at the point `focus_depth` metres ahead.
CameraPath wiggle_path(const Camera& reference, float focus_depth, float radius, int keyframes);

}  // namespace strata
