// A small fully connected network without biases (tiny-cuda-nn's FullyFusedMLP shape): ReLU
// hidden layers of equal width and a linear output. Batches are feature-major matrices; the
// parameters live in a flat float buffer owned by the caller (the optimiser), so the same object
// serves any copy of the weights.
#pragma once

#include <cstddef>
#include <cstdint>

#include "neural/field/matrix.h"

namespace strata {

struct MlpConfig {
  int n_input = 32;         // input features
  int n_hidden = 64;        // neurons per hidden layer
  int n_hidden_layers = 1;  // >= 1
  int n_output = 16;        // outputs (linear)
};

class Mlp {
 public:
  // Throws std::invalid_argument for non-positive sizes.
  explicit Mlp(const MlpConfig& config);

  const MlpConfig& config() const { return config_; }
  // Floats of parameters: the weight matrices, row-major [out][in], input layer first.
  size_t n_params() const { return n_params_; }
  // Floats of hidden activations that forward() keeps for backward(), per column of ld.
  int n_hidden_rows() const { return config_.n_hidden * config_.n_hidden_layers; }

  // Xavier-uniform weights from a counter-based generator seeded by `seed`.
  void initialize_params(float* params, uint64_t seed) const;

  // output = MLP(input) over n samples. input: n_input rows; output: n_output rows; hidden:
  // n_hidden_rows() rows (the ReLU activations, kept for backward); all feature-major.
  void forward(const float* params, ConstMatrixView input, MatrixView hidden, MatrixView output,
               size_t n) const;

  // Backward pass of forward() for the same params, input and hidden. Adds dL/dparams to
  // d_params (n_params() floats); writes dL/dinput to d_input when d_input.data is not null (only
  // its first d_input.rows <= n_input rows: a caller that needs part of the input skips the rest).
  // scratch: 2 * n_hidden rows of the same width as hidden (overwritten).
  void backward(const float* params, ConstMatrixView input, ConstMatrixView hidden,
                ConstMatrixView d_output, size_t n, float* d_params, MatrixView d_input,
                MatrixView scratch) const;

 private:
  MlpConfig config_;
  size_t n_params_ = 0;
  size_t layer_offset(int layer) const;  // offset of weight matrix `layer` in the buffer
  int layer_inputs(int layer) const;
  int layer_outputs(int layer) const;
};

}  // namespace strata
