// strata bench planes: renders the synthetic structural MPI (renderer/bench_scene.h) for N
// frames with the CPU reference and/or Vulkan and prints frames per second, ms per frame, the
// texture bytes a frame must read, the measured memcpy bandwidth, the bandwidth-bound time and
// the ratio to it, and the speed-up of Vulkan over the CPU.
// strata bench gaussians: renders N random Gaussians (renderer/bench_gaussians.h) the same way
// and prints fps, ms per frame, tile entries per frame and the per-pass device times.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/core/parallel.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/planes/plane_set_render.h"
#include "renderer/bench_gaussians.h"
#include "renderer/bench_scene.h"
#include "renderer/vulkan_renderer.h"

namespace strata::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct BenchPlanesOptions {
  std::string device;            // Vulkan device index or name substring
  std::string backend = "both";  // vulkan, cpu or both
  int frames = 20;               // timed frames per backend
  int width = 1280;              // pixels
  int height = 720;              // pixels
  int planes = 32;               // total planes of the synthetic scene
  bool validation = false;       // Khronos validation layer (slows Vulkan down)
  bool half_float = false;       // RGBA16F plane textures on the GPU
};

struct BenchGaussiansCliOptions {
  std::string device;            // Vulkan device index or name substring
  std::string backend = "both";  // vulkan, cpu or both
  int frames = 20;               // timed frames per backend
  int width = 1465;              // pixels (the anchor's size)
  int height = 766;              // pixels
  int64_t count = 1000000;       // Gaussians
  bool validation = false;       // Khronos validation layer (slows Vulkan down)
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds used by every thread of this process so far (llvmpipe's threads included): with
// other work on the machine, CPU time per frame / cores estimates the uncontended frame time.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// Single-threaded memcpy bandwidth, bytes per second: the best of several copies of a buffer far
// larger than the caches (what streaming plane textures through memory costs).
double measure_copy_bandwidth() {
  const size_t bytes = size_t(256) << 20;
  std::vector<uint8_t> source(bytes, 1), destination(bytes, 0);  // touched: no page faults timed
  double best = 1e30;
  for (int i = 0; i < 6; ++i) {
    const Clock::time_point start = Clock::now();
    std::memcpy(destination.data(), source.data(), bytes);
    best = std::min(best, seconds_since(start));
    source[size_t(i) * 4096] = destination[size_t(i) * 8192];  // keep the copies observable
  }
  return double(bytes) / best;
}

// One result line; the effective bandwidth is the texture bytes a frame must read over its time.
void print_line(const std::string& label, double ms, double bound_ms, double frame_bytes,
                const std::string& extra) {
  std::printf(
      "  %-44s %9.2f ms/frame %8.2f fps %7.2f GB/s effective %7.2fx the bandwidth bound%s\n",
      label.c_str(), ms, 1000.0 / ms, frame_bytes / (ms * 1e-3) / 1e9, ms / bound_ms,
      extra.c_str());
}

void run_bench_planes(const BenchPlanesOptions& o) {
  if (o.frames < 1 || o.width < 1 || o.height < 1 || o.planes < 1)
    throw InputError("", "--frames/--width/--height/--planes", "expected positive numbers");
  if (o.width > 16384 || o.height > 16384)
    throw InputError("", "--width/--height", "expected at most 16384 pixels a side");

  const Clock::time_point build_start = Clock::now();
  BenchSceneOptions scene_options;
  scene_options.planes = o.planes;
  scene_options.width = o.width;
  scene_options.height = o.height;
  PlaneSet planes = make_bench_planes(scene_options);
  int fronto = 0;
  for (const Plane& p : planes.planes) fronto += p.name.rfind("mpi_", 0) == 0;
  const double frame_bytes = double(planes.texture_bytes_rgba8());  // before planes move away
  const double texture_mb = frame_bytes / 1e6;
  std::printf(
      "strata bench planes: %zu planes (%zu structural, %d fronto-parallel) at %dx%d, %d frames\n",
      planes.planes.size(), planes.planes.size() - size_t(fronto), fronto, o.width, o.height,
      o.frames);
  std::printf(
      "  scene built in %.2f s; plane textures: %.1f MB of RGBA8 texels a frame must read\n",
      seconds_since(build_start), texture_mb);

  // The Vulkan device first: a bad --device fails before minutes of CPU rendering.
  std::unique_ptr<VulkanSceneRenderer> vulkan;
  if (o.backend == "vulkan" || o.backend == "both") {
    VulkanOptions options;
    options.device = o.device;
    options.validation = o.validation;
    VulkanPlanesSettings settings;
    settings.half_float_textures = o.half_float;
    try {
      vulkan = make_vulkan_scene_renderer(options, settings);
    } catch (const VulkanUnavailable& e) {
      if (o.backend == "vulkan" || !o.device.empty()) throw InputError("", "--device", e.what());
      std::fprintf(stderr, "strata: notice: no Vulkan (%s); benchmarking the CPU only\n", e.what());
    }
  }

  const double bandwidth = measure_copy_bandwidth();
  const double bound_ms = double(planes.texture_bytes_rgba8()) / bandwidth * 1000.0;
  std::printf(
      "  memcpy bandwidth: %.2f GB/s (1 thread, best of 6 copies of 256 MiB) -> "
      "bandwidth bound %.2f ms/frame\n",
      bandwidth / 1e9, bound_ms);

  auto camera = [&](int frame) { return bench_camera(o.width, o.height, frame, o.frames); };
  double cpu_ms = 0.0, vulkan_ms = 0.0;
  RenderOutput cpu_first, vulkan_first;

  if (o.backend == "cpu" || o.backend == "both") {
    cpu_first = render_planes(planes, camera(0));  // warm-up (threads start); kept for PSNR
    const Clock::time_point start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int i = 0; i < o.frames; ++i) render_planes(planes, camera(i));
    cpu_ms = seconds_since(start) * 1000.0 / o.frames;
    char extra[160];
    std::snprintf(extra, sizeof(extra), "\n  %-44s CPU time %.2f ms/frame (all threads)", "",
                  (process_cpu_seconds() - cpu_start) * 1000.0 / o.frames);
    print_line("cpu reference (" + std::to_string(thread_count()) + " threads):", cpu_ms, bound_ms,
               frame_bytes, extra);
  }

  if (vulkan) {
    Scene scene;
    SceneItem item;
    item.name = "bench";
    item.content = std::move(planes);  // the CPU is done with them (float textures: GBs at 1080p)
    scene.items.push_back(std::move(item));
    const Clock::time_point upload_start = Clock::now();
    vulkan->set_scene(scene);
    const double upload_s = seconds_since(upload_start);
    // Warm-up: shader compilation on first use, target allocation.
    vulkan_first = vulkan->render(camera(0));
    vulkan->draw(camera(1));
    vulkan->finish();
    // Timed: frames submitted back to back (two in flight), the clock stopped when the last
    // fence signals. No readback in the loop.
    vulkan->take_pass_times_ms();  // forget the warm-up frames
    const Clock::time_point start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int i = 0; i < o.frames; ++i) vulkan->draw(camera(i));
    vulkan->finish();
    const auto passes = vulkan->take_pass_times_ms();
    vulkan_ms = seconds_since(start) * 1000.0 / o.frames;
    const double vulkan_cpu_ms = (process_cpu_seconds() - cpu_start) * 1000.0 / o.frames;
    // Readback, timed on its own: copy to host memory and conversion to an Image.
    const int readbacks = std::min(o.frames, 5);
    const Clock::time_point readback_start = Clock::now();
    for (int i = 0; i < readbacks; ++i) vulkan->read_back();
    const double readback_ms = seconds_since(readback_start) * 1000.0 / readbacks;
    char extra[256];
    std::snprintf(extra, sizeof(extra),
                  "\n  %-44s CPU time %.2f ms/frame (all threads); upload %.2f s (%.1f MB of "
                  "texels); readback %.2f ms/frame",
                  "", vulkan_cpu_ms, upload_s, double(vulkan->texture_bytes()) / 1e6, readback_ms);
    print_line(vulkan->name() + ":", vulkan_ms, bound_ms, frame_bytes, extra);
    for (const auto& [pass, ms] : passes)
      std::printf("  %-44s %9.2f ms/frame (device timestamps)\n", ("  " + pass).c_str(), ms);
    const std::vector<std::string> messages = vulkan->validation_messages();
    if (!messages.empty())
      std::printf("  vulkan: %zu validation message(s), see above\n", messages.size());
  }

  if (cpu_ms > 0.0 && vulkan_ms > 0.0) {
    std::printf("  speed-up of vulkan over the cpu reference: %.2fx\n", cpu_ms / vulkan_ms);
    std::printf("  frame 0, vulkan vs cpu: PSNR %.2f dB\n",
                psnr(cpu_first.color, vulkan_first.color));
  }
}

// Frame `frame` of `frames` for the Gaussian bench: a pinhole (60 degrees vertical) at the origin
// moving on a 0.3 m loop while looking at the box's centre.
Camera bench_gaussians_camera(int width, int height, int frame, int frames) {
  const float t = 6.2831853f * float(frame) / float(std::max(frames, 1));
  const vec3 eye(0.15f * std::sin(t), 0.1f * std::cos(t), 0.0f);
  return Camera::pinhole_fov_y(width, height, glm::radians(60.0f),
                               look_at(eye, BenchGaussiansOptions{}.center));
}

void run_bench_gaussians(const BenchGaussiansCliOptions& o) {
  if (o.frames < 1 || o.width < 1 || o.height < 1 || o.count < 1)
    throw InputError("", "--frames/--width/--height/--count", "expected positive numbers");
  const Clock::time_point build_start = Clock::now();
  BenchGaussiansOptions cloud_options;
  cloud_options.count = size_t(o.count);
  GaussianCloud cloud = make_bench_gaussians(cloud_options);
  std::printf("strata bench gaussians: %zu random Gaussians (SH degree 3) at %dx%d, %d frames\n",
              cloud.size(), o.width, o.height, o.frames);
  std::printf("  cloud built in %.2f s\n", seconds_since(build_start));
  auto camera = [&](int frame) {
    return bench_gaussians_camera(o.width, o.height, frame, o.frames);
  };

  // The Vulkan device first: a bad --device fails before minutes of CPU rendering.
  std::unique_ptr<VulkanSceneRenderer> vulkan;
  if (o.backend == "vulkan" || o.backend == "both") {
    VulkanOptions options;
    options.device = o.device;
    options.validation = o.validation;
    try {
      vulkan = make_vulkan_scene_renderer(options);
    } catch (const VulkanUnavailable& e) {
      if (o.backend == "vulkan" || !o.device.empty()) throw InputError("", "--device", e.what());
      std::fprintf(stderr, "strata: notice: no Vulkan (%s); benchmarking the CPU only\n", e.what());
    }
  }

  double cpu_ms = 0.0, vulkan_ms = 0.0;
  RenderOutput cpu_first, vulkan_first;
  if (o.backend == "cpu" || o.backend == "both") {
    GaussianRasterState state;
    cpu_first = render_gaussians(cloud, camera(0), {}, &state);  // warm-up; kept for PSNR
    const Clock::time_point start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int i = 0; i < o.frames; ++i) render_gaussians(cloud, camera(i));
    cpu_ms = seconds_since(start) * 1000.0 / o.frames;
    std::printf(
        "  %-44s %9.2f ms/frame %8.2f fps\n  %-44s CPU time %.2f ms/frame (all threads); "
        "%zu tile entries in frame 0\n",
        ("cpu reference (" + std::to_string(thread_count()) + " threads):").c_str(), cpu_ms,
        1000.0 / cpu_ms, "", (process_cpu_seconds() - cpu_start) * 1000.0 / o.frames,
        state.bins.ids.size());
  }

  if (vulkan) {
    Scene scene;
    SceneItem item;
    item.name = "bench";
    item.content = std::move(cloud);
    scene.items.push_back(std::move(item));
    const Clock::time_point upload_start = Clock::now();
    vulkan->set_scene(scene);
    const double upload_s = seconds_since(upload_start);
    // Warm-up: pipelines on first use, targets and tile-entry buffers sized for the view.
    vulkan_first = vulkan->render(camera(0));
    vulkan->draw(camera(1));
    vulkan->finish();
    vulkan->take_pass_times_ms();
    const Clock::time_point start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int i = 0; i < o.frames; ++i) vulkan->draw(camera(i));
    vulkan->finish();
    const auto passes = vulkan->take_pass_times_ms();
    vulkan_ms = seconds_since(start) * 1000.0 / o.frames;
    std::printf(
        "  %-44s %9.2f ms/frame %8.2f fps\n  %-44s CPU time %.2f ms/frame (all threads); "
        "upload %.2f s\n",
        (vulkan->name() + ":").c_str(), vulkan_ms, 1000.0 / vulkan_ms, "",
        (process_cpu_seconds() - cpu_start) * 1000.0 / o.frames, upload_s);
    for (const auto& [pass, ms] : passes)
      std::printf("  %-44s %9.2f ms/frame (device timestamps)\n", ("  " + pass).c_str(), ms);
    const std::vector<std::string> messages = vulkan->validation_messages();
    if (!messages.empty())
      std::printf("  vulkan: %zu validation message(s), see above\n", messages.size());
  }

  if (cpu_ms > 0.0 && vulkan_ms > 0.0) {
    std::printf("  speed-up of vulkan over the cpu reference: %.2fx\n", cpu_ms / vulkan_ms);
    std::printf("  frame 0, vulkan vs cpu: PSNR %.2f dB\n",
                psnr(cpu_first.color, vulkan_first.color));
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Measure renderer speed on synthetic scenes");
  bench->require_subcommand(1);
  auto options = std::make_shared<BenchPlanesOptions>();
  CLI::App* planes = bench->add_subcommand(
      "planes",
      "Render a synthetic structural MPI (a room's walls and floor, crossing panels and "
      "fronto-parallel planes with sparse soft-edged content) for N frames of a moving camera; "
      "print fps, ms/frame, texture bytes per frame, memcpy bandwidth, the bandwidth bound and "
      "the speed-up of Vulkan over the CPU reference");
  planes->add_option("--device", options->device,
                     "Vulkan device: index or name substring (see strata info --devices); "
                     "default: discrete, then integrated, then CPU");
  planes->add_option("--backend", options->backend, "Which to measure: vulkan, cpu or both")
      ->check(CLI::IsMember({"vulkan", "cpu", "both"}))
      ->capture_default_str();
  planes->add_option("--frames", options->frames, "Timed frames per backend")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  planes->add_option("--width", options->width, "Image width, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  planes->add_option("--height", options->height, "Image height, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  planes
      ->add_option("--planes", options->planes,
                   "Planes in the scene (up to 7 structural, the rest fronto-parallel)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  planes->add_flag("--validation", options->validation,
                   "Enable the Vulkan validation layer (slower; for checking, not timing)");
  planes->add_flag("--half-float", options->half_float,
                   "Store plane textures as RGBA16F on the GPU instead of RGBA8");
  planes->callback([options] { run_bench_planes(*options); });

  auto gaussian_options = std::make_shared<BenchGaussiansCliOptions>();
  CLI::App* gaussians = bench->add_subcommand(
      "gaussians",
      "Render random Gaussians of SH degree 3 in a box in front of a moving camera for N frames; "
      "print fps, ms/frame, tile entries and per-pass device times, and the speed-up of Vulkan "
      "over the CPU reference");
  gaussians->add_option("--device", gaussian_options->device,
                        "Vulkan device: index or name substring (see strata info --devices); "
                        "default: discrete, then integrated, then CPU");
  gaussians
      ->add_option("--backend", gaussian_options->backend, "Which to measure: vulkan, cpu or both")
      ->check(CLI::IsMember({"vulkan", "cpu", "both"}))
      ->capture_default_str();
  gaussians->add_option("--count", gaussian_options->count, "Gaussians")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 31))
      ->capture_default_str();
  gaussians->add_option("--frames", gaussian_options->frames, "Timed frames per backend")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  gaussians->add_option("--width", gaussian_options->width, "Image width, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  gaussians->add_option("--height", gaussian_options->height, "Image height, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  gaussians->add_flag("--validation", gaussian_options->validation,
                      "Enable the Vulkan validation layer (slower; for checking, not timing)");
  gaussians->callback([gaussian_options] { run_bench_gaussians(*gaussian_options); });
  register_bench_shells(*bench);  // command_bench_shells.cpp
}

}  // namespace strata::cli
