#include "neural/core/image.h"

#include <algorithm>
#include <cmath>

namespace strata {

Image::Image(int w, int h, vec4 fill) : width(w), height(h), pixels(size_t(w) * h, fill) {}

vec4 Image::sample_bilinear(float s, float t) const {
  // Texel centres sit at (i + 0.5) / width.
  const float x = s * float(width) - 0.5f;
  const float y = t * float(height) - 0.5f;
  const float fx = std::floor(x), fy = std::floor(y);
  const float ax = x - fx, ay = y - fy;
  const int x0 = std::clamp(int(fx), 0, width - 1), x1 = std::clamp(int(fx) + 1, 0, width - 1);
  const int y0 = std::clamp(int(fy), 0, height - 1), y1 = std::clamp(int(fy) + 1, 0, height - 1);
  const vec4 top = glm::mix(at(x0, y0), at(x1, y0), ax);
  const vec4 bottom = glm::mix(at(x0, y1), at(x1, y1), ax);
  return glm::mix(top, bottom, ay);
}

Image resample(const Image& image, int width, int height) {
  Image out(width, height);
  const float sx = float(image.width) / float(width), sy = float(image.height) / float(height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      if (sx <= 1.0f && sy <= 1.0f) {
        out.at(x, y) = image.sample_bilinear((x + 0.5f) / float(width), (y + 0.5f) / float(height));
        continue;
      }
      // Average the source texels whose centres fall in this pixel's footprint.
      const int x0 = int(std::floor(x * sx)), x1 = std::max(x0 + 1, int(std::floor((x + 1) * sx)));
      const int y0 = int(std::floor(y * sy)), y1 = std::max(y0 + 1, int(std::floor((y + 1) * sy)));
      vec4 sum(0.0f);
      int n = 0;
      for (int v = y0; v < std::min(y1, image.height); ++v)
        for (int u = x0; u < std::min(x1, image.width); ++u, ++n) sum += image.at(u, v);
      out.at(x, y) = n > 0 ? sum / float(n) : vec4(0.0f);
    }
  return out;
}

Image downsample(const Image& image, int factor) {
  if (factor <= 1) return image;
  Image out(image.width / factor, image.height / factor);
  const float weight = 1.0f / float(factor * factor);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      vec4 sum(0.0f);
      for (int dy = 0; dy < factor; ++dy)
        for (int dx = 0; dx < factor; ++dx) sum += image.at(x * factor + dx, y * factor + dy);
      out.at(x, y) = sum * weight;
    }
  return out;
}

Image over_background(const Image& image, vec3 background) {
  Image out(image.width, image.height);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const vec4 p = image.pixels[i];
    out.pixels[i] = vec4(vec3(p) + (1.0f - p.a) * background, 1.0f);
  }
  return out;
}

}  // namespace strata
