#include "neural/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace strata {

namespace {
void check_same_size(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument("images differ in size: " + std::to_string(a.width) + "x" +
                                std::to_string(a.height) + " vs " + std::to_string(b.width) + "x" +
                                std::to_string(b.height));
}
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

vec3 over(const vec4& p, vec3 background) {
  return vec3(p) + (1.0f - p.a) * background;
}
}  // namespace

double psnr(const Image& a, const Image& b, vec3 background) {
  check_same_size(a, b);
  double sum = 0.0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const vec3 d = over(a.pixels[i], background) - over(b.pixels[i], background);
    sum += double(d.r) * d.r + double(d.g) * d.g + double(d.b) * d.b;
  }
  const double mse = sum / (3.0 * double(a.pixels.size()));
  if (mse <= 0.0) return std::numeric_limits<double>::infinity();
  return -10.0 * std::log10(mse);
}

double mean_absolute_error(const Image& a, const Image& b, vec3 background) {
  check_same_size(a, b);
  double sum = 0.0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const vec3 d = glm::abs(over(a.pixels[i], background) - over(b.pixels[i], background));
    sum += double(d.r) + d.g + d.b;
  }
  return sum / (3.0 * double(a.pixels.size()));
}

Image difference_image(const Image& a, const Image& b, float gain, vec3 background) {
  check_same_size(a, b);
  Image out(a.width, a.height);
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const vec3 d = glm::abs(over(a.pixels[i], background) - over(b.pixels[i], background)) * gain;
    out.pixels[i] = vec4(glm::min(d, vec3(1.0f)), 1.0f);
  }
  return out;
}

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

}  // namespace strata
