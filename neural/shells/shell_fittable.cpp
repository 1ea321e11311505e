#include "neural/shells/shell_fittable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "neural/core/parallel.h"
#include "neural/shells/shell_backward.h"
#include "neural/shells/shells_io.h"

namespace strata {

namespace {
inline float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}
}  // namespace

ShellFittable::ShellFittable(ShellVolume initial, ShellFitRates rates)
    : shells_(std::move(initial)), rates_(rates) {
  shells_.validate("shells");
  texels_ = size_t(shells_.texture_width()) * shells_.texture_height();
  const size_t n = shells_.shell_count() * texels_;
  params_.resize(n * 4);
  for (size_t k = 0; k < shells_.shell_count(); ++k)
    for (size_t i = 0; i < texels_; ++i) {
      const vec4 c = shells_.textures[k].pixels[i];
      const float a = std::clamp(c.a, 1e-4f, 1.0f - 1e-4f);
      const vec3 straight =
          c.a > 0.0f ? glm::clamp(vec3(c) / c.a, vec3(0.0f), vec3(1.0f)) : vec3(0.5f);
      const size_t j = k * texels_ + i;
      params_[3 * j + 0] = straight.r;
      params_[3 * j + 1] = straight.g;
      params_[3 * j + 2] = straight.b;
      params_[3 * n + j] = std::log(a / (1.0f - a));
    }
  textures_stale_ = true;
}

std::vector<float>& ShellFittable::parameters() {
  textures_stale_ = true;  // the caller may write them
  return params_;
}

std::vector<ParameterGroup> ShellFittable::groups() const {
  const size_t n = shells_.shell_count() * texels_;
  return {ParameterGroup{"colours", 0, 3 * n, rates_.color},
          ParameterGroup{"alpha_logits", 3 * n, 4 * n, rates_.alpha}};
}

void ShellFittable::update_textures() const {
  if (!textures_stale_) return;
  const size_t n = shells_.shell_count() * texels_;
  parallel_for(n, 4096, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) {
      const float a = sigmoid(params_[3 * n + j]);
      const vec3 straight(params_[3 * j], params_[3 * j + 1], params_[3 * j + 2]);
      shells_.textures[j / texels_].pixels[j % texels_] =
          vec4(glm::clamp(straight, vec3(0.0f), vec3(1.0f)) * a, a);
    }
  });
  textures_stale_ = false;
}

const ShellVolume& ShellFittable::shells() const {
  update_textures();
  return shells_;
}

const Image& ShellFittable::forward(const Camera& camera) {
  update_textures();
  last_ = render_shells(shells_, camera, &trace_);
  return last_.color;
}

void ShellFittable::backward(const Image& dL_dimage, std::vector<float>& gradients) {
  update_textures();
  std::fill(texel_gradients_.begin(), texel_gradients_.end(), vec4(0.0f));
  shells_backward(shells_, trace_, dL_dimage, texel_gradients_);
  const size_t n = shells_.shell_count() * texels_;
  parallel_for(n, 4096, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) {
      const vec4 g = texel_gradients_[j];
      if (g == vec4(0.0f)) continue;  // untouched texels keep an exactly zero gradient
      const float a = sigmoid(params_[3 * n + j]);
      const vec3 straight = glm::clamp(vec3(params_[3 * j], params_[3 * j + 1], params_[3 * j + 2]),
                                       vec3(0.0f), vec3(1.0f));
      // texel = (straight * a, a)
      gradients[3 * j + 0] += g.r * a;
      gradients[3 * j + 1] += g.g * a;
      gradients[3 * j + 2] += g.b * a;
      gradients[3 * n + j] += (g.a + glm::dot(vec3(g), straight)) * a * (1.0f - a);
    }
  });
}

std::vector<long> ShellFittable::after_step(int step) {
  (void)step;
  const size_t n = shells_.shell_count() * texels_;
  for (size_t i = 0; i < 3 * n; ++i) params_[i] = std::clamp(params_[i], 0.0f, 1.0f);
  for (size_t i = 3 * n; i < 4 * n; ++i) params_[i] = std::clamp(params_[i], -12.0f, 12.0f);
  textures_stale_ = true;
  return {};
}

void ShellFittable::save(const std::string& path) const {
  save_shell_volume(shells(), path);
}

std::string ShellFittable::describe() const {
  char line[160];
  std::snprintf(line, sizeof(line), "shells: %zu x %dx%d, %zu base triangles",
                shells_.shell_count(), shells_.texture_width(), shells_.texture_height(),
                shells_.base.triangle_count());
  return line;
}

}  // namespace strata
