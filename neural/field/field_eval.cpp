#include "neural/field/field_eval.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "neural/core/atomic_file.h"
#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/field/field_render.h"

namespace strata {

namespace {

std::string stem_of(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

}  // namespace

EvalResult evaluate_field(const RadianceField& field, const std::vector<DatasetFrame>& frames,
                          const EvalOptions& options,
                          const std::function<void(const ViewScore&)>& on_view) {
  if (!options.output_dir.empty()) ensure_writable_directory(options.output_dir);
  EvalResult result;
  double render_seconds = 0.0;
  size_t rays = 0;
  for (const DatasetFrame& frame : frames) {
    const Image truth = load_frame_image(frame);
    FieldRenderStats stats;
    const RenderOutput render = render_field(field, frame.camera, {}, &stats);
    ViewScore score;
    score.name = stem_of(frame.image_path);
    score.psnr = psnr(render.color, truth, options.background);
    score.ssim = ssim(render.color, truth, options.background);
    score.seconds = stats.seconds;
    render_seconds += stats.seconds;
    rays += stats.rays;
    if (!options.output_dir.empty()) {
      const std::string base = options.output_dir + "/" + score.name;
      write_png(base + "_render.png", over_background(render.color, options.background));
      write_png(base + "_gt.png", over_background(truth, options.background));
      write_png(base + "_diff.png",
                difference_image(render.color, truth, 4.0f, options.background));
      write_png16(base + "_depth.png", render.depth, 1000.0f);
    }
    if (on_view) on_view(score);
    result.views.push_back(score);
  }
  for (const ViewScore& v : result.views) {
    result.mean_psnr += v.psnr / double(result.views.size());
    result.mean_ssim += v.ssim / double(result.views.size());
  }
  result.rays_per_second = render_seconds > 0.0 ? double(rays) / render_seconds : 0.0;
  return result;
}

}  // namespace strata
