// The stats overlay: fps, frame time, device, counts (planes, Gaussians, triangles).
#include <imgui.h>

#include "apps/viewer/panels.h"

namespace strata::viewer {

void draw_stats_overlay(ViewerState& state) {
  if (!state.settings.show_stats) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(
      ImVec2(viewport->WorkPos.x + viewport->WorkSize.x - 10, viewport->WorkPos.y + 10),
      ImGuiCond_Always, ImVec2(1.0f, 0.0f));
  ImGui::SetNextWindowBgAlpha(0.6f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                                 ImGuiWindowFlags_NoMove;
  if (ImGui::Begin("Stats", nullptr, flags)) {
    const FrameStats& s = state.stats;
    const SceneCounts c = state.document.counts();
    ImGui::Text("%.1f fps  %.1f ms/frame", s.fps, s.frame_ms);
    ImGui::Text("last render %.1f ms  %dx%d", s.render_ms, state.width, state.height);
    ImGui::Text("device: %s", state.device.c_str());
    ImGui::Text("renderer: %s", s.renderer.c_str());
    ImGui::Text("items %zu  planes %zu  Gaussians %zu  triangles %zu", c.items, c.planes,
                c.gaussians, c.triangles);
    ImGui::Text("camera: %s  fov %.0f  view: %s", mode_name(state.camera.mode),
                state.camera.fov_y_deg, view_name(state.view));
  }
  ImGui::End();
}

}  // namespace strata::viewer
