// Viewer settings kept between runs as JSON: $XDG_CONFIG_HOME/strata/viewer.json, else
// ~/.config/strata/viewer.json. A missing or unreadable file gives the defaults (with a warning
// for an unreadable one); saving never throws (a warning instead).
#pragma once

#include <string>
#include <vector>

#include "neural/core/math.h"

namespace strata::viewer {

struct Settings {
  std::vector<std::string> recent_files;  // most recent first, at most kMaxRecent
  int window_width = 1280, window_height = 720;
  float fov_y_deg = 50.0f;
  vec3 background{0.1f, 0.1f, 0.1f};  // straight rgb behind the scene
  bool show_stats = true;
  float fly_speed = 1.0f;  // metres per second

  static constexpr size_t kMaxRecent = 10;
  // Puts `file` first in recent_files (absolute path), dropping duplicates and the oldest.
  void remember(const std::string& file);
};

// Where settings live ("" when neither XDG_CONFIG_HOME nor HOME is set).
std::string settings_path();
Settings load_settings(const std::string& path);
void save_settings(const std::string& path, const Settings& settings);

}  // namespace strata::viewer
