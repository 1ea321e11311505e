#include "apps/viewer/path_editor.h"

#include <algorithm>
#include <cmath>

#include "neural/core/error.h"

namespace strata::viewer {

void PathEditor::add(const mat4& pose, float fov_y_deg, double spacing) {
  Keyframe k;
  k.time = path_.keyframes.empty() ? 0.0 : path_.keyframes.back().time + spacing;
  k.camera_to_world = pose;
  k.fov_y_deg = fov_y_deg;
  path_.keyframes.push_back(k);
  time_ = k.time;
}

void PathEditor::remove(int index) {
  if (index < 0 || index >= size()) return;
  path_.keyframes.erase(path_.keyframes.begin() + index);
  if (size() < 2) playing_ = false;
  if (size() > 0) scrub(time_);
}

void PathEditor::clear() {
  path_.keyframes.clear();
  time_ = 0.0;
  playing_ = false;
}

void PathEditor::scrub(double seconds) {
  if (path_.keyframes.empty()) {
    time_ = 0.0;
    return;
  }
  time_ = std::clamp(seconds, path_.start_time(), path_.end_time());
}

void PathEditor::advance(double dt) {
  if (!playing_ || size() < 2) return;
  const double start = path_.start_time(), span = path_.end_time() - start;
  if (!(span > 0.0)) return;
  time_ = start + std::fmod(time_ - start + dt, span);
}

bool PathEditor::view_at_cursor(mat4* pose, float* fov_y_deg) const {
  if (path_.keyframes.empty()) return false;
  const Keyframe k = path_.evaluate(time_);
  *pose = k.camera_to_world;
  *fov_y_deg = k.fov_y_deg;
  return true;
}

void PathEditor::save(const std::string& file, int width, int height) const {
  if (path_.keyframes.empty())
    throw InputError(file, "keyframes", "the path has no keyframes yet (add one first)");
  CameraPath out = path_;
  out.width = width;
  out.height = height;
  write_camera_path(file, out);
}

}  // namespace strata::viewer
