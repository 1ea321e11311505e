// The viewer's state that panels, keys and scripts change: the open document, the camera, the
// view, the path being edited, the dataset whose cameras it steps through, and messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/viewer/camera_controller.h"
#include "apps/viewer/path_editor.h"
#include "apps/viewer/scene_document.h"
#include "apps/viewer/settings.h"
#include "apps/viewer/view_mode.h"
#include "neural/dataset/dataset.h"

namespace strata::viewer {

struct DatasetState {
  std::optional<Dataset> dataset;
  std::vector<Camera> cameras;  // train then test frames' cameras
  std::vector<std::string> images;
  int current = -1;      // the dataset camera being looked through, or -1
  bool frusta = false;   // draw every camera's frustum
  bool compare = false;  // side by side with the photograph at `current`
};

struct FrameStats {
  double fps = 0.0;        // smoothed
  double frame_ms = 0.0;   // smoothed wall time between frames
  double render_ms = 0.0;  // the last scene render (frames whose view did not change reuse it)
  std::string renderer;    // SceneRenderer::name()
  void add_frame(double ms) {
    frame_ms = frame_ms == 0.0 ? ms : 0.9 * frame_ms + 0.1 * ms;
    fps = frame_ms > 0.0 ? 1000.0 / frame_ms : 0.0;
  }
};

struct ViewerState {
  Settings settings;
  std::string settings_file;
  SceneDocument document;
  ViewCamera camera;
  ViewMode view = ViewMode::kColor;
  std::vector<std::pair<int, std::string>> layer_legend;  // the layers view: label and name of
                                                          // each layer shown, most pixels first
  PathEditor path;
  DatasetState dataset;
  FrameStats stats;
  std::string device;  // the presenting device
  bool ui_visible = true;
  std::vector<std::string> errors;    // shown in the UI until dismissed
  std::vector<std::string> to_open;   // files dropped or chosen, opened before the next frame
  bool screenshot_requested = false;  // the key or the menu: a PNG in the working folder
  bool quit = false;
  int width = 0, height = 0;  // the framebuffer's size this frame

  // Logs `message` to stderr and shows it in the UI.
  void error(const std::string& message);
};

}  // namespace strata::viewer

namespace strata::viewer {

// Actions shared by panels, keys and scripts (no window needed).
//
// Opens `path` into the document; on failure logs and shows the error and keeps what is open.
// The first file opened sets the camera to its default view. Returns whether it opened.
bool open_file(ViewerState& state, const std::string& path);
// Loads a dataset (transforms.json or LLFF folder) for its cameras and photographs.
bool open_dataset(ViewerState& state, const std::string& path);
// Looks through dataset camera `index` (its pose and fov). False when out of range.
bool look_through(ViewerState& state, int index);
// The default view of what is open.
void reset_camera(ViewerState& state);

}  // namespace strata::viewer
