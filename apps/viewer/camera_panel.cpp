// The camera panel: mode (orbit, fly, panorama), field of view, reset, and a dataset's cameras:
// look through one, snap to the nearest, step, show frusta, compare with the photograph.
#include <imgui.h>

#include "apps/viewer/panels.h"

namespace strata::viewer {

void draw_camera_panel(ViewerState& state) {
  ImGui::SetNextWindowPos(ImVec2(10, 400), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 230), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Camera")) {
    ImGui::End();
    return;
  }
  ViewCamera& cam = state.camera;
  int mode = int(cam.mode);
  if (ImGui::Combo("mode", &mode, "orbit (drag)\0fly (WASD + drag)\0panorama (look around)\0"))
    cam.set_mode(CameraMode(mode));
  ImGui::SliderFloat("fov", &cam.fov_y_deg, 10.0f, 120.0f, "%.0f deg");
  if (ImGui::Button("Reset (R)")) reset_camera(state);
  DatasetState& ds = state.dataset;
  if (!ds.cameras.empty()) {
    ImGui::Separator();
    ImGui::Text("dataset: %zu cameras", ds.cameras.size());
    int current = std::max(ds.current, 0);
    if (ImGui::SliderInt("camera", &current, 0, int(ds.cameras.size()) - 1))
      look_through(state, current);
    if (ImGui::Button("Nearest")) look_through(state, nearest_camera(ds.cameras, cam.pose()));
    ImGui::SameLine();
    if (ImGui::Button("< Prev (B)")) look_through(state, std::max(0, ds.current - 1));
    ImGui::SameLine();
    if (ImGui::Button("Next (N) >"))
      look_through(state, std::min(int(ds.cameras.size()) - 1, ds.current + 1));
    ImGui::Checkbox("frusta", &ds.frusta);
    ImGui::SameLine();
    ImGui::Checkbox("side by side with photo", &ds.compare);
  } else {
    ImGui::TextDisabled("File > Open dataset... for its cameras");
  }
  ImGui::End();
}

void draw_frusta(const ViewerState& state, const Camera& view) {
  const DatasetState& ds = state.dataset;
  if (!ds.frusta || ds.cameras.empty()) return;
  Bounds3 centres;
  for (const Camera& c : ds.cameras) centres.add(c.position());
  const float size = std::max(0.05f, 0.05f * glm::length(centres.extent()));
  ImDrawList* draw = ImGui::GetBackgroundDrawList();
  for (size_t i = 0; i < ds.cameras.size(); ++i) {
    const Camera& c = ds.cameras[i];
    const vec3 apex = c.position();
    vec3 corners[4];
    const vec2 px[4] = {
        {0, 0}, {float(c.width), 0}, {float(c.width), float(c.height)}, {0, float(c.height)}};
    for (int k = 0; k < 4; ++k) {
      const vec3 d = c.direction_in_camera(px[k]);
      corners[k] = vec3(c.camera_to_world * vec4(d * (size / std::max(1e-3f, -d.z)), 1.0f));
    }
    const ImU32 colour =
        int(i) == ds.current ? IM_COL32(255, 200, 40, 255) : IM_COL32(90, 200, 255, 200);
    auto line = [&](vec3 a, vec3 b) {
      vec2 pa, pb;
      float da, db;
      if (view.project(a, &pa, &da) && view.project(b, &pb, &db))
        draw->AddLine(ImVec2(pa.x, pa.y), ImVec2(pb.x, pb.y), colour, 1.5f);
    };
    for (int k = 0; k < 4; ++k) {
      line(apex, corners[k]);
      line(corners[k], corners[(k + 1) % 4]);
    }
  }
}

}  // namespace strata::viewer
