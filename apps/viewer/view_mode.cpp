#include "apps/viewer/view_mode.h"

#include <algorithm>
#include <cmath>
#include <map>

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

vec3 hsv_to_rgb(float h, float s, float v) {
  const vec3 k = glm::clamp(
      glm::abs(glm::fract(vec3(h) + vec3(1.0f, 2.0f / 3.0f, 1.0f / 3.0f)) * 6.0f - 3.0f) - 1.0f,
      0.0f, 1.0f);
  return v * glm::mix(vec3(1.0f), k, s);
}

}  // namespace

vec3 layer_color(int label) {
  // Golden-ratio hue steps; value alternates so labels 0 and 5 or so also differ in brightness.
  const float hue = std::fmod(0.08f + float(label) * 0.6180339887f, 1.0f);
  return hsv_to_rgb(hue, 0.75f, (label / 3) % 2 == 0 ? 0.95f : 0.7f);
}

Image layer_false_color(const RenderOutput& frame) {
  Image out(frame.color.width, frame.color.height);
  for (size_t i = 0; i < out.pixels.size() && i < frame.layer.size(); ++i)
    if (frame.layer[i] >= 0) {
      const float a = std::clamp(frame.color.pixels[i].a, 0.0f, 1.0f);
      out.pixels[i] = vec4(layer_color(frame.layer[i]) * a, a);
    }
  return out;
}

std::vector<std::pair<int, size_t>> labels_shown(const RenderOutput& frame) {
  std::map<int, size_t> counts;
  for (int32_t label : frame.layer)
    if (label >= 0) ++counts[label];
  std::vector<std::pair<int, size_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

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
  const bool labelled = frame.layer.size() == frame.color.pixels.size();
  if (mode == ViewMode::kColor || (mode == ViewMode::kLayers && !labelled))
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
    } else if (mode == ViewMode::kLayers) {
      if (frame.layer[i] >= 0) c = glm::mix(background, layer_color(frame.layer[i]), a);
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
