// The camera-path editor panel: keyframes from the current view, scrub, play, save path.json
// for `strata render --path`.
#include <imgui.h>

#include "apps/viewer/panels.h"

namespace strata::viewer {

void draw_path_panel(ViewerState& state) {
  ImGui::SetNextWindowPos(ImVec2(10, 640), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 200), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Camera path")) {
    ImGui::End();
    return;
  }
  PathEditor& path = state.path;
  if (ImGui::Button("Add keyframe (K)")) path.add(state.camera.pose(), state.camera.fov_y_deg);
  ImGui::SameLine();
  if (ImGui::Button("Clear")) path.clear();
  ImGui::Text("%d keyframes", path.size());
  for (int i = 0; i < path.size(); ++i) {
    ImGui::PushID(i);
    ImGui::Text("%2d  t=%.2f s  fov %.0f", i, path.path().keyframes[size_t(i)].time,
                path.path().keyframes[size_t(i)].fov_y_deg);
    ImGui::SameLine();
    if (ImGui::SmallButton("go")) {
      path.scrub(path.path().keyframes[size_t(i)].time);
      state.camera.set_pose(path.path().keyframes[size_t(i)].camera_to_world,
                            path.path().keyframes[size_t(i)].fov_y_deg);
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("remove")) path.remove(i);
    ImGui::PopID();
  }
  if (path.size() > 0) {
    float t = float(path.time());
    if (ImGui::SliderFloat("time", &t, float(path.path().start_time()),
                           float(path.path().end_time()), "%.2f s")) {
      path.scrub(t);
      mat4 pose;
      float fov;
      if (path.view_at_cursor(&pose, &fov)) state.camera.set_pose(pose, fov);
    }
    bool playing = path.playing();
    if (ImGui::Checkbox("play (Space)", &playing)) path.set_playing(playing);
    ImGui::SameLine();
    ImGui::Checkbox("loop", &path.path().loop);
    static char file[512] = "path.json";
    ImGui::InputText("file", file, sizeof(file));
    if (ImGui::Button("Save path.json")) {
      try {
        path.save(file, state.width, state.height);
        std::fprintf(stderr, "strata-viewer: saved %s\n", file);
      } catch (const std::exception& e) {
        state.error(e.what());
      }
    }
  }
  ImGui::End();
}

}  // namespace strata::viewer
