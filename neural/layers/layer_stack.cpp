#include "neural/layers/layer_stack.h"

#include <algorithm>
#include <cmath>

#include "neural/core/error.h"
#include "neural/core/parallel.h"

namespace strata {

std::optional<BlendMode> parse_blend_mode(const std::string& name) {
  if (name == "normal") return BlendMode::kNormal;
  if (name == "premultiplied") return BlendMode::kPremultiplied;
  if (name == "multiply") return BlendMode::kMultiply;
  if (name == "screen") return BlendMode::kScreen;
  if (name == "add") return BlendMode::kAdd;
  return std::nullopt;
}

const char* blend_mode_name(BlendMode mode) {
  switch (mode) {
    case BlendMode::kNormal:
      return "normal";
    case BlendMode::kPremultiplied:
      return "premultiplied";
    case BlendMode::kMultiply:
      return "multiply";
    case BlendMode::kScreen:
      return "screen";
    case BlendMode::kAdd:
      return "add";
  }
  return "normal";
}

Camera LayerStack::reference_camera() const {
  return Camera::pinhole_fov_y(width, height, glm::radians(fov_y_deg), mat4(1.0f));
}

void LayerStack::validate(const std::string& where) const {
  if (width <= 0 || height <= 0)
    throw InputError(where, "width/height", "expected a positive canvas size");
  if (!(fov_y_deg > 0.0f && fov_y_deg < 180.0f))
    throw InputError(where, "fov_y_deg", "expected degrees in (0, 180)");
  if (layers.empty()) throw InputError(where, "layers", "expected at least one layer, found none");
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const std::string field = "layers[" + std::to_string(i) + "]";
    if (!(l.opacity >= 0.0f && l.opacity <= 1.0f))
      throw InputError(where, field + ".opacity", "expected a number in [0, 1]");
    if (l.depth && !(std::isfinite(*l.depth) && *l.depth > 0.0f))
      throw InputError(where, field + ".depth", "expected a positive distance in metres");
    if (l.image.empty()) throw InputError(where, field, "the layer has no image");
  }
}

namespace {

// W3C compositing: source-over with a separable blend function B on straight colours, in the
// premultiplied form co = cs (1 - ab) + cb (1 - as) + as ab B(Cb, Cs).
vec4 blend(const vec4& below, const vec4& layer, BlendMode mode) {
  const float as = layer.a, ab = below.a;
  const float alpha = as + ab - as * ab;
  if (mode == BlendMode::kNormal || mode == BlendMode::kPremultiplied)
    return vec4(vec3(layer) + (1.0f - as) * vec3(below), alpha);
  const vec3 cs = as > 0.0f ? vec3(layer) / as : vec3(0.0f);
  const vec3 cb = ab > 0.0f ? vec3(below) / ab : vec3(0.0f);
  vec3 mixed;
  switch (mode) {
    case BlendMode::kMultiply:
      mixed = cs * cb;
      break;
    case BlendMode::kScreen:
      mixed = cs + cb - cs * cb;
      break;
    case BlendMode::kAdd:
      mixed = glm::min(cs + cb, vec3(1.0f));
      break;
    default:
      mixed = cs;
      break;
  }
  return vec4(vec3(layer) * (1.0f - ab) + vec3(below) * (1.0f - as) + as * ab * mixed, alpha);
}

}  // namespace

Image composite(const LayerStack& stack) {
  Image canvas(stack.width, stack.height);
  parallel_for(size_t(stack.height), 8, [&](size_t y_begin, size_t y_end) {
    for (int y = int(y_begin); y < int(y_end); ++y) {
      for (const Layer& layer : stack.layers) {
        if (!layer.visible || layer.opacity <= 0.0f) continue;
        const int ly = y - layer.offset.y;
        if (ly < 0 || ly >= layer.image.height) continue;
        const int x_begin = std::max(0, layer.offset.x);
        const int x_end = std::min(stack.width, layer.offset.x + layer.image.width);
        for (int x = x_begin; x < x_end; ++x) {
          const vec4 s = layer.image.at(x - layer.offset.x, ly) * layer.opacity;
          canvas.at(x, y) = blend(canvas.at(x, y), s, layer.blend);
        }
      }
    }
  });
  return canvas;
}

}  // namespace strata
