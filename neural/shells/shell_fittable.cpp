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

void ShellFittable::update_texel(size_t j) const {
  const size_t n = shells_.shell_count() * texels_;
  const float a = sigmoid(params_[3 * n + j]);
  const vec3 straight(params_[3 * j], params_[3 * j + 1], params_[3 * j + 2]);
  shells_.textures[j / texels_].pixels[j % texels_] =
      vec4(glm::clamp(straight, vec3(0.0f), vec3(1.0f)) * a, a);
}

void ShellFittable::update_textures() const {
  if (textures_stale_) {
    parallel_for(shells_.shell_count() * texels_, 4096, [&](size_t begin, size_t end) {
      for (size_t j = begin; j < end; ++j) update_texel(j);
    });
  } else if (!stale_texels_.empty()) {
    parallel_for(stale_texels_.size(), 4096, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) update_texel(stale_texels_[i]);
    });
  }
  textures_stale_ = false;
  stale_texels_.clear();
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
  const size_t n = shells_.shell_count() * texels_;
  if (texel_gradients_.size() != n) texel_gradients_.assign(n, vec4(0.0f));
  if (touched_bits_.size() != (n + 63) / 64) touched_bits_.assign((n + 63) / 64, 0u);
  // The texels this view sampled join the step's set; the list is rebuilt in ascending order
  // (memory order: the step then walks its parameters and moments nearly sequentially).
  ShellDistortion distortion;
  if (rates_.distortion > 0.0f && shells_.shell_count() > 1) {
    // Per pixel like the image loss; depths in units of the span, so the weight is scale-free.
    distortion.weight = rates_.distortion / float(std::max(1, trace_.width * trace_.height));
    distortion.depth_scale = std::max(shells_.offsets.back() - shells_.offsets.front(), 1e-9f);
  }
  shells_backward(shells_, trace_, dL_dimage, texel_gradients_, &touched_bits_, distortion);
  step_texels_.clear();
  for (size_t w = 0; w < touched_bits_.size(); ++w)
    for (uint64_t bits = touched_bits_[w]; bits != 0; bits &= bits - 1)
      step_texels_.push_back(64 * w + size_t(__builtin_ctzll(bits)));
  // Their texel gradients become parameter gradients and are cleared; no other texel has one.
  parallel_for(step_texels_.size(), 4096, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const size_t j = step_texels_[i];
      const vec4 g = texel_gradients_[j];
      if (g == vec4(0.0f)) continue;  // untouched texels keep an exactly zero gradient
      texel_gradients_[j] = vec4(0.0f);
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

const std::vector<size_t>* ShellFittable::touched_parameters() {
  const size_t n = shells_.shell_count() * texels_;
  step_parameters_.resize(4 * step_texels_.size());
  for (size_t i = 0; i < step_texels_.size(); ++i) {
    const size_t j = step_texels_[i];
    step_parameters_[4 * i + 0] = 3 * j;
    step_parameters_[4 * i + 1] = 3 * j + 1;
    step_parameters_[4 * i + 2] = 3 * j + 2;
    step_parameters_[4 * i + 3] = 3 * n + j;
  }
  listed_step_ = true;
  return &step_parameters_;
}

std::vector<long> ShellFittable::after_step(int step) {
  (void)step;
  const size_t n = shells_.shell_count() * texels_;
  auto clamp_texel = [&](size_t j) {
    for (size_t c = 0; c < 3; ++c) params_[3 * j + c] = std::clamp(params_[3 * j + c], 0.0f, 1.0f);
    params_[3 * n + j] = std::clamp(params_[3 * n + j], -12.0f, 12.0f);
  };
  if (listed_step_) {
    // Only the listed texels' parameters moved: clamp and refresh just those.
    for (size_t j : step_texels_) clamp_texel(j);
    textures_stale_ = false;  // parameters() marked all stale; only these are
    stale_texels_.insert(stale_texels_.end(), step_texels_.begin(), step_texels_.end());
  } else {
    for (size_t j = 0; j < n; ++j) clamp_texel(j);
    textures_stale_ = true;
  }
  listed_step_ = false;
  step_texels_.clear();
  std::fill(touched_bits_.begin(), touched_bits_.end(), uint64_t(0));
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
