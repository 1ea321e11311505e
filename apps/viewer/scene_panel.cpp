// The scene panel: every item with visibility, opacity and a transform, and for layered items
// (plane sets, layer stacks, Gaussian panoramas) each layer switchable on its own.
#include <imgui.h>

#include "apps/viewer/panels.h"

namespace strata::viewer {

void draw_scene_panel(ViewerState& state) {
  ImGui::SetNextWindowPos(ImVec2(10, 30), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 360), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Scene")) {
    ImGui::End();
    return;
  }
  SceneDocument& doc = state.document;
  if (doc.empty()) ImGui::TextWrapped("Nothing open. File > Open, or drop files on the window.");
  bool changed = false;
  for (size_t i = 0; i < doc.items().size(); ++i) {
    DocumentItem& d = doc.items()[i];
    ImGui::PushID(int(i));
    changed |= ImGui::Checkbox("##visible", &d.visible);
    ImGui::SameLine();
    const std::string label = (d.item.name.empty() ? "item " + std::to_string(i) : d.item.name) +
                              "  [" + item_kind(d.item) + "]";
    if (i == 0) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    if (ImGui::TreeNode(label.c_str())) {
      ImGui::TextDisabled("%s", d.item.source.c_str());
      changed |= ImGui::SliderFloat("opacity", &d.opacity, 0.0f, 1.0f);
      changed |= ImGui::DragFloat3("translate", &d.translation.x, 0.01f);
      changed |= ImGui::DragFloat("yaw", &d.yaw_deg, 0.5f, -180.0f, 180.0f, "%.1f deg");
      changed |= ImGui::DragFloat("scale", &d.scale, 0.01f, 0.01f, 100.0f);
      if (!d.layers.empty()) {
        ImGui::Text("%zu layers", d.layers.size());
        ImGui::SameLine();
        if (ImGui::SmallButton("all")) {
          d.layer_visible.assign(d.layers.size(), true);
          changed = true;
        }
        ImGui::SameLine();
        if (ImGui::SmallButton("none")) {
          d.layer_visible.assign(d.layers.size(), false);
          changed = true;
        }
        for (size_t l = 0; l < d.layers.size(); ++l) {
          bool on = d.layer_visible[l];
          ImGui::PushID(int(l));
          if (ImGui::Checkbox(d.layers[l].c_str(), &on)) {
            d.layer_visible[l] = on;
            changed = true;
          }
          ImGui::PopID();
        }
      }
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  if (changed) doc.touch();
  ImGui::End();
}

}  // namespace strata::viewer
