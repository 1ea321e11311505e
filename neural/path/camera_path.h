// CameraPath: keyframes (camera-to-world pose, vertical field of view, time) and a smooth
// interpolation between them; generators for orbits, spirals and forward-facing wiggles; the
// path.json file format (plus nerfstudio camera_path.json and instant-ngp base_cam.json).
#pragma once

#include <string>
#include <vector>

#include "neural/core/camera.h"

namespace strata {

struct Keyframe {
  double time = 0.0;           // seconds, strictly increasing along the path
  mat4 camera_to_world{1.0f};  // rigid pose, OpenGL axes (scale or shear in the 3x3 is ignored:
                               // the path uses its nearest rotation; mirrors are invalid)
  float fov_y_deg = 50.0f;     // vertical field of view, degrees in (0, 180)
};

enum class PathInterpolation {
  kSmooth,  // positions and fov by a Catmull-Rom spline through the keyframes (knots at the
            // keyframe times), rotations by a cumulative Hermite spline on quaternions; C1
            // continuous, the short way round between keyframes
  kLinear,  // positions and fov linear, rotations by slerp (the short way round)
};

struct CameraPath {
  std::vector<Keyframe> keyframes;  // at least one, times increasing
  PathInterpolation interpolation = PathInterpolation::kSmooth;
  bool loop = false;          // the last keyframe joins the first (orbits)
  int width = 0, height = 0;  // preferred output size in pixels; 0 = the caller chooses

  // Seconds. The span is [start_time, end_time]: the first and last keyframes' times, except
  // that a looping path (two or more keyframes) ends one mean keyframe spacing after its last
  // keyframe, where it is back at the first; that closing segment is interpolated like the others.
  double start_time() const;
  double end_time() const;
  // Pose and fov at `time` seconds (clamped to the span; wrapped into [start, end) when looping).
  // The returned pose is rigid and the returned time is the clamped or wrapped one.
  // Precondition: validate() passes (it holds for read_camera_path and the generators); throws
  // InputError when there are no keyframes.
  Keyframe evaluate(double time) const;
  // `frames` (>= 1) pinhole cameras of width x height pixels (> 0) at evenly spaced times: from
  // start to end inclusive, one frame giving the start; a looping path does not repeat its first
  // frame at the end (frame i at start + i * span / frames). Throws InputError for bad counts.
  std::vector<Camera> sample(int frames, int width, int height) const;
  // Checks: at least one keyframe, finite and strictly increasing times, finite poses whose last
  // row is [0 0 0 1] and whose 3x3 is neither degenerate nor mirrored, fov in (0, 180), width and
  // height both 0 or both in 1..32768. Throws InputError naming `where` and the field
  // (e.g. keyframes[2].fov_y_deg).
  void validate(const std::string& where) const;
};

// Reads strata's path.json, nerfstudio's camera_path.json or instant-ngp's base_cam.json (the
// kind is detected from the content; formats and conventions are described in
// camera_path_io.cpp). Poses come back rigid in strata's OpenGL convention. Throws InputError
// naming the file and field.
CameraPath read_camera_path(const std::string& path);
// Writes strata's path.json atomically, after validate(); reading it back gives the same path
// exactly.
void write_camera_path(const std::string& path, const CameraPath& camera_path);

// All generators make looping, smooth paths with keyframe i at i seconds (the loop closes at
// `keyframes` seconds) and throw InputError naming the argument when one is unusable.
//
// A circle of `keyframes` (>= 6) poses around the centre of `bounds`, looking at it from
// `elevation_deg` (within +-89) above the horizontal plane (y up, horizon level), at 1.1 times
// the distance at which the bounding sphere fills the vertical fov (`fov_y_deg`): the bounds stay
// in view for any output that is not narrower than it is tall. width/height are left 0.
CameraPath orbit_path(const Bounds3& bounds, int keyframes, float fov_y_deg,
                      float elevation_deg = 20.0f);
// An LLFF-style spiral around a pinhole reference camera, `keyframes` (>= 8) poses: two turns of
// radius 0.75 * `radius` in the reference's image plane while swinging forward and back once by
// 0.5 * `radius` (so every position is within `radius` metres of the reference), always looking
// at the point `focus_depth` (> radius) metres ahead of the reference with its up vector kept.
// The reference's fov and size are kept.
CameraPath spiral_path(const Camera& reference, float focus_depth, float radius, int keyframes);
// A forward-facing sway around a pinhole reference camera, `keyframes` (>= 3) poses: one turn on
// a circle of `radius` metres in the reference's image plane, looking at the point `focus_depth`
// (> radius) metres ahead with the reference's up vector kept. The reference's fov and size are
// kept.
CameraPath wiggle_path(const Camera& reference, float focus_depth, float radius, int keyframes);
// A looping look-around from a panorama's eye: `keyframes` (>= 4) pinhole poses turning a full
// circle about the eye's up axis while moving on a circle of `radius` metres around the eye.
CameraPath look_around_path(const mat4& eye_pose, float radius, int keyframes, float fov_y_deg,
                            int width, int height);

}  // namespace strata
