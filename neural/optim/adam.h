// Adam over one flat parameter buffer (tiny-cuda-nn's optimiser shape: the optimiser owns the
// moments, the caller the parameters and gradients). Parameters [0, sparse_end) are hash-table
// entries: an entry whose gradient is exactly zero this step is left alone, moments included
// (instant-ngp: untouched entries do not decay); the rest get L2 weight decay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {

struct AdamConfig {
  float learning_rate = 1e-2f;  // base step size
  float beta1 = 0.9f;           // first-moment decay
  float beta2 = 0.99f;          // second-moment decay
  float epsilon = 1e-15f;       // added to sqrt(v)
  float weight_decay = 1e-6f;   // L2 on the dense parameters (the MLP weights)
};

class Adam {
 public:
  Adam() = default;
  Adam(size_t n_params, size_t sparse_end, const AdamConfig& config);

  // One update with step size `learning_rate`: params -= lr * m_hat / (sqrt(v_hat) + eps).
  // gradients (n_params floats) are read and then zeroed, ready for the next step. Runs on the
  // worker threads; the result does not depend on their number.
  void step(float* params, float* gradients, float learning_rate);

  // A range of the buffer and its step size this step (per-group learning rates).
  struct Range {
    size_t begin = 0;            // first parameter index
    size_t end = 0;              // one past the last
    float learning_rate = 0.0f;  // step size for this range
  };
  // One update (one step count) with a learning rate per range; parameters outside every range
  // are left alone and their gradients are not read. Ranges must not overlap.
  void step(float* params, float* gradients, const std::vector<Range>& ranges);

  // One update (one step count) of only the parameters `indices` lists (no repeats; each inside
  // one of `ranges` and below sparse_end; one outside every range is left alone): exactly what
  // step(params, gradients, ranges) does to them, for the case where every other gradient is
  // zero, so that a step costs what it touches. Their gradients are zeroed.
  void step_listed(float* params, float* gradients, const std::vector<size_t>& indices,
                   const std::vector<Range>& ranges);

  // Rebuilds the moments after the parameter buffer was re-laid out (densification, pruning):
  // new parameter i inherits the moments of old parameter new_to_old[i], or fresh zero moments
  // where it is -1. `sparse_end` becomes the new sparse boundary. Throws std::invalid_argument
  // for an index out of range.
  void remap(const std::vector<long>& new_to_old, size_t sparse_end);

  const AdamConfig& config() const { return config_; }
  uint64_t steps() const { return steps_; }
  size_t size() const { return m_.size(); }
  std::vector<float>& first_moment() { return m_; }
  std::vector<float>& second_moment() { return v_; }
  const std::vector<float>& first_moment() const { return m_; }
  const std::vector<float>& second_moment() const { return v_; }
  // Restores a saved state (checkpoint): the step count and both moments (n_params each).
  void restore(uint64_t steps, std::vector<float> m, std::vector<float> v);

 private:
  AdamConfig config_;
  size_t sparse_end_ = 0;
  uint64_t steps_ = 0;
  std::vector<float> m_, v_;
};

}  // namespace strata
