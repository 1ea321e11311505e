#include "neural/optim/adam.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "neural/core/parallel.h"
#include "neural/field/simd.h"

namespace strata {

namespace {

STRATA_VECTOR_CLONES
void adam_range(float* __restrict p, float* __restrict g, float* __restrict m, float* __restrict v,
                size_t begin, size_t end, bool sparse, float lr_hat, float beta1, float beta2,
                float eps_hat, float decay) {
  for (size_t i = begin; i < end; ++i) {
    float grad = g[i];
    if (sparse && grad == 0.0f) continue;
    g[i] = 0.0f;
    if (!sparse) grad += decay * p[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * grad;
    const float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_hat * mi / (std::sqrt(vi) + eps_hat);
  }
}

// adam_range's sparse update for the parameters listed in indices[begin, end) (the same
// arithmetic, so a listed step equals a whole-range sparse step over the same gradients).
STRATA_VECTOR_CLONES
void adam_indices(float* __restrict p, float* __restrict g, float* __restrict m,
                  float* __restrict v, const size_t* indices, size_t begin, size_t end,
                  float lr_hat, float beta1, float beta2, float eps_hat) {
  for (size_t k = begin; k < end; ++k) {
    const size_t i = indices[k];
    const float grad = g[i];
    if (grad == 0.0f) continue;
    g[i] = 0.0f;
    const float mi = beta1 * m[i] + (1.0f - beta1) * grad;
    const float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_hat * mi / (std::sqrt(vi) + eps_hat);
  }
}

}  // namespace

Adam::Adam(size_t n_params, size_t sparse_end, const AdamConfig& config)
    : config_(config), sparse_end_(sparse_end), m_(n_params, 0.0f), v_(n_params, 0.0f) {
  if (sparse_end > n_params) throw std::invalid_argument("Adam: sparse_end beyond the buffer");
}

void Adam::restore(uint64_t steps, std::vector<float> m, std::vector<float> v) {
  if (m.size() != m_.size() || v.size() != v_.size())
    throw std::invalid_argument("Adam::restore: moment sizes differ from the parameter count");
  steps_ = steps;
  m_ = std::move(m);
  v_ = std::move(v);
}

void Adam::step(float* params, float* gradients, float learning_rate) {
  step(params, gradients, std::vector<Range>{Range{0, m_.size(), learning_rate}});
}

void Adam::step(float* params, float* gradients, const std::vector<Range>& ranges) {
  ++steps_;
  const double b1 = 1.0 - std::pow(double(config_.beta1), double(steps_));
  const double b2 = 1.0 - std::pow(double(config_.beta2), double(steps_));
  const float eps_hat = float(config_.epsilon * std::sqrt(b2));
  const size_t n = m_.size();
  constexpr size_t kGrain = 1 << 16;
  for (const Range& range : ranges) {
    if (range.begin > range.end || range.end > n)
      throw std::invalid_argument("Adam::step: a range lies outside the parameter buffer");
    // Bias correction folded into the step size and epsilon (Kingma & Ba, section 2).
    const float lr_hat = float(range.learning_rate * std::sqrt(b2) / b1);
    parallel_for(range.end - range.begin, kGrain, [&](size_t first, size_t last) {
      const size_t begin = range.begin + first, end = range.begin + last;
      if (begin < sparse_end_)
        adam_range(params, gradients, m_.data(), v_.data(), begin, std::min(end, sparse_end_), true,
                   lr_hat, config_.beta1, config_.beta2, eps_hat, config_.weight_decay);
      if (end > sparse_end_)
        adam_range(params, gradients, m_.data(), v_.data(), std::max(begin, sparse_end_), end,
                   false, lr_hat, config_.beta1, config_.beta2, eps_hat, config_.weight_decay);
    });
  }
}

void Adam::step_listed(float* params, float* gradients, const std::vector<size_t>& indices,
                       const std::vector<Range>& ranges) {
  ++steps_;
  const double b1 = 1.0 - std::pow(double(config_.beta1), double(steps_));
  const double b2 = 1.0 - std::pow(double(config_.beta2), double(steps_));
  const float eps_hat = float(config_.epsilon * std::sqrt(b2));
  // The listed indices, split by range (each keeps its learning rate).
  std::vector<std::vector<size_t>> by_range(ranges.size());
  for (const Range& range : ranges)
    if (range.begin > range.end || range.end > m_.size())
      throw std::invalid_argument("Adam::step_listed: a range lies outside the parameter buffer");
  for (size_t i : indices) {
    if (i >= sparse_end_)
      throw std::invalid_argument("Adam::step_listed: a listed parameter is not sparse");
    for (size_t r = 0; r < ranges.size(); ++r)
      if (i >= ranges[r].begin && i < ranges[r].end) {
        by_range[r].push_back(i);
        break;
      }
  }
  constexpr size_t kGrain = 1 << 14;
  for (size_t r = 0; r < ranges.size(); ++r) {
    const float lr_hat = float(ranges[r].learning_rate * std::sqrt(b2) / b1);
    const std::vector<size_t>& listed = by_range[r];
    parallel_for(listed.size(), kGrain, [&](size_t first, size_t last) {
      adam_indices(params, gradients, m_.data(), v_.data(), listed.data(), first, last, lr_hat,
                   config_.beta1, config_.beta2, eps_hat);
    });
  }
}

void Adam::remap(const std::vector<long>& new_to_old, size_t sparse_end) {
  if (sparse_end > new_to_old.size())
    throw std::invalid_argument("Adam::remap: sparse_end beyond the buffer");
  std::vector<float> m(new_to_old.size(), 0.0f), v(new_to_old.size(), 0.0f);
  for (size_t i = 0; i < new_to_old.size(); ++i) {
    const long old = new_to_old[i];
    if (old < 0) continue;
    if (size_t(old) >= m_.size())
      throw std::invalid_argument("Adam::remap: an index beyond the old buffer");
    m[i] = m_[size_t(old)];
    v[i] = v_[size_t(old)];
  }
  m_ = std::move(m);
  v_ = std::move(v);
  sparse_end_ = sparse_end;
}

}  // namespace strata
