// strata eval OUT DATA [--out DIR]: renders the dataset's test views with any representation
// strata loads (a .field, a planes.json folder, a Gaussian .ply, ...), prints PSNR and SSIM per
// view and, last, `mean PSNR <dB> SSIM <value>`; writes the renders beside the ground truth (and
// an error image and depth) into DIR. Fields use their own renderer (and the downscale they were
// trained at); everything else the CPU reference renderer of a scene (neural/scene).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/core/parallel.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_eval.h"
#include "neural/field/field_io.h"
#include "neural/scene/scene.h"
#include "neural/scene/scene_render.h"

namespace strata::cli {

namespace {

struct EvalArgs {
  std::string field;  // any representation
  std::string data;
  std::string out;
  int downscale = 0;  // 0: the one the field was trained at, or the scene's reference camera's
  int test_every = 8;
  int views = 0;
  int threads = 0;
};

void print_view(const ViewScore& v) {
  std::printf("%-16s PSNR %6.2f dB  SSIM %.4f  (%.2f s)\n", v.name.c_str(), v.psnr, v.ssim,
              v.seconds);
  std::fflush(stdout);
}

void eval_field(const EvalArgs& a) {
  const RadianceField field = load_field(a.field);
  const int downscale = a.downscale > 0 ? a.downscale : field.config.dataset_downscale;
  const Dataset dataset = load_dataset(a.data, DatasetOptions{downscale, a.test_every});
  std::vector<DatasetFrame> frames = dataset.test;
  if (frames.empty()) throw InputError(a.data, "frames", "the dataset has no test views");
  if (a.views > 0 && frames.size() > size_t(a.views)) frames.resize(size_t(a.views));
  EvalOptions options;
  options.output_dir = a.out;
  std::printf("%zu test views at %dx%d (downscale %d), white background\n", frames.size(),
              frames[0].camera.width, frames[0].camera.height, downscale);
  const EvalResult r = evaluate_field(field, frames, options, print_view);
  std::printf("rendering: %.0f rays/s on %d threads\n", r.rays_per_second, thread_count());
  if (!a.out.empty()) std::printf("renders, ground truth and errors in %s\n", a.out.c_str());
  std::printf("mean PSNR %.2f SSIM %.4f\n", r.mean_psnr, r.mean_ssim);
}

// The downscale a scene was fitted at: the dataset's width over its reference camera's, when
// that is a whole number; else 1.
int scene_downscale(const Scene& scene, const std::string& data, int test_every) {
  if (!scene.reference_camera) return 1;
  const Dataset full = load_dataset(data, DatasetOptions{1, test_every});
  if (full.test.empty()) return 1;
  const int w = full.test[0].camera.width, rw = scene.reference_camera->width;
  return rw > 0 && w % rw == 0 && w / rw >= 1 ? w / rw : 1;
}

void eval_scene(const EvalArgs& a) {
  const Scene scene = load_scene(a.field);
  const int downscale =
      a.downscale > 0 ? a.downscale : scene_downscale(scene, a.data, a.test_every);
  const Dataset dataset = load_dataset(a.data, DatasetOptions{downscale, a.test_every});
  std::vector<DatasetFrame> frames = dataset.test;
  if (frames.empty()) throw InputError(a.data, "frames", "the dataset has no test views");
  if (a.views > 0 && frames.size() > size_t(a.views)) frames.resize(size_t(a.views));
  if (!a.out.empty()) ensure_writable_directory(a.out);
  const vec3 background(1.0f);
  std::string what = describe(scene);
  if (!what.empty() && what.back() == '\n') what.pop_back();
  std::printf("%s\n%zu test views at %dx%d (downscale %d), white background\n", what.c_str(),
              frames.size(), frames[0].camera.width, frames[0].camera.height, downscale);
  const PreparedScene prepared = prepare_scene(scene);
  double mean_psnr = 0.0, mean_ssim = 0.0, seconds = 0.0;
  size_t pixels = 0;
  for (const DatasetFrame& frame : frames) {
    const Image truth = load_frame_image(frame);
    const auto start = std::chrono::steady_clock::now();
    const RenderOutput render = render_scene(prepared, frame.camera);
    ViewScore s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.name = std::filesystem::path(frame.image_path).stem().string();
    s.psnr = psnr(render.color, truth, background);
    s.ssim = ssim(render.color, truth, background);
    if (!a.out.empty()) {
      const std::string base = a.out + "/" + s.name;
      write_png(base + "_render.png", over_background(render.color, background));
      write_png(base + "_gt.png", over_background(truth, background));
      write_png(base + "_diff.png", difference_image(render.color, truth, 4.0f, background));
      write_png16(base + "_depth.png", render.depth, 1000.0f);
    }
    print_view(s);
    mean_psnr += s.psnr / double(frames.size());
    mean_ssim += s.ssim / double(frames.size());
    seconds += s.seconds;
    pixels += size_t(frame.camera.width) * size_t(frame.camera.height);
  }
  std::printf("rendering: %.0f pixels/s on %d threads (CPU reference renderer)\n",
              double(pixels) / std::max(1e-9, seconds), thread_count());
  if (!a.out.empty()) std::printf("renders, ground truth and errors in %s\n", a.out.c_str());
  std::printf("mean PSNR %.2f SSIM %.4f\n", mean_psnr, mean_ssim);
}

void run_eval(const EvalArgs& a) {
  if (a.threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (a.threads > 0) set_thread_count(a.threads);
  if (a.downscale < 0) throw InputError("", "--downscale", "expected an integer >= 1");
  if (std::filesystem::path(a.field).extension() == ".field")
    eval_field(a);
  else
    eval_scene(a);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* c = app.add_subcommand(
      "eval",
      "Score any representation (field, planes, Gaussians, ...) on a dataset's test views "
      "(PSNR, SSIM) and save renders");
  c->add_option("input", args->field,
                "What to score: a .field, a planes.json (or its folder), a Gaussian .ply, ... "
                "(anything `strata render` loads)")
      ->required();
  c->add_option("data", args->data, "Dataset folder or transforms*.json")->required();
  c->add_option("--out", args->out, "Folder for <view>_render.png, _gt.png, _diff.png, _depth.png");
  c->add_option("--downscale", args->downscale,
                "Image downscale (default: a field's training one; else the dataset's width over "
                "the scene's reference camera's, or 1)");
  c->add_option("--test-every", args->test_every,
                "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  c->add_option("--views", args->views, "Score only the first N test views");
  c->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  c->callback([args] { run_eval(*args); });
}

}  // namespace strata::cli
