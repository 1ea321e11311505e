// The viewer's camera: orbit (a trackball around a target), fly (WASD + mouse) and panorama
// (looking around from a fixed eye), with a vertical field of view. Plain C++: the window feeds
// it mouse and key deltas, scripts and tests set it directly.
#pragma once

#include <optional>
#include <vector>

#include "neural/core/camera.h"
#include "neural/scene/scene.h"

namespace strata::viewer {

enum class CameraMode { kOrbit, kFly, kPanorama };

const char* mode_name(CameraMode mode);

struct ViewCamera {
  CameraMode mode = CameraMode::kOrbit;
  // Orbit: the eye sits at target + distance * (cos el sin az, sin el, cos el cos az), looking at
  // the target with y up (the convention of neural/path orbit_path, whose keyframe i is
  // orbit azimuth 360 i / n).
  vec3 target{0.0f};
  float distance = 1.0f;
  float azimuth_deg = 0.0f;
  float elevation_deg = 20.0f;
  // Fly and panorama: the eye and where it looks (yaw about +y, 0 = looking down -z; pitch up).
  vec3 position{0.0f, 0.0f, 1.0f};
  float yaw_deg = 0.0f;
  float pitch_deg = 0.0f;
  float fov_y_deg = 50.0f;
  // The world's up direction (unit): +y by default; a scene's reference camera (a panorama's eye
  // in a z-up world) can set another. Azimuth, elevation, yaw and pitch are measured about it.
  vec3 up{0.0f, 1.0f, 0.0f};
  // A pose set exactly (a dataset or reference camera, a path keyframe): used as is until the
  // next move, so rolled cameras are reproduced exactly.
  std::optional<mat4> exact_pose;

  // Camera-to-world pose (OpenGL axes).
  mat4 pose() const;
  // A pinhole camera of width x height pixels with fov_y_deg.
  Camera camera(int width, int height) const;
  // Takes `pose` (and fov) as the current view, keeping the mode; the orbit target is put
  // `distance` ahead.
  void set_pose(const mat4& pose, float fov_y_deg);
  // Switches mode keeping the current view.
  void set_mode(CameraMode mode);

  // Mouse drag by (dx, dy) pixels: orbit turns around the target, fly/panorama look around.
  void drag(float dx, float dy);
  // Scroll: orbit moves closer (positive) or away; fly/panorama narrow or widen the fov.
  void scroll(float amount);
  // Fly: moves by `local` metres in the camera frame (x right, y up, z back).
  void move(vec3 local);
  // Orbit only: shifts the target in the image plane by (dx, dy) pixels of a view `height` tall.
  void pan(float dx, float dy, int height);
};

// Distance from which a bounding sphere of `bounds` fills `fov_y_deg` with orbit_path's margin.
float orbit_distance(const Bounds3& bounds, float fov_y_deg);
// The orbit view of `bounds` at azimuth/elevation degrees (what `orbit AZ EL` in a script shows).
ViewCamera orbit_view(const Bounds3& bounds, float azimuth_deg, float elevation_deg,
                      float fov_y_deg = 50.0f);
// The view a scene opens at: its pinhole reference camera, a panorama's eye in panorama mode,
// else orbit_view(bounds, 0, 20).
ViewCamera default_view(const Scene& scene);
// The index of the camera in `cameras` nearest to `pose` (position, then viewing direction
// breaks ties), or -1 when there is none.
int nearest_camera(const std::vector<Camera>& cameras, const mat4& pose);

}  // namespace strata::viewer
