#include "neural/planes/plane_set_fittable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "neural/core/parallel.h"
#include "neural/planes/plane_set_io.h"
#include "neural/planes/plane_set_render.h"

namespace strata {

namespace {

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}
float logit(float p) {
  p = std::clamp(p, 1e-4f, 1.0f - 1e-4f);
  return std::log(p / (1.0f - p));
}

}  // namespace

PlaneSetFittable::PlaneSetFittable(PlaneSet planes, float color_learning_rate,
                                   float alpha_learning_rate)
    : planes_(std::move(planes)), color_lr_(color_learning_rate), alpha_lr_(alpha_learning_rate) {
  planes_.validate("planes to fit");
  for (const Plane& p : planes_.planes) {
    texel_offset_.push_back(texels_);
    texels_ += p.texture.pixels.size();
  }
  params_.assign(4 * texels_, 0.0f);
  for (size_t p = 0; p < planes_.planes.size(); ++p) {
    const Image& tex = planes_.planes[p].texture;
    for (size_t i = 0; i < tex.pixels.size(); ++i) {
      const vec4 c = tex.pixels[i];
      const size_t k = texel_offset_[p] + i;
      const float a = std::clamp(c.a, 1e-4f, 1.0f - 1e-4f);
      for (int ch = 0; ch < 3; ++ch)
        params_[3 * k + size_t(ch)] = logit(c[ch] / std::max(c.a, 1e-6f));
      params_[3 * texels_ + k] = logit(a);
    }
  }
  for (const Plane& p : planes_.planes) texture_gradients_.emplace_back(p.texture.pixels.size());
  update_textures();
}

std::vector<ParameterGroup> PlaneSetFittable::groups() const {
  return {ParameterGroup{"colour", 0, 3 * texels_, color_lr_},
          ParameterGroup{"alpha", 3 * texels_, 4 * texels_, alpha_lr_}};
}

void PlaneSetFittable::update_textures() const {
  // Only texels whose parameters changed since the last update are recomputed: a sparse step
  // (patches, sparse Adam) touches few of them, and a sigmoid per value is the expensive part.
  const bool full = applied_.size() != params_.size();
  if (full) applied_.assign(params_.size(), 0.0f);
  for (size_t p = 0; p < planes_.planes.size(); ++p) {
    Image& tex = planes_.planes[p].texture;
    const size_t base = texel_offset_[p];
    parallel_for(tex.pixels.size(), 8192, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        const size_t k = base + i;
        const float* rgb = &params_[3 * k];
        const float* alpha = &params_[3 * texels_ + k];
        float* old_rgb = &applied_[3 * k];
        float* old_alpha = &applied_[3 * texels_ + k];
        if (!full && rgb[0] == old_rgb[0] && rgb[1] == old_rgb[1] && rgb[2] == old_rgb[2] &&
            *alpha == *old_alpha)
          continue;
        const float a = sigmoid(*alpha);
        tex.pixels[i] = vec4(a * sigmoid(rgb[0]), a * sigmoid(rgb[1]), a * sigmoid(rgb[2]), a);
        old_rgb[0] = rgb[0];
        old_rgb[1] = rgb[1];
        old_rgb[2] = rgb[2];
        *old_alpha = *alpha;
      }
    });
  }
}

const PlaneSet& PlaneSetFittable::planes() const {
  update_textures();
  return planes_;
}

const Image& PlaneSetFittable::forward(const Camera& camera) {
  update_textures();
  last_camera_ = camera;
  last_render_ = render_planes(planes_, camera).color;
  return last_render_;
}

void PlaneSetFittable::backward(const Image& dL_dimage, std::vector<float>& gradients) {
  if (gradients.size() != params_.size())
    throw std::invalid_argument("PlaneSetFittable::backward: gradient buffer of the wrong size");
  for (TextureGradient& g : texture_gradients_) std::fill(g.begin(), g.end(), vec4(0.0f));
  render_planes_backward(planes_, last_camera_, dL_dimage, texture_gradients_);
  // Chain rule through premultiplied = (sigmoid(r) a, ..., a), a = sigmoid(alpha logit).
  for (size_t p = 0; p < planes_.planes.size(); ++p) {
    const TextureGradient& tg = texture_gradients_[p];
    const size_t base = texel_offset_[p];
    parallel_for(tg.size(), 4096, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        const vec4 g = tg[i];
        if (g == vec4(0.0f)) continue;
        const size_t k = base + i;
        const float a = sigmoid(params_[3 * texels_ + k]);
        float d_alpha = g.a;
        for (int ch = 0; ch < 3; ++ch) {
          const float c = sigmoid(params_[3 * k + size_t(ch)]);
          gradients[3 * k + size_t(ch)] += g[ch] * a * c * (1.0f - c);
          d_alpha += g[ch] * c;
        }
        gradients[3 * texels_ + k] += d_alpha * a * (1.0f - a);
      }
    });
  }
}

void PlaneSetFittable::save(const std::string& path) const {
  update_textures();
  save_plane_set(planes_, path);
}

std::string PlaneSetFittable::describe() const {
  char text[96];
  const Image& t = planes_.planes.front().texture;
  std::snprintf(text, sizeof text, "planes: %zu x %dx%d", planes_.planes.size(), t.width, t.height);
  return text;
}

}  // namespace strata
