#include "apps/viewer/settings.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "neural/core/error.h"
#include "neural/core/json_io.h"

namespace strata::viewer {

namespace fs = std::filesystem;

void Settings::remember(const std::string& file) {
  std::error_code ec;
  std::string absolute = fs::absolute(file, ec).lexically_normal().string();
  if (ec) absolute = file;
  recent_files.erase(std::remove(recent_files.begin(), recent_files.end(), absolute),
                     recent_files.end());
  recent_files.insert(recent_files.begin(), absolute);
  if (recent_files.size() > kMaxRecent) recent_files.resize(kMaxRecent);
}

std::string settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return (fs::path(xdg) / "strata" / "viewer.json").string();
  const char* home = std::getenv("HOME");
  if (home && *home) return (fs::path(home) / ".config" / "strata" / "viewer.json").string();
  return "";
}

Settings load_settings(const std::string& path) {
  Settings s;
  if (path.empty() || !fs::exists(path)) return s;
  try {
    const Json j = read_json_file(path);
    if (j.contains("recent_files"))
      for (const Json& f : j["recent_files"])
        if (f.is_string() && s.recent_files.size() < Settings::kMaxRecent)
          s.recent_files.push_back(f.get<std::string>());
    s.window_width = std::clamp(j.value("window_width", s.window_width), 64, 16384);
    s.window_height = std::clamp(j.value("window_height", s.window_height), 64, 16384);
    s.fov_y_deg = std::clamp(j.value("fov_y_deg", s.fov_y_deg), 10.0f, 120.0f);
    s.show_stats = j.value("show_stats", s.show_stats);
    s.fly_speed = std::clamp(j.value("fly_speed", s.fly_speed), 0.01f, 100.0f);
    if (j.contains("background") && j["background"].is_array() && j["background"].size() == 3)
      for (int c = 0; c < 3; ++c)
        s.background[c] = std::clamp(j["background"][size_t(c)].get<float>(), 0.0f, 1.0f);
  } catch (const std::exception& e) {
    warn(std::string("ignoring viewer settings: ") + e.what());
    return Settings{};
  }
  return s;
}

void save_settings(const std::string& path, const Settings& s) {
  if (path.empty()) return;
  try {
    fs::create_directories(fs::path(path).parent_path());
    Json j;
    j["recent_files"] = s.recent_files;
    j["window_width"] = s.window_width;
    j["window_height"] = s.window_height;
    j["fov_y_deg"] = s.fov_y_deg;
    j["show_stats"] = s.show_stats;
    j["fly_speed"] = s.fly_speed;
    j["background"] = {s.background.x, s.background.y, s.background.z};
    write_json_file(path, j);
  } catch (const std::exception& e) {
    warn(std::string("could not save viewer settings: ") + e.what());
  }
}

}  // namespace strata::viewer
