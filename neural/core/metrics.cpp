#include "neural/core/metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace strata {

namespace {
void check_same_size(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument("images differ in size: " + std::to_string(a.width) + "x" +
                                std::to_string(a.height) + " vs " + std::to_string(b.width) + "x" +
                                std::to_string(b.height));
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

}  // namespace strata
