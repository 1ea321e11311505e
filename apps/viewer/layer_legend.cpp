// The layers view's legend: a small window listing each layer shown (label colour and name).
#include <imgui.h>

#include "apps/viewer/panels.h"

namespace strata::viewer {

void draw_layer_legend(ViewerState& state) {
  if (state.view != ViewMode::kLayers) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x - 10,
                                 viewport->WorkPos.y + viewport->WorkSize.y - 10),
                          ImGuiCond_Always, ImVec2(1.0f, 1.0f));
  ImGui::SetNextWindowBgAlpha(0.6f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                                 ImGuiWindowFlags_NoMove;
  if (ImGui::Begin("Layers", nullptr, flags)) {
    if (state.layer_legend.empty()) ImGui::TextUnformatted("no layer in view");
    // Many layers (an MPI's 32 planes) would fill the window: the most visible ones first.
    constexpr size_t kMaxRows = 24;
    for (size_t i = 0; i < state.layer_legend.size() && i < kMaxRows; ++i) {
      const auto& [label, name] = state.layer_legend[i];
      const vec3 c = layer_color(label);
      ImGui::ColorButton(("##layer" + std::to_string(label)).c_str(), ImVec4(c.r, c.g, c.b, 1.0f),
                         ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
      ImGui::SameLine();
      ImGui::TextUnformatted(name.c_str());
    }
    if (state.layer_legend.size() > kMaxRows)
      ImGui::Text("... %zu more", state.layer_legend.size() - kMaxRows);
  }
  ImGui::End();
}

}  // namespace strata::viewer
