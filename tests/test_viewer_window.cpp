// strata-viewer in a real window: Xvfb (Debian xvfb) provides the X server, llvmpipe the Vulkan
// device. Scripts drive the viewer; its screenshots must match the offline renderer's images of
// the same views, resizing and minimising must not crash, and the validation layer must stay
// quiet (STRATA_VK_VALIDATION=1: the viewer exits 1 after a script when it said anything).
// Skipped with a message when Xvfb or the viewer is not there. [viewer]
#include <fcntl.h>
#include <poll.h>
#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "apps/viewer/camera_controller.h"
#include "apps/viewer/scene_document.h"
#include "apps/viewer/view_mode.h"
#include "neural/core/atomic_file.h"
#include "neural/core/image_io.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/path/camera_path.h"
#include "renderer/scene_renderer.h"
#include "tests/test_support.h"

extern char** environ;

using namespace strata;
namespace fs = std::filesystem;

namespace {

#ifdef STRATA_VIEWER_PATH
const char* kViewer = STRATA_VIEWER_PATH;
#else
const char* kViewer = nullptr;
#endif

const vec3 kBackground(0.1f);  // the viewer's default background (Settings)

// An X server for the life of the object. Xvfb picks a free display number itself and reports
// it (-displayfd), so tests running in parallel never share or race for one.
class Xvfb {
 public:
  Xvfb() {
    if (!fs::exists("/usr/bin/Xvfb")) return;
    int fds[2];
    if (pipe(fds) != 0) return;
    const char* argv[] = {"/usr/bin/Xvfb", "-displayfd", "3",   "-screen", "0",
                          "1280x1024x24",  "-nolisten",  "tcp", nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // Close the read end first: when pipe() returned fd 3 for it, closing it after the dup2
    // would close the display fd itself (Xvfb then exits and every test here skips).
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int failed =
        posix_spawn(&pid_, argv[0], &actions, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (failed) {
      pid_ = -1;
      close(fds[0]);
      return;
    }
    // The display number, then a newline, once the server accepts connections.
    std::string number;
    pollfd poll_fd{fds[0], POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (poll(&poll_fd, 1, 100) <= 0) continue;
      char c = 0;
      if (read(fds[0], &c, 1) != 1 || c == '\n') break;
      number += c;
    }
    close(fds[0]);
    if (number.empty()) {
      stop();
      return;
    }
    display_ = ":" + number;
  }
  ~Xvfb() { stop(); }
  const std::string& display() const { return display_; }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  pid_t pid_ = -1;
  std::string display_;
};

// Runs strata-viewer with `args` on `display` (validation on, settings in `dir`); returns the
// exit status and leaves its output in dir/viewer.log.
int run_viewer(const std::string& display, const std::string& dir, const std::string& args) {
  const std::string command =
      "env DISPLAY=" + display + " STRATA_VK_VALIDATION=1 STRATA_THREADS=2 XDG_CONFIG_HOME=" + dir +
      "/config '" + kViewer + "' " + args + " > '" + dir + "/viewer.log' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string log_of(const std::string& dir) {
  return read_file(dir + "/viewer.log");
}

// The run's summary says the validation layer was on (required where STRATA_REQUIRE_VALIDATION=1,
// as scripts/test.sh sets; else only when installed) and said nothing.
void check_validation_clean(const std::string& log) {
  const char* require = std::getenv("STRATA_REQUIRE_VALIDATION");
  const bool required = require && std::string(require) == "1";
  if (required || log.find("validation on") != std::string::npos)
    CHECK(log.find("validation on, 0 message(s)") != std::string::npos);
  else
    WARN("the Vulkan validation layer is not installed: the viewer ran without it");
}

bool ready(Xvfb& x) {
  if (!kViewer) {
    WARN("strata-viewer was not built (libglfw3-dev / libimgui-dev missing); skipping");
    return false;
  }
  if (x.display().empty()) {
    WARN("Xvfb is not installed (Debian: apt-get install xvfb) or did not start; skipping");
    return false;
  }
  return true;
}

std::string room() {
  return test::source_dir() + "/assets/room_corner";
}

}  // namespace

TEST_CASE("viewer screenshots match the offline renderer, validation clean", "[viewer]") {
  Xvfb x;
  if (!ready(x)) return;
  const std::string dir = test::fresh_dir("viewer_room");
  test::write_text(dir + "/script.txt",
                   "orbit 30 15\nwait 2\nscreenshot " + dir + "/orbit.png\nkey add\npath save " +
                       dir + "/path.json\nhide 0 back_wall\nwait 1\nscreenshot " + dir +
                       "/hidden.png\nview depth\nwait 1\nscreenshot " + dir + "/depth.png\nquit\n");
  const int status = run_viewer(x.display(), dir,
                                "--size 320x240 --script " + dir + "/script.txt '" + room() + "'");
  INFO(log_of(dir));
  REQUIRE(status == 0);
  check_validation_clean(log_of(dir));

  // The file opened is remembered for the next run.
  CHECK(read_file(dir + "/config/strata/viewer.json").find("room_corner") != std::string::npos);

  // The same view by `strata render --path` with the path the viewer saved.
  const std::string out = dir + "/offline";
  const std::string render = std::string("'") + STRATA_CLI_PATH + "' render '" + room() +
                             "' --path " + dir + "/path.json --frames 1 --out " + out + " > " +
                             dir + "/render.log 2>&1";
  REQUIRE(std::system(render.c_str()) == 0);
  const Image shot = read_image(dir + "/orbit.png");
  const Image offline = read_image(out + "/0000.png");
  REQUIRE(shot.width == 320);
  REQUIRE(shot.height == 240);
  REQUIRE(offline.width == 320);
  const auto same = test::compare_images("viewer_orbit", shot, offline, 35.0, kBackground);
  INFO(same.message);
  CHECK(same.ok);

  // `orbit 30 15` means the shared orbit camera: the saved keyframe is that pose.
  const Scene scene = load_scene(room());
  const viewer::ViewCamera view = viewer::orbit_view(scene.bounds(), 30.0f, 15.0f, 50.0f);
  const CameraPath path = read_camera_path(dir + "/path.json");
  REQUIRE(path.keyframes.size() == 1);
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 3; ++r)
      CHECK(path.keyframes[0].camera_to_world[c][r] == Approx(view.pose()[c][r]).margin(1e-4));

  // A hidden layer: the document's scene, drawn by the CPU reference at the same camera.
  viewer::SceneDocument doc;
  doc.open(room());
  doc.items()[0].layer_visible[size_t(doc.find_layer(0, "back_wall"))] = false;
  auto cpu = make_cpu_renderer();
  cpu->set_scene(doc.build());
  const RenderOutput hidden = cpu->render(view.camera(320, 240));
  const auto toggled = test::compare_images("viewer_hidden_layer", read_image(dir + "/hidden.png"),
                                            hidden.color, 35.0, kBackground);
  INFO(toggled.message);
  CHECK(toggled.ok);
  // The depth view differs from the colour view.
  CHECK(test::compare_images("viewer_depth_differs", read_image(dir + "/depth.png"), shot, 100.0)
            .psnr_db < 30.0);
}

TEST_CASE("viewer's layers view shows the CPU reference's layer labels", "[viewer][layers]") {
  Xvfb x;
  if (!ready(x)) return;
  const std::string dir = test::fresh_dir("viewer_layers");
  // The path is saved after a frame (the window's size is known then).
  test::write_text(dir + "/script.txt", "orbit 30 15\nview layers\nwait 2\nkey add\npath save " +
                                            dir + "/path.json\nscreenshot " + dir +
                                            "/layers.png\nview color\nwait 1\nscreenshot " + dir +
                                            "/color.png\nquit\n");
  const int status = run_viewer(x.display(), dir,
                                "--size 320x240 --script " + dir + "/script.txt '" + room() + "'");
  const std::string log = log_of(dir);
  INFO(log);
  REQUIRE(status == 0);
  check_validation_clean(log);
  CHECK(log.find("notice") == std::string::npos);

  // The same false colours from the CPU reference's labels at the same camera.
  viewer::SceneDocument doc;
  doc.open(room());
  auto cpu = make_cpu_renderer();
  cpu->set_scene(doc.build());
  const viewer::ViewCamera view =
      viewer::orbit_view(load_scene(room()).bounds(), 30.0f, 15.0f, 50.0f);
  const RenderOutput labelled = cpu->render_layers(view.camera(320, 240));
  REQUIRE(labelled.layer.size() == size_t(320 * 240));
  CHECK(viewer::labels_shown(labelled).size() >= 3);  // walls, floor, balls...
  CHECK(cpu->layer_name(0) == "room_corner / back_wall");
  const Image expected =
      viewer::to_image(viewer::shade(labelled, viewer::ViewMode::kLayers, kBackground));
  const Image shot = read_image(dir + "/layers.png");
  const auto same = test::compare_images("viewer_layers", shot, expected, 35.0, kBackground);
  INFO(same.message);
  CHECK(same.ok);
  // `strata render --layers` writes the same false colours offline.
  const std::string render = std::string("'") + STRATA_CLI_PATH + "' render '" + room() +
                             "' --path " + dir + "/path.json --frames 1 --layers --out " + dir +
                             "/offline > " + dir + "/render.log 2>&1";
  REQUIRE(std::system(render.c_str()) == 0);
  const auto offline =
      test::compare_images("viewer_layers_offline", shot,
                           read_image(dir + "/offline/0000_layers.png"), 35.0, kBackground);
  INFO(offline.message);
  CHECK(offline.ok);
  // The layers view is not the colour view.
  CHECK(test::compare_images("viewer_layers_differ", shot, read_image(dir + "/color.png"), 100.0)
            .psnr_db < 30.0);
}

TEST_CASE("viewer draws Gaussians like the offline renderer", "[viewer]") {
  Xvfb x;
  if (!ready(x)) return;
  const std::string dir = test::fresh_dir("viewer_gaussians");
  GaussianCloud cloud;
  cloud.resize(600);
  uint32_t seed = 7;
  auto rnd = [&] {
    seed = seed * 1664525u + 1013904223u;
    return float(seed >> 8) / float(1u << 24);
  };
  for (size_t i = 0; i < cloud.size(); ++i) {
    cloud.positions[i] = vec3(rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 2 - 1);
    cloud.log_scales[i] = vec3(std::log(0.03f + 0.08f * rnd()));
    cloud.opacity_logits[i] = 1.0f + 2.0f * rnd();
    cloud.sh_at(i, 0) = vec3(rnd() - 0.5f, rnd() - 0.5f, rnd() - 0.5f) * 3.0f;
  }
  write_gaussian_ply(dir + "/cloud.ply", cloud);
  test::write_text(dir + "/script.txt", "orbit 45 10\nwait 1\nkey add\npath save " + dir +
                                            "/path.json\nscreenshot " + dir + "/shot.png\nquit\n");
  const int status = run_viewer(
      x.display(), dir, "--size 256x192 --script " + dir + "/script.txt " + dir + "/cloud.ply");
  INFO(log_of(dir));
  REQUIRE(status == 0);
  check_validation_clean(log_of(dir));
  const std::string render = std::string("'") + STRATA_CLI_PATH + "' render " + dir +
                             "/cloud.ply --path " + dir + "/path.json --frames 1 --out " + dir +
                             "/offline > " + dir + "/render.log 2>&1";
  REQUIRE(std::system(render.c_str()) == 0);
  const auto same = test::compare_images("viewer_gaussians", read_image(dir + "/shot.png"),
                                         read_image(dir + "/offline/0000.png"), 35.0, kBackground);
  INFO(same.message);
  CHECK(same.ok);
}

TEST_CASE("viewer survives resizing and minimising, and bad files", "[viewer]") {
  Xvfb x;
  if (!ready(x)) return;
  const std::string dir = test::fresh_dir("viewer_resize");
  test::write_text(dir + "/script.txt",
                   "wait 2\nresize 400 300\nwait 3\nscreenshot " + dir +
                       "/big.png\nminimize\nwait 5\nrestore\nwait 3\nresize 200 150\nwait 3\n"
                       "screenshot " +
                       dir + "/small.png\nquit\n");
  const int status = run_viewer(
      x.display(), dir,
      "--size 320x240 --script " + dir + "/script.txt /nonexistent/a.ply '" + room() + "'");
  const std::string log = log_of(dir);
  INFO(log);
  REQUIRE(status == 0);
  CHECK(log.find("could not open /nonexistent/a.ply") != std::string::npos);
  const Image big = read_image(dir + "/big.png");
  const Image small = read_image(dir + "/small.png");
  CHECK(big.width == 400);
  CHECK(big.height == 300);
  CHECK(small.width == 200);
  CHECK(small.height == 150);
  check_validation_clean(log);
}

TEST_CASE("viewer without a display points to strata render", "[viewer]") {
  if (!kViewer) return;
  const std::string dir = test::fresh_dir("viewer_no_display");
  const std::string command = std::string("env -u DISPLAY -u WAYLAND_DISPLAY '") + kViewer + "' '" +
                              room() + "' > " + dir + "/log 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  const std::string log = read_file(dir + "/log");
  CHECK(log.find("no display") != std::string::npos);
  CHECK(log.find("strata render") != std::string::npos);
}

TEST_CASE("viewer shows a Gaussian panorama with each layer switchable", "[viewer]") {
  Xvfb x;
  if (!ready(x)) return;
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("../shared is absent; skipping");
    return;
  }
  const std::string dir = test::fresh_dir("viewer_pano");
  const std::string convert = std::string("'") + STRATA_CLI_PATH + "' convert pano " + *shared +
                              "/data/room_pano --out " + dir + "/pano > " + dir +
                              "/convert.log 2>&1";
  REQUIRE(std::system(convert.c_str()) == 0);
  test::write_text(dir + "/script.txt", "wait 1\nscreenshot " + dir +
                                            "/all.png\nhide 0 foreground\n"
                                            "wait 1\nscreenshot " +
                                            dir + "/background.png\nquit\n");
  const int status = run_viewer(x.display(), dir,
                                "--size 320x200 --script " + dir + "/script.txt " + dir + "/pano");
  INFO(log_of(dir));
  REQUIRE(status == 0);
  check_validation_clean(log_of(dir));

  // The panorama opens at its eye (panorama mode); the same view of the document with the
  // foreground layer hidden, drawn by the CPU reference.
  viewer::SceneDocument doc;
  doc.open(dir + "/pano");
  REQUIRE(doc.items().size() == 1);
  REQUIRE(doc.items()[0].layers.size() == 2);
  const int foreground = doc.find_layer(0, "foreground");
  REQUIRE(foreground >= 0);
  const Camera camera = viewer::default_view(doc.loaded()).camera(320, 200);
  doc.items()[0].layer_visible[size_t(foreground)] = false;
  auto cpu = make_cpu_renderer();
  cpu->set_scene(doc.build());
  const Image expected = cpu->render(camera).color;
  const Image background = read_image(dir + "/background.png");
  const auto same =
      test::compare_images("viewer_pano_background", background, expected, 35.0, kBackground);
  INFO(same.message);
  CHECK(same.ok);
  // Hiding the foreground changed the picture.
  CHECK(test::compare_images("viewer_pano_layers_differ", read_image(dir + "/all.png"), background,
                             100.0)
            .psnr_db < 45.0);
}

TEST_CASE("viewer looks through dataset cameras, frusta and side by side", "[viewer]") {
  Xvfb x;
  if (!ready(x)) return;
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("../shared is absent; skipping");
    return;
  }
  const std::string dir = test::fresh_dir("viewer_dataset");
  test::write_text(dir + "/script.txt", "dataset " + *shared +
                                            "/data/room_ff\ncamera dataset 3\n"
                                            "frusta on\ncompare on\nui show\nwait 2\nscreenshot " +
                                            dir +
                                            "/compare.png\n"
                                            "camera next\ncamera nearest\nquit\n");
  const int status = run_viewer(x.display(), dir,
                                "--size 400x200 --script " + dir + "/script.txt '" + room() + "'");
  INFO(log_of(dir));
  REQUIRE(status == 0);
  check_validation_clean(log_of(dir));
  const Image shot = read_image(dir + "/compare.png");
  CHECK(shot.width == 400);
  // The right half holds the photograph: not the plain background.
  double sum = 0.0;
  for (int y = 0; y < shot.height; ++y)
    for (int x2 = 200; x2 < 400; ++x2) sum += std::abs(shot.at(x2, y).g - 0.1f);
  CHECK(sum / (200.0 * shot.height) > 0.05);
}
