// Image: float RGBA, premultiplied alpha in memory (straight alpha only in PNG files).
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/math.h"

namespace strata {

struct Image {
  int width = 0;             // pixels
  int height = 0;            // pixels
  std::vector<vec4> pixels;  // row-major, top row first; rgb premultiplied by a

  Image() = default;
  // Allocates width*height pixels set to `fill`.
  Image(int w, int h, vec4 fill = vec4(0.0f));

  vec4& at(int x, int y) { return pixels[size_t(y) * width + x]; }
  const vec4& at(int x, int y) const { return pixels[size_t(y) * width + x]; }
  bool empty() const { return pixels.empty(); }

  // Bilinear sample of premultiplied texels at texture coordinates (s, t) in [0,1]^2, (0,0) the
  // top-left corner of the top-left texel; clamps to the edge texels.
  vec4 sample_bilinear(float s, float t) const;
};

// One float per pixel (depth, a mask, an error map).
struct ScalarImage {
  int width = 0;
  int height = 0;
  std::vector<float> values;  // row-major, top row first

  ScalarImage() = default;
  ScalarImage(int w, int h, float fill = 0.0f) : width(w), height(h), values(size_t(w) * h, fill) {}
  float& at(int x, int y) { return values[size_t(y) * width + x]; }
  float at(int x, int y) const { return values[size_t(y) * width + x]; }
};

// What every renderer returns: colour and expected depth (metres; z-depth for a pinhole camera,
// ray distance for an equirectangular one; 0 where nothing was hit), and, when asked for
// (want_layers), the dominant layer of each pixel.
struct RenderOutput {
  Image color;
  ScalarImage depth;
  std::vector<int32_t> layer = {};  // empty unless asked for; else per pixel (row-major) the
                                    // layer with the largest weight T*a, -1: nothing drawn
};

// Resamples to width x height with an area (box) filter when shrinking and bilinear
// interpolation when enlarging.
Image resample(const Image& image, int width, int height);

// Box-filtered downsampling by an integer factor (>= 1); the size rounds down.
Image downsample(const Image& image, int factor);

// The image composited over an opaque background colour (rgb, straight), alpha set to 1.
Image over_background(const Image& image, vec3 background);

}  // namespace strata
