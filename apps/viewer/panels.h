// The viewer's ImGui panels, one file each: each draws its part and edits ViewerState.
#pragma once

#include "apps/viewer/viewer_state.h"

namespace strata::viewer {

// The menu bar (File: open, recent files, screenshot, quit; View; Camera) and the open-file
// dialog (a path entry).
void draw_main_menu(ViewerState& state);
// Items with visibility, opacity, transform, and each layer on its own.
void draw_scene_panel(ViewerState& state);
// Camera mode, fov, reset, dataset cameras (snap, step, frusta, compare).
void draw_camera_panel(ViewerState& state);
// Keyframes: add, remove, scrub, play, save path.json.
void draw_path_panel(ViewerState& state);
// fps, frame time, device, counts.
void draw_stats_overlay(ViewerState& state);
// The layers view's legend: each layer shown, its false colour and name.
void draw_layer_legend(ViewerState& state);
// Error messages (a file that could not be opened, ...), dismissable.
void draw_error_popup(ViewerState& state);
// Frusta of the dataset's cameras drawn over the view seen by `camera`.
void draw_frusta(const ViewerState& state, const Camera& camera);

}  // namespace strata::viewer
