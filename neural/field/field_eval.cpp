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

// Separable Gaussian filter over the valid region: out is (w - k + 1) x (h - k + 1).
std::vector<double> filter_valid(const std::vector<double>& in, int w, int h,
                                 const std::vector<double>& kernel) {
  const int k = int(kernel.size()), ow = w - k + 1, oh = h - k + 1;
  std::vector<double> tmp(size_t(ow) * size_t(h)), out(size_t(ow) * size_t(oh));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0.0;
      for (int i = 0; i < k; ++i)
        s += kernel[size_t(i)] * in[size_t(y) * size_t(w) + size_t(x + i)];
      tmp[size_t(y) * size_t(ow) + size_t(x)] = s;
    }
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0.0;
      for (int i = 0; i < k; ++i)
        s += kernel[size_t(i)] * tmp[size_t(y + i) * size_t(ow) + size_t(x)];
      out[size_t(y) * size_t(ow) + size_t(x)] = s;
    }
  return out;
}

std::string stem_of(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

}  // namespace

double ssim(const Image& a, const Image& b, vec3 background) {
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument("ssim: images differ in size");
  if (a.empty()) throw std::invalid_argument("ssim: empty images");
  const int window = std::min({11, a.width, a.height});
  const double sigma = 1.5;
  std::vector<double> kernel(static_cast<size_t>(window));
  double sum = 0.0;
  for (int i = 0; i < window; ++i) {
    const double d = double(i) - double(window - 1) / 2.0;
    kernel[size_t(i)] = std::exp(-d * d / (2.0 * sigma * sigma));
    sum += kernel[size_t(i)];
  }
  for (double& v : kernel) v /= sum;
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  const size_t n = a.pixels.size();
  double total = 0.0;
  size_t count = 0;
  for (int ch = 0; ch < 3; ++ch) {
    std::vector<double> x(n), y(n), xx(n), yy(n), xy(n);
    for (size_t i = 0; i < n; ++i) {
      x[i] = a.pixels[i][ch] + (1.0 - a.pixels[i].a) * background[ch];
      y[i] = b.pixels[i][ch] + (1.0 - b.pixels[i].a) * background[ch];
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    const auto mx = filter_valid(x, a.width, a.height, kernel);
    const auto my = filter_valid(y, a.width, a.height, kernel);
    const auto sxx = filter_valid(xx, a.width, a.height, kernel);
    const auto syy = filter_valid(yy, a.width, a.height, kernel);
    const auto sxy = filter_valid(xy, a.width, a.height, kernel);
    for (size_t i = 0; i < mx.size(); ++i) {
      const double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i];
      const double cov = sxy[i] - mx[i] * my[i];
      total += ((2.0 * mx[i] * my[i] + c1) * (2.0 * cov + c2)) /
               ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
      ++count;
    }
  }
  return total / double(count);
}

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
