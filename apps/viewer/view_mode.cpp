#include "apps/viewer/view_mode.h"

#include <algorithm>
#include <cmath>

namespace strata::viewer {

namespace {

uint8_t to_byte(float v) {
  return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

// A perceptual blue -> green -> yellow ramp (viridis-like), t in [0, 1]: near is bright.
vec3 ramp(float t) {
  static const vec3 stops[] = {{0.267f, 0.005f, 0.329f},
                               {0.231f, 0.322f, 0.545f},
                               {0.129f, 0.569f, 0.549f},
                               {0.369f, 0.788f, 0.384f},
                               {0.992f, 0.906f, 0.145f}};
  t = std::clamp(t, 0.0f, 1.0f) * 4.0f;
  const int i = std::min(3, int(t));
  return glm::mix(stops[i], stops[i + 1], t - float(i));
}

}  // namespace

const char* view_name(ViewMode mode) {
  switch (mode) {
    case ViewMode::kColor:
      return "color";
    case ViewMode::kDepth:
      return "depth";
    case ViewMode::kAlpha:
      return "alpha";
    case ViewMode::kLayers:
      return "layers";
  }
  return "?";
}

bool parse_view(const std::string& text, ViewMode* mode) {
  if (text == "color" || text == "colour")
    *mode = ViewMode::kColor;
  else if (text == "depth")
    *mode = ViewMode::kDepth;
  else if (text == "alpha")
    *mode = ViewMode::kAlpha;
  else if (text == "layers")
    *mode = ViewMode::kLayers;
  else
    return false;
  return true;
}

Rgba8Image over_background_8(const Image& image, vec3 background) {
  Rgba8Image out{image.width, image.height, {}};
  out.pixels.resize(size_t(image.width) * image.height * 4);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const vec4 p = image.pixels[i];
    const vec3 c = vec3(p) + (1.0f - std::clamp(p.a, 0.0f, 1.0f)) * background;
    out.pixels[i * 4 + 0] = to_byte(c.r);
    out.pixels[i * 4 + 1] = to_byte(c.g);
    out.pixels[i * 4 + 2] = to_byte(c.b);
    out.pixels[i * 4 + 3] = 255;
  }
  return out;
}

Rgba8Image shade(const RenderOutput& frame, ViewMode mode, vec3 background) {
  if (mode == ViewMode::kColor || mode == ViewMode::kLayers)
    return over_background_8(frame.color, background);
  const Image& color = frame.color;
  Rgba8Image out{color.width, color.height, {}};
  out.pixels.resize(size_t(color.width) * color.height * 4);
  float near = 1e30f, far = 0.0f;
  if (mode == ViewMode::kDepth)
    for (float d : frame.depth.values)
      if (d > 0.0f && std::isfinite(d)) near = std::min(near, d), far = std::max(far, d);
  for (size_t i = 0; i < color.pixels.size(); ++i) {
    vec3 c = background;
    const float a = std::clamp(color.pixels[i].a, 0.0f, 1.0f);
    if (mode == ViewMode::kAlpha) {
      c = vec3(a);
    } else {
      const float d = i < frame.depth.values.size() ? frame.depth.values[i] : 0.0f;
      if (d > 0.0f && std::isfinite(d)) {
        const float t = far > near ? (d - near) / (far - near) : 0.0f;
        c = glm::mix(background, ramp(1.0f - t), a);
      }
    }
    out.pixels[i * 4 + 0] = to_byte(c.r);
    out.pixels[i * 4 + 1] = to_byte(c.g);
    out.pixels[i * 4 + 2] = to_byte(c.b);
    out.pixels[i * 4 + 3] = 255;
  }
  return out;
}

Rgba8Image side_by_side(const Rgba8Image& left, const Rgba8Image& right) {
  Rgba8Image out{left.width + right.width, std::max(left.height, right.height), {}};
  out.pixels.assign(size_t(out.width) * out.height * 4, 0);
  for (int y = 0; y < out.height; ++y) {
    if (y < left.height)
      std::copy_n(&left.pixels[size_t(y) * left.width * 4], size_t(left.width) * 4,
                  &out.pixels[size_t(y) * out.width * 4]);
    if (y < right.height)
      std::copy_n(&right.pixels[size_t(y) * right.width * 4], size_t(right.width) * 4,
                  &out.pixels[(size_t(y) * out.width + left.width) * 4]);
  }
  return out;
}

Image to_image(const Rgba8Image& image) {
  Image out(image.width, image.height);
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = vec4(image.pixels[i * 4] / 255.0f, image.pixels[i * 4 + 1] / 255.0f,
                         image.pixels[i * 4 + 2] / 255.0f, 1.0f);
  return out;
}

}  // namespace strata::viewer
