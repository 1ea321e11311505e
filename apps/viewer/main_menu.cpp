// The menu bar and the open-file dialog (a path entry: ImGui has no native file chooser).
#include <imgui.h>

#include <cstring>

#include "apps/viewer/panels.h"

namespace strata::viewer {

namespace {

char g_path[1024] = "";
bool g_open_dialog = false;
bool g_dataset_dialog = false;

}  // namespace

void draw_main_menu(ViewerState& state) {
  if (ImGui::BeginMainMenuBar()) {
    if (ImGui::BeginMenu("File")) {
      if (ImGui::MenuItem("Open...", "Ctrl+O")) g_open_dialog = true;
      if (ImGui::MenuItem("Open dataset...")) g_dataset_dialog = true;
      if (ImGui::BeginMenu("Recent", !state.settings.recent_files.empty())) {
        for (const std::string& f : state.settings.recent_files)
          if (ImGui::MenuItem(f.c_str())) state.to_open.push_back(f);
        ImGui::EndMenu();
      }
      if (ImGui::MenuItem("Close all")) {
        state.document.clear();
        state.dataset = DatasetState{};
      }
      ImGui::Separator();
      if (ImGui::MenuItem("Screenshot", "F12")) state.screenshot_requested = true;
      ImGui::Separator();
      if (ImGui::MenuItem("Quit", "Esc")) state.quit = true;
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
      for (ViewMode m : {ViewMode::kColor, ViewMode::kDepth, ViewMode::kAlpha, ViewMode::kLayers})
        if (ImGui::MenuItem(view_name(m), nullptr, state.view == m)) state.view = m;
      ImGui::Separator();
      ImGui::MenuItem("Stats", nullptr, &state.settings.show_stats);
      if (ImGui::MenuItem("Hide UI", "F1")) state.ui_visible = false;
      ImGui::ColorEdit3("Background", &state.settings.background.x, ImGuiColorEditFlags_NoInputs);
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Camera")) {
      for (CameraMode m : {CameraMode::kOrbit, CameraMode::kFly, CameraMode::kPanorama})
        if (ImGui::MenuItem(mode_name(m), nullptr, state.camera.mode == m))
          state.camera.set_mode(m);
      if (ImGui::MenuItem("Reset", "R")) reset_camera(state);
      ImGui::EndMenu();
    }
    ImGui::EndMainMenuBar();
  }
  if (ImGui::IsKeyPressed('O') && ImGui::GetIO().KeyCtrl) g_open_dialog = true;

  for (bool* flag : {&g_open_dialog, &g_dataset_dialog}) {
    const bool dataset = flag == &g_dataset_dialog;
    const char* title = dataset ? "Open dataset" : "Open file";
    if (*flag) {
      ImGui::OpenPopup(title);
      *flag = false;
    }
    if (ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
      ImGui::TextUnformatted(dataset ? "transforms.json or LLFF folder:"
                                     : "Scene file or folder (planes.json, layers.json, .ply, "
                                       "panorama.json, .field, .gltf):");
      ImGui::SetNextItemWidth(560);
      const bool enter =
          ImGui::InputText("##path", g_path, sizeof(g_path), ImGuiInputTextFlags_EnterReturnsTrue);
      if (ImGui::Button("Open") || enter) {
        if (std::strlen(g_path) > 0) {
          if (dataset)
            open_dataset(state, g_path);
          else
            state.to_open.push_back(g_path);
        }
        ImGui::CloseCurrentPopup();
      }
      ImGui::SameLine();
      if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
      ImGui::EndPopup();
    }
  }
}

void draw_error_popup(ViewerState& state) {
  if (state.errors.empty()) return;
  ImGui::SetNextWindowPos(ImVec2(20, 40), ImGuiCond_Appearing);
  ImGui::SetNextWindowBgAlpha(0.9f);
  if (ImGui::Begin("Errors", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    for (const std::string& e : state.errors)
      ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", e.c_str());
    if (ImGui::Button("Dismiss")) state.errors.clear();
  }
  ImGui::End();
}

}  // namespace strata::viewer
