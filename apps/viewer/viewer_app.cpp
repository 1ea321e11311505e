#include "apps/viewer/viewer_app.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "apps/viewer/panels.h"
#include "apps/viewer/presenter.h"
#include "backends/imgui_impl_glfw.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "renderer/vulkan_renderer.h"

namespace strata::viewer {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool has_field(const Scene& scene) {
  for (const SceneItem& item : scene.items)
    if (std::holds_alternative<RadianceField>(item.content)) return true;
  return false;
}

// What the last render was made from; an unchanged key reuses the image.
struct RenderKey {
  mat4 pose{0.0f};
  float fov = 0.0f;
  int width = 0, height = 0;
  uint64_t version = 0;
  int compare_camera = -1;
  int scale = 1;
  bool layers = false;  // the layers view (drawn by the CPU reference, with labels)
  bool operator==(const RenderKey& o) const {
    return pose == o.pose && fov == o.fov && width == o.width && height == o.height &&
           version == o.version && compare_camera == o.compare_camera && scale == o.scale &&
           layers == o.layers;
  }
};

class Viewer {
 public:
  Viewer(const ViewerOptions& options) : options_(options) {}
  ~Viewer();
  int run();

 private:
  void start_window();
  void handle_input(double dt);
  void run_script_commands();
  void apply(const ScriptCommand& c);
  void draw_ui();
  Rgba8Image render_frame();
  RenderOutput render_scene(const Camera& camera);
  void sync_renderer();
  void save_screenshot(const Rgba8Image& image, const std::string& path);
  std::vector<std::string> validation_messages() const;

  ViewerOptions options_;
  ViewerState state_;
  GLFWwindow* window_ = nullptr;
  std::unique_ptr<Presenter> presenter_;
  bool imgui_started_ = false;
  std::unique_ptr<SceneRenderer> vulkan_;  // planes and Gaussians
  std::unique_ptr<SceneRenderer> cpu_;     // scenes with radiance fields (progressive)
  SceneRenderer* active_ = nullptr;
  uint64_t uploaded_version_ = 0;
  bool progressive_ = false;    // the CPU draws: reduced resolution while moving
  bool synced_layers_ = false;  // active_ was chosen for the layers view
  RenderKey last_key_;
  RenderOutput last_output_;
  Rgba8Image last_photo_;
  ScriptRunner script_;
  bool script_ui_forced_ = false;   // the script said `ui show`: screenshots keep the overlay
  std::string pending_screenshot_;  // a script's screenshot of this frame
  bool pseudo_minimised_ = false;   // `minimize` where no window manager iconifies
  bool dragging_ = false;
  double last_x_ = 0, last_y_ = 0;
  int script_errors_ = 0;
  // For the summary after a script (docs/PERFORMANCE.md): frames shown, scene renders.
  int frames_shown_ = 0, renders_ = 0;
  double frames_ms_ = 0.0, renders_ms_ = 0.0;
};

Viewer::~Viewer() {
  vulkan_.reset();
  cpu_.reset();
  presenter_.reset();
  if (imgui_started_) {
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

void on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* state = static_cast<ViewerState*>(glfwGetWindowUserPointer(window));
  for (int i = 0; i < count; ++i) state->to_open.push_back(paths[i]);
}

void Viewer::start_window() {
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  window_ = glfwCreateWindow(state_.settings.window_width, state_.settings.window_height,
                             "strata-viewer", nullptr, nullptr);
  if (!window_) throw std::runtime_error("could not open a window (glfwCreateWindow failed)");
  glfwSetWindowUserPointer(window_, &state_);
  glfwSetDropCallback(window_, on_drop);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // panel layout is not kept
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForVulkan(window_, true);
  imgui_started_ = true;
  PresenterOptions po;
  po.device = options_.device;
  presenter_ = make_presenter(window_, po);
  state_.device = presenter_->device_name();
}

std::vector<std::string> Viewer::validation_messages() const {
  std::vector<std::string> all =
      presenter_ ? presenter_->validation_messages() : std::vector<std::string>{};
  if (auto* v = dynamic_cast<VulkanSceneRenderer*>(vulkan_.get()))
    for (std::string& m : v->validation_messages()) all.push_back(std::move(m));
  return all;
}

void Viewer::sync_renderer() {
  // The layers view needs labels, which only the CPU reference outputs (Vulkan's shaders have
  // none yet): it draws that view, progressively like fields.
  const bool layers = state_.view == ViewMode::kLayers;
  if (uploaded_version_ == state_.document.version() && active_ && synced_layers_ == layers) return;
  synced_layers_ = layers;
  const Scene scene = state_.document.build();
  const bool fields = has_field(scene);
  if (fields || options_.backend == "cpu" || layers) {
    if (!cpu_) cpu_ = make_cpu_renderer();
    active_ = cpu_.get();
    progressive_ = true;
  } else {
    if (!vulkan_) {
      VulkanOptions vo;
      vo.device = options_.device;
      try {
        vulkan_ = make_vulkan_scene_renderer(vo);
      } catch (const VulkanUnavailable& e) {
        state_.error(std::string("no Vulkan renderer for the scene (") + e.what() +
                     "); using the CPU reference");
        options_.backend = "cpu";
        return sync_renderer();
      }
    }
    active_ = vulkan_.get();
    progressive_ = false;
  }
  try {
    active_->set_scene(scene);
  } catch (const std::exception& e) {
    state_.error(std::string("could not draw the scene: ") + e.what());
    active_->set_scene(Scene{});
  }
  state_.stats.renderer = active_->name();
  uploaded_version_ = state_.document.version();
  last_key_ = RenderKey{};
}

RenderOutput Viewer::render_scene(const Camera& camera) {
  sync_renderer();
  return state_.view == ViewMode::kLayers ? active_->render_layers(camera)
                                          : active_->render(camera);
}

Rgba8Image Viewer::render_frame() {
  const int w = state_.width, h = state_.height;
  DatasetState& ds = state_.dataset;
  const bool compare = ds.compare && ds.current >= 0 && ds.current < int(ds.cameras.size());
  RenderKey key;
  key.pose = state_.camera.pose();
  key.fov = state_.camera.fov_y_deg;
  key.width = w;
  key.height = h;
  key.version = state_.document.version();
  key.compare_camera = compare ? ds.current : -1;
  key.layers = state_.view == ViewMode::kLayers;
  sync_renderer();
  key.version = state_.document.version();
  const bool moved = !(key.pose == last_key_.pose) || key.fov != last_key_.fov;
  // The CPU (fields) renders a quarter of the pixels while the view moves, then refines.
  key.scale = progressive_ && moved && !script_.active() ? 4 : 1;
  const bool reuse = key == last_key_ && !last_output_.color.empty();
  Camera camera;
  int cw = w, ch = h;
  if (compare) {
    const Camera& dc = ds.cameras[size_t(ds.current)];
    const float s = std::min(float(w / 2) / float(dc.width), float(h) / float(dc.height));
    cw = std::max(1, int(dc.width * s));
    ch = std::max(1, int(dc.height * s));
    camera = dc.resized(cw, ch);
  } else {
    camera = state_.camera.camera(w, h);
  }
  if (!reuse) {
    const auto start = Clock::now();
    try {
      if (key.scale > 1) {
        RenderOutput small =
            render_scene(camera.resized(std::max(1, cw / key.scale), std::max(1, ch / key.scale)));
        last_output_.color = resample(small.color, cw, ch);
        last_output_.depth = ScalarImage(cw, ch);
        for (int y = 0; y < ch; ++y)
          for (int x = 0; x < cw; ++x)
            last_output_.depth.at(x, y) =
                small.depth.at(std::min(small.depth.width - 1, x / key.scale),
                               std::min(small.depth.height - 1, y / key.scale));
        last_output_.layer.clear();
        if (!small.layer.empty()) {
          last_output_.layer.resize(size_t(cw) * ch);
          for (int y = 0; y < ch; ++y)
            for (int x = 0; x < cw; ++x)
              last_output_.layer[size_t(y) * cw + x] =
                  small.layer[size_t(std::min(small.depth.height - 1, y / key.scale)) *
                                  small.depth.width +
                              size_t(std::min(small.depth.width - 1, x / key.scale))];
        }
      } else {
        last_output_ = render_scene(camera);
      }
    } catch (const std::exception& e) {
      state_.error(std::string("rendering failed: ") + e.what());
      last_output_ = RenderOutput{Image(cw, ch), ScalarImage(cw, ch)};
    }
    state_.stats.render_ms = ms_since(start);
    state_.layer_legend.clear();
    for (const auto& [label, pixels] : labels_shown(last_output_))
      state_.layer_legend.emplace_back(label, active_ ? active_->layer_name(label) : "");
    ++renders_;
    renders_ms_ += state_.stats.render_ms;
    // While moving, the next still frame redraws at full resolution.
    last_key_ = key;
    if (key.scale > 1) last_key_.scale = 0;
    if (compare) {
      try {
        last_photo_ = over_background_8(
            resample(load_frame_image(
                         ds.dataset->train.size() > size_t(ds.current)
                             ? ds.dataset->train[size_t(ds.current)]
                             : ds.dataset->test[size_t(ds.current) - ds.dataset->train.size()]),
                     cw, ch),
            state_.settings.background);
      } catch (const std::exception& e) {
        state_.error(e.what());
        ds.compare = false;
      }
    }
  }
  Rgba8Image shown = shade(last_output_, state_.view, state_.settings.background);
  if (compare && last_photo_.width == shown.width) shown = side_by_side(shown, last_photo_);
  return shown;
}

void Viewer::save_screenshot(const Rgba8Image& image, const std::string& path) {
  try {
    write_png(path, to_image(image));
    std::fprintf(stderr, "strata-viewer: screenshot %s (%dx%d)\n", path.c_str(), image.width,
                 image.height);
  } catch (const std::exception& e) {
    state_.error(std::string("screenshot failed: ") + e.what());
    ++script_errors_;
  }
}

void Viewer::handle_input(double dt) {
  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantCaptureKeyboard) {
    auto pressed = [&](int key) { return ImGui::IsKeyPressed(key, false); };
    if (pressed(GLFW_KEY_F1)) state_.ui_visible = !state_.ui_visible;
    if (pressed(GLFW_KEY_F12) || pressed(GLFW_KEY_P)) state_.screenshot_requested = true;
    if (pressed(GLFW_KEY_ESCAPE)) state_.quit = true;
    if (pressed(GLFW_KEY_R)) reset_camera(state_);
    if (pressed(GLFW_KEY_1)) state_.camera.set_mode(CameraMode::kOrbit);
    if (pressed(GLFW_KEY_2)) state_.camera.set_mode(CameraMode::kFly);
    if (pressed(GLFW_KEY_3)) state_.camera.set_mode(CameraMode::kPanorama);
    if (pressed(GLFW_KEY_V)) state_.view = ViewMode((int(state_.view) + 1) % 4);
    if (pressed(GLFW_KEY_K)) state_.path.add(state_.camera.pose(), state_.camera.fov_y_deg);
    if (pressed(GLFW_KEY_SPACE)) state_.path.set_playing(!state_.path.playing());
    if (pressed(GLFW_KEY_N) && !state_.dataset.cameras.empty())
      look_through(state_,
                   std::min(int(state_.dataset.cameras.size()) - 1, state_.dataset.current + 1));
    if (pressed(GLFW_KEY_B) && !state_.dataset.cameras.empty())
      look_through(state_, std::max(0, state_.dataset.current - 1));
    if (pressed(GLFW_KEY_F)) state_.dataset.frusta = !state_.dataset.frusta;
    if (state_.camera.mode == CameraMode::kFly) {
      const Bounds3 b = state_.document.loaded().bounds();
      const float speed = state_.settings.fly_speed *
                          (b.empty() ? 1.0f : std::max(0.1f, 0.25f * glm::length(b.extent()))) *
                          (ImGui::IsKeyDown(GLFW_KEY_LEFT_SHIFT) ? 4.0f : 1.0f) * float(dt);
      vec3 move(0.0f);
      if (ImGui::IsKeyDown(GLFW_KEY_W)) move.z -= 1;
      if (ImGui::IsKeyDown(GLFW_KEY_S)) move.z += 1;
      if (ImGui::IsKeyDown(GLFW_KEY_A)) move.x -= 1;
      if (ImGui::IsKeyDown(GLFW_KEY_D)) move.x += 1;
      if (ImGui::IsKeyDown(GLFW_KEY_E)) move.y += 1;
      if (ImGui::IsKeyDown(GLFW_KEY_Q)) move.y -= 1;
      if (move != vec3(0.0f)) state_.camera.move(speed * move);
    }
  }
  double x = 0, y = 0;
  glfwGetCursorPos(window_, &x, &y);
  const bool left = glfwGetMouseButton(window_, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS;
  const bool right = glfwGetMouseButton(window_, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS;
  if ((left || right) && !dragging_ && !io.WantCaptureMouse) dragging_ = true;
  if (!left && !right) dragging_ = false;
  if (dragging_) {
    const float dx = float(x - last_x_), dy = float(y - last_y_);
    if (dx != 0.0f || dy != 0.0f) {
      if (right)
        state_.camera.pan(dx, dy, state_.height);
      else
        state_.camera.drag(dx, dy);
    }
  }
  if (!io.WantCaptureMouse && io.MouseWheel != 0.0f) state_.camera.scroll(io.MouseWheel);
  last_x_ = x;
  last_y_ = y;
}

void Viewer::apply(const ScriptCommand& c) {
  const std::string& a0 = c.args.empty() ? std::string() : c.args[0];
  auto fail = [&](const std::string& why) {
    state_.error("script line " + std::to_string(c.line) + ": " + why);
    ++script_errors_;
  };
  if (c.name == "orbit") {
    state_.camera = orbit_view(state_.document.loaded().bounds(), script_float(c, 0),
                               script_float(c, 1), state_.camera.fov_y_deg);
  } else if (c.name == "camera") {
    if (a0 == "reference") {
      reset_camera(state_);
    } else if (a0 == "dataset") {
      if (!look_through(state_, script_int(c, 1))) fail("no dataset camera " + c.args[1]);
    } else if (a0 == "nearest") {
      if (!look_through(state_, nearest_camera(state_.dataset.cameras, state_.camera.pose())))
        fail("no dataset open");
    } else if (a0 == "next") {
      look_through(state_,
                   std::min(int(state_.dataset.cameras.size()) - 1, state_.dataset.current + 1));
    } else if (a0 == "previous") {
      look_through(state_, std::max(0, state_.dataset.current - 1));
    }
  } else if (c.name == "mode") {
    state_.camera.set_mode(a0 == "orbit" ? CameraMode::kOrbit
                           : a0 == "fly" ? CameraMode::kFly
                                         : CameraMode::kPanorama);
  } else if (c.name == "fov") {
    state_.camera.fov_y_deg = script_float(c, 0);
  } else if (c.name == "look") {
    if (state_.camera.mode == CameraMode::kOrbit) state_.camera.set_mode(CameraMode::kFly);
    state_.camera.exact_pose.reset();
    state_.camera.yaw_deg = script_float(c, 0);
    state_.camera.pitch_deg = script_float(c, 1);
  } else if (c.name == "move") {
    state_.camera.move(vec3(script_float(c, 0), script_float(c, 1), script_float(c, 2)));
  } else if (c.name == "open") {
    if (!open_file(state_, a0)) ++script_errors_;
  } else if (c.name == "dataset") {
    if (!open_dataset(state_, a0)) ++script_errors_;
  } else if (c.name == "frusta") {
    state_.dataset.frusta = a0 == "on";
  } else if (c.name == "compare") {
    state_.dataset.compare = a0 == "on";
  } else if (c.name == "toggle" || c.name == "show" || c.name == "hide") {
    const int item = state_.document.find_item(a0);
    if (item < 0) return fail("no item '" + a0 + "'");
    DocumentItem& d = state_.document.items()[size_t(item)];
    if (c.args.size() == 1) {
      d.visible = c.name == "toggle" ? !d.visible : c.name == "show";
    } else {
      const int layer = state_.document.find_layer(item, c.args[1]);
      if (layer < 0) return fail("item '" + a0 + "' has no layer '" + c.args[1] + "'");
      const bool now = d.layer_visible[size_t(layer)];
      d.layer_visible[size_t(layer)] = c.name == "toggle" ? !now : c.name == "show";
    }
    state_.document.touch();
  } else if (c.name == "opacity") {
    const int item = state_.document.find_item(a0);
    if (item < 0) return fail("no item '" + a0 + "'");
    state_.document.items()[size_t(item)].opacity = std::clamp(script_float(c, 1), 0.0f, 1.0f);
    state_.document.touch();
  } else if (c.name == "view") {
    parse_view(a0, &state_.view);
  } else if (c.name == "key") {
    if (a0 == "add") state_.path.add(state_.camera.pose(), state_.camera.fov_y_deg);
    if (a0 == "remove") state_.path.remove(script_int(c, 1));
    if (a0 == "clear") state_.path.clear();
  } else if (c.name == "path") {
    try {
      state_.path.save(c.args[1], state_.width, state_.height);
    } catch (const std::exception& e) {
      fail(e.what());
    }
  } else if (c.name == "play") {
    state_.path.set_playing(a0 == "on");
  } else if (c.name == "scrub") {
    state_.path.scrub(script_float(c, 0));
    mat4 pose;
    float fov;
    if (state_.path.view_at_cursor(&pose, &fov)) state_.camera.set_pose(pose, fov);
  } else if (c.name == "ui") {
    state_.ui_visible = a0 == "show";
    script_ui_forced_ = state_.ui_visible;
  } else if (c.name == "screenshot") {
    pending_screenshot_ = a0;
  } else if (c.name == "resize") {
    glfwSetWindowSize(window_, script_int(c, 0), script_int(c, 1));
  } else if (c.name == "minimize") {
    glfwIconifyWindow(window_);
    pseudo_minimised_ = true;
  } else if (c.name == "restore") {
    glfwRestoreWindow(window_);
    pseudo_minimised_ = false;
  } else if (c.name == "quit") {
    state_.quit = true;
  }
}

void Viewer::run_script_commands() {
  if (!script_.active()) return;
  for (const ScriptCommand& c : script_.step()) {
    try {
      apply(c);
    } catch (const std::exception& e) {
      state_.error("script line " + std::to_string(c.line) + ": " + e.what());
      ++script_errors_;
    }
  }
}

void Viewer::draw_ui() {
  draw_main_menu(state_);
  draw_scene_panel(state_);
  draw_camera_panel(state_);
  draw_path_panel(state_);
  draw_stats_overlay(state_);
  draw_layer_legend(state_);
  draw_error_popup(state_);
}

int Viewer::run() {
  if (!options_.no_settings) {
    state_.settings_file = settings_path();
    state_.settings = load_settings(state_.settings_file);
  }
  if (options_.width > 0) {
    state_.settings.window_width = options_.width;
    state_.settings.window_height = options_.height;
  }
  if (!options_.script.empty()) script_ = ScriptRunner(read_script(options_.script));
  start_window();
  for (const std::string& f : options_.files) open_file(state_, f);

  auto last = Clock::now();
  while (!state_.quit && !glfwWindowShouldClose(window_)) {
    const bool minimised = pseudo_minimised_ || glfwGetWindowAttrib(window_, GLFW_ICONIFIED);
    if (minimised)
      glfwWaitEventsTimeout(0.02);
    else
      glfwPollEvents();
    const double dt = ms_since(last);
    last = Clock::now();
    for (const std::string& f : state_.to_open) open_file(state_, f);
    state_.to_open.clear();
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    // Script commands run on iterations that draw (a window not mapped yet has no size, so
    // `wait N` counts drawn frames and `path save` knows the size), or while minimised (so that
    // `restore` comes). A screenshot whose frame was skipped (swapchain remade) is taken before
    // the script goes on.
    if (!minimised && fb_w > 0 && fb_h > 0) {
      state_.width = fb_w;
      state_.height = fb_h;
    }
    if (pending_screenshot_.empty() && (minimised || (fb_w > 0 && fb_h > 0))) {
      run_script_commands();
      glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    }
    if (minimised || fb_w <= 0 || fb_h <= 0) {
      if (!pending_screenshot_.empty()) {
        state_.error("screenshot " + pending_screenshot_ + " skipped: the window is minimised");
        pending_screenshot_.clear();
        ++script_errors_;
      }
      continue;  // nothing to draw into; the swapchain is remade on restore
    }
    state_.width = fb_w;
    state_.height = fb_h;
    state_.stats.add_frame(dt);
    if (frames_shown_++ > 0) frames_ms_ += dt;

    presenter_->new_frame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    handle_input(dt / 1000.0);
    state_.path.advance(dt / 1000.0);
    if (state_.path.playing()) {
      mat4 pose;
      float fov;
      if (state_.path.view_at_cursor(&pose, &fov)) state_.camera.set_pose(pose, fov);
    }
    const bool script_shot = !pending_screenshot_.empty();
    const bool overlay = state_.ui_visible && (!script_shot || script_ui_forced_);
    if (state_.ui_visible) {
      draw_ui();
      draw_frusta(state_, state_.camera.camera(fb_w, fb_h));
    }
    ImGui::Render();

    Rgba8Image frame = render_frame();
    Rgba8Image captured;
    const bool want_capture = script_shot || state_.screenshot_requested;
    const bool shown = presenter_->present(frame, overlay, want_capture ? &captured : nullptr);
    if (shown && script_shot) {
      save_screenshot(captured, pending_screenshot_);
      pending_screenshot_.clear();
    } else if (shown && state_.screenshot_requested) {
      char name[64];
      const std::time_t now = std::time(nullptr);
      std::strftime(name, sizeof(name), "strata-%Y%m%d-%H%M%S.png", std::localtime(&now));
      save_screenshot(frame, name);  // the view without the overlay
      state_.screenshot_requested = false;
    }
    // A skipped frame (swapchain remade) keeps the screenshot for the next one.
  }

  if (!options_.no_settings) {
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    if (w > 0 && h > 0 && options_.width == 0) {
      state_.settings.window_width = w;
      state_.settings.window_height = h;
    }
    save_settings(state_.settings_file, state_.settings);
  }
  int status = 0;
  if (script_.active()) {
    const std::vector<std::string> messages = validation_messages();
    if (!messages.empty()) {
      std::fprintf(stderr, "strata-viewer: %zu Vulkan validation message(s) during the script\n",
                   messages.size());
      status = 1;
    }
    if (script_errors_ > 0) {
      std::fprintf(stderr, "strata-viewer: the script had %d error(s)\n", script_errors_);
      status = 1;
    }
    std::fprintf(stderr,
                 "strata-viewer: %d frames at %dx%d, %.1f ms/frame (%.1f fps); %d scene renders, "
                 "%.1f ms each\n",
                 frames_shown_, state_.width, state_.height,
                 frames_ms_ / std::max(1, frames_shown_ - 1),
                 1000.0 * std::max(1, frames_shown_ - 1) / std::max(1e-9, frames_ms_), renders_,
                 renders_ms_ / std::max(1, renders_));
    std::fprintf(stderr,
                 "strata-viewer: swapchain made %d time(s); validation %s, %zu message(s)\n",
                 presenter_->swapchain_generation(),
                 presenter_->validation_enabled() ? "on" : "off", messages.size());
  }
  return status;
}

}  // namespace

int run_viewer(const ViewerOptions& options) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  const char* kNoDisplay =
      "strata-viewer: no display (%s); the viewer needs a window. For headless rendering use "
      "`strata render SCENE --orbit --out DIR` (or --path path.json)\n";
  if ((!display || !*display) && (!wayland || !*wayland)) {
    std::fprintf(stderr, kNoDisplay, "neither DISPLAY nor WAYLAND_DISPLAY is set");
    return 2;
  }
  glfwSetErrorCallback([](int code, const char* text) {
    std::fprintf(stderr, "strata-viewer: glfw: %s (0x%x)\n", text, code);
  });
  if (!glfwInit()) {
    std::fprintf(stderr, kNoDisplay, "GLFW could not connect to it");
    return 2;
  }
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    throw VulkanUnavailable(
        "GLFW finds no Vulkan loader for windows (Debian: apt-get install libvulkan1 "
        "mesa-vulkan-drivers)");
  }
  Viewer viewer(options);
  return viewer.run();
}

}  // namespace strata::viewer
