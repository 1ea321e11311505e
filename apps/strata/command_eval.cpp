// strata eval scene.field DATA [--out DIR]: renders the dataset's test views with the field,
// prints PSNR and SSIM per view and, last, `mean PSNR <dB> SSIM <value>`; writes the renders
// beside the ground truth (and an error image and depth) into DIR.
#include <cstdio>
#include <memory>

#include "apps/strata/commands.h"
#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_eval.h"
#include "neural/field/field_io.h"

namespace strata::cli {

namespace {

struct EvalArgs {
  std::string field;
  std::string data;
  std::string out;
  int downscale = 0;  // 0: the one the field was trained at
  int test_every = 8;
  int views = 0;
  int threads = 0;
};

void run_eval(const EvalArgs& a) {
  if (a.threads < 0) throw InputError("", "--threads", "expected a count >= 1");
  if (a.threads > 0) set_thread_count(a.threads);
  if (a.downscale < 0) throw InputError("", "--downscale", "expected an integer >= 1");
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
  const EvalResult r = evaluate_field(field, frames, options, [](const ViewScore& v) {
    std::printf("%-16s PSNR %6.2f dB  SSIM %.4f  (%.2f s)\n", v.name.c_str(), v.psnr, v.ssim,
                v.seconds);
    std::fflush(stdout);
  });
  std::printf("rendering: %.0f rays/s on %d threads\n", r.rays_per_second, thread_count());
  if (!a.out.empty()) std::printf("renders, ground truth and errors in %s\n", a.out.c_str());
  std::printf("mean PSNR %.2f SSIM %.4f\n", r.mean_psnr, r.mean_ssim);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* c = app.add_subcommand(
      "eval", "Score a radiance field on a dataset's test views (PSNR, SSIM) and save renders");
  c->add_option("field", args->field, "The .field file")->required();
  c->add_option("data", args->data, "Dataset folder or transforms*.json")->required();
  c->add_option("--out", args->out, "Folder for <view>_render.png, _gt.png, _diff.png, _depth.png");
  c->add_option("--downscale", args->downscale,
                "Image downscale (default: the one the field was trained at)");
  c->add_option("--test-every", args->test_every,
                "Single-file datasets: every n-th frame is a test view")
      ->capture_default_str();
  c->add_option("--views", args->views, "Score only the first N test views");
  c->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  c->callback([args] { run_eval(*args); });
}

}  // namespace strata::cli
