// strata bench shells: a synthetic layered surface volume (a bumpy sphere of about --triangles
// base triangles, --shells shells of --texture-size texels with soft alpha) rendered for N frames
// of a camera circling it, by the CPU reference and the Vulkan renderer: ms/frame, fps, CPU time,
// per-pass device times and the PSNR between the two.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include <sys/resource.h>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/scene/scene.h"
#include "neural/shells/shell_render.h"
#include "renderer/vulkan_renderer.h"

namespace strata::cli {

namespace {

struct BenchShellsOptions {
  std::string backend = "both";
  std::string device;
  int triangles = 100000;
  int shells = 8;
  int texture_size = 512;
  int width = 1280, height = 720;
  int frames = 10;
  bool validation = false;
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// A UV sphere of about `triangles` triangles, radius 1 with bumps of 5%, smooth normals.
ShellVolume bench_volume(const BenchShellsOptions& o) {
  const int rings = std::max(4, int(std::sqrt(double(o.triangles) / 4.0)));
  const int segments = 2 * rings;
  ShellVolume s;
  TriangleMesh& m = s.base;
  for (int r = 0; r <= rings; ++r)
    for (int k = 0; k <= segments; ++k) {
      const float theta = kPi * float(r) / float(rings),
                  phi = 2.0f * kPi * float(k) / float(segments);
      const vec3 n(std::sin(theta) * std::cos(phi), std::cos(theta),
                   std::sin(theta) * std::sin(phi));
      const float bump = 1.0f + 0.05f * std::sin(7.0f * theta) * std::sin(5.0f * phi);
      m.positions.push_back(bump * n);
      m.normals.push_back(n);
      m.uvs.push_back(vec2(float(k) / float(segments), float(r) / float(rings)));
    }
  for (int r = 0; r < rings; ++r)
    for (int k = 0; k < segments; ++k) {
      const uint32_t a = uint32_t(r * (segments + 1) + k), b = a + 1,
                     c = uint32_t((r + 1) * (segments + 1) + k), d = c + 1;
      m.indices.insert(m.indices.end(), {a, b, c, b, d, c});
    }
  for (int k = 0; k < o.shells; ++k) {
    s.offsets.push_back(-0.08f + 0.16f * float(k) / float(std::max(o.shells - 1, 1)));
    Image t(o.texture_size, o.texture_size);
    for (int y = 0; y < t.height; ++y)
      for (int x = 0; x < t.width; ++x) {
        const float u = float(x) / float(t.width), v = float(y) / float(t.height);
        const float a = 0.15f + 0.3f * (0.5f + 0.5f * std::sin(40.0f * u + 9.0f * float(k)) *
                                                   std::sin(25.0f * v));
        const vec3 c(0.5f + 0.5f * std::sin(6.0f * u + float(k)), v,
                     0.5f + 0.4f * std::cos(9.0f * u));
        t.at(x, y) = vec4(c * a, a);
      }
    s.textures.push_back(std::move(t));
  }
  s.validate("bench shells");
  return s;
}

Camera bench_camera(const BenchShellsOptions& o, int i) {
  const float angle = 2.0f * kPi * float(i) / float(std::max(o.frames, 1));
  const vec3 eye(3.0f * std::sin(angle), 0.8f, 3.0f * std::cos(angle));
  return Camera::pinhole_fov_y(o.width, o.height, glm::radians(50.0f), look_at(eye, vec3(0.0f)));
}

void run(const BenchShellsOptions& o) {
  const ShellVolume shells = bench_volume(o);
  std::printf(
      "shells: %zu base triangles x %zu shells = %zu triangles, textures %dx%d, %dx%d, "
      "%d frames\n",
      shells.base.triangle_count(), shells.shell_count(), shells.triangle_count(), o.texture_size,
      o.texture_size, o.width, o.height, o.frames);
  RenderOutput cpu_first, vulkan_first;
  double cpu_ms = 0.0, vulkan_ms = 0.0;
  if (o.backend != "vulkan") {
    cpu_first = render_shells(shells, bench_camera(o, 0));  // warm-up, and the reference
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < o.frames; ++i) render_shells(shells, bench_camera(o, i));
    cpu_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                 .count() /
             o.frames;
    std::printf("  %-30s %9.2f ms/frame %7.2f fps  (%.1f ms CPU time/frame)\n",
                "cpu reference:", cpu_ms, 1000.0 / cpu_ms,
                (cpu_seconds() - cpu_start) * 1000.0 / o.frames);
  }
  if (o.backend != "cpu") {
    VulkanOptions options;
    options.device = o.device;
    options.validation = o.validation;
    std::unique_ptr<VulkanSceneRenderer> vulkan;
    try {
      vulkan = make_vulkan_scene_renderer(options);
    } catch (const VulkanUnavailable& e) {
      if (o.backend == "vulkan" || !o.device.empty()) throw InputError("", "--device", e.what());
      std::printf("  vulkan: unavailable (%s)\n", e.what());
    }
    if (vulkan) {
      Scene scene;
      SceneItem item;
      item.name = "bench shells";
      item.content = shells;
      scene.items.push_back(std::move(item));
      const auto upload_start = std::chrono::steady_clock::now();
      vulkan->set_scene(scene);
      const double upload_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - upload_start).count();
      vulkan_first = vulkan->render(bench_camera(o, 0));  // warm-up, entry room sized
      vulkan->take_pass_times_ms();
      const double cpu_start = cpu_seconds();
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < o.frames; ++i) vulkan->draw(bench_camera(o, i));
      vulkan->finish();
      vulkan_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count() /
          o.frames;
      std::printf("  %-30s %9.2f ms/frame %7.2f fps  (%.1f ms CPU time/frame, upload %.2f s)\n",
                  (vulkan->name() + ":").c_str(), vulkan_ms, 1000.0 / vulkan_ms,
                  (cpu_seconds() - cpu_start) * 1000.0 / o.frames, upload_s);
      for (const auto& [pass, ms] : vulkan->take_pass_times_ms())
        std::printf("    %-40s %9.2f ms/frame (device timestamps)\n", pass.c_str(), ms);
      if (!vulkan->validation_messages().empty())
        std::printf("  vulkan: %zu validation message(s), see above\n",
                    vulkan->validation_messages().size());
    }
  }
  if (cpu_ms > 0.0 && vulkan_ms > 0.0) {
    std::printf("  speed-up of vulkan over the cpu reference: %.2fx\n", cpu_ms / vulkan_ms);
    std::printf("  frame 0, vulkan vs cpu: PSNR %.2f dB\n",
                psnr(cpu_first.color, vulkan_first.color));
  }
}

}  // namespace

void register_bench_shells(CLI::App& bench) {
  auto o = std::make_shared<BenchShellsOptions>();
  CLI::App* c = bench.add_subcommand(
      "shells",
      "Render a synthetic shell volume (a bumpy sphere, K soft-alpha shells) for N frames of a "
      "circling camera; print ms/frame, fps and per-pass device times of the CPU reference and "
      "Vulkan, and their PSNR");
  c->add_option("--backend", o->backend, "Which to measure: vulkan, cpu or both")
      ->check(CLI::IsMember({"vulkan", "cpu", "both"}))
      ->capture_default_str();
  c->add_option("--device", o->device, "Vulkan device: index or name substring");
  c->add_option("--triangles", o->triangles, "Base mesh triangles (about)")
      ->check(CLI::Range(8, 50000000))
      ->capture_default_str();
  c->add_option("--shells", o->shells, "Shells")->check(CLI::Range(1, 64))->capture_default_str();
  c->add_option("--texture-size", o->texture_size, "Texels a side of each shell texture")
      ->check(CLI::Range(1, 8192))
      ->capture_default_str();
  c->add_option("--width", o->width, "Image width, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  c->add_option("--height", o->height, "Image height, pixels")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  c->add_option("--frames", o->frames, "Timed frames per backend")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c->add_flag("--validation", o->validation, "Enable the Vulkan validation layer");
  c->callback([o] { run(*o); });
}

}  // namespace strata::cli
