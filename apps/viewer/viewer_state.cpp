#include "apps/viewer/viewer_state.h"

#include <cstdio>

namespace strata::viewer {

void ViewerState::error(const std::string& message) {
  std::fprintf(stderr, "strata-viewer: error: %s\n", message.c_str());
  errors.push_back(message);
}

bool open_file(ViewerState& state, const std::string& path) {
  const bool first = state.document.empty();
  try {
    state.document.open(path);
  } catch (const std::exception& e) {
    state.error("could not open " + path + ": " + e.what());
    return false;
  }
  state.settings.remember(path);
  if (first) reset_camera(state);
  std::fprintf(stderr, "strata-viewer: opened %s\n", path.c_str());
  return true;
}

bool open_dataset(ViewerState& state, const std::string& path) {
  try {
    Dataset d = load_dataset(path);
    state.dataset.cameras.clear();
    state.dataset.images.clear();
    for (const auto* frames : {&d.train, &d.test})
      for (const DatasetFrame& f : *frames) {
        state.dataset.cameras.push_back(f.camera);
        state.dataset.images.push_back(f.image_path);
      }
    state.dataset.dataset = std::move(d);
    state.dataset.current = -1;
  } catch (const std::exception& e) {
    state.error("could not open dataset " + path + ": " + e.what());
    return false;
  }
  return true;
}

bool look_through(ViewerState& state, int index) {
  if (index < 0 || index >= int(state.dataset.cameras.size())) return false;
  const Camera& c = state.dataset.cameras[size_t(index)];
  state.camera.set_pose(c.camera_to_world, glm::degrees(c.fov_y()));
  state.dataset.current = index;
  return true;
}

void reset_camera(ViewerState& state) {
  state.camera = default_view(state.document.loaded());
  state.dataset.current = -1;
}

}  // namespace strata::viewer
