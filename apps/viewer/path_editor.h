// The camera-path editor: keyframes taken from the current view, a time cursor to scrub and
// play, and path.json (neural/path) for `strata render --path`.
#pragma once

#include <string>

#include "neural/path/camera_path.h"

namespace strata::viewer {

class PathEditor {
 public:
  // Adds a keyframe with `pose` and `fov_y_deg` one `spacing` second after the last (at 0 for the
  // first) and moves the cursor to it.
  void add(const mat4& pose, float fov_y_deg, double spacing = 1.0);
  // Removes keyframe `index` (ignored when out of range); later keyframes keep their times.
  void remove(int index);
  void clear();
  int size() const { return int(path_.keyframes.size()); }
  const CameraPath& path() const { return path_; }
  CameraPath& path() { return path_; }

  double time() const { return time_; }
  void scrub(double seconds);  // clamped to the path's span
  bool playing() const { return playing_; }
  void set_playing(bool on) { playing_ = on && size() > 1; }
  // Advances the cursor by `dt` seconds when playing (wrapping at the end).
  void advance(double dt);
  // The view at the cursor; false when there are no keyframes.
  bool view_at_cursor(mat4* pose, float* fov_y_deg) const;

  // Writes path.json (width x height as the preferred output size; 0 = leave unset). Throws
  // InputError when there are no keyframes or the file cannot be written.
  void save(const std::string& file, int width, int height) const;

 private:
  CameraPath path_;
  double time_ = 0.0;
  bool playing_ = false;
};

}  // namespace strata::viewer
