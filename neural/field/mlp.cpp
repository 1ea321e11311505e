#include "neural/field/mlp.h"

#include <cmath>
#include <stdexcept>

#include "neural/field/field_math.h"

namespace strata {

Mlp::Mlp(const MlpConfig& config) : config_(config) {
  if (config.n_input < 1 || config.n_hidden < 1 || config.n_hidden_layers < 1 ||
      config.n_output < 1)
    throw std::invalid_argument("Mlp: every size must be at least 1");
  n_params_ = layer_offset(config.n_hidden_layers + 1);
}

int Mlp::layer_inputs(int layer) const {
  return layer == 0 ? config_.n_input : config_.n_hidden;
}
int Mlp::layer_outputs(int layer) const {
  return layer == config_.n_hidden_layers ? config_.n_output : config_.n_hidden;
}
size_t Mlp::layer_offset(int layer) const {
  size_t offset = 0;
  for (int l = 0; l < layer; ++l) offset += size_t(layer_inputs(l)) * layer_outputs(l);
  return offset;
}

void Mlp::initialize_params(float* params, uint64_t seed) const {
  for (int l = 0; l <= config_.n_hidden_layers; ++l) {
    const int in = layer_inputs(l), out = layer_outputs(l);
    const float scale = std::sqrt(6.0f / float(in + out));
    float* w = params + layer_offset(l);
    Rng rng(seed, 0x4d4c50, uint64_t(l));
    for (size_t i = 0; i < size_t(in) * out; ++i) w[i] = (2.0f * rng.next_float() - 1.0f) * scale;
  }
}

void Mlp::forward(const float* params, ConstMatrixView input, MatrixView hidden, MatrixView output,
                  size_t n) const {
  const int h = config_.n_hidden, layers = config_.n_hidden_layers;
  ConstMatrixView x = input;
  for (int l = 0; l < layers; ++l) {
    MatrixView y{hidden.row(l * h), h, hidden.ld};
    matmul(params + layer_offset(l), h, layer_inputs(l), size_t(layer_inputs(l)), 1, x, y, n,
           Epilogue::kRelu);
    x = y;
  }
  matmul(params + layer_offset(layers), config_.n_output, h, size_t(h), 1, x, output, n);
}

void Mlp::backward(const float* params, ConstMatrixView input, ConstMatrixView hidden,
                   ConstMatrixView d_output, size_t n, float* d_params, MatrixView d_input,
                   MatrixView scratch) const {
  const int h = config_.n_hidden, layers = config_.n_hidden_layers;
  auto hidden_layer = [&](int l) { return ConstMatrixView(hidden.row(l * h), h, hidden.ld); };
  MatrixView buffers[2] = {{scratch.row(0), h, scratch.ld}, {scratch.row(h), h, scratch.ld}};
  // The gradient with respect to the output of layer l, walking down from the output layer.
  ConstMatrixView g = d_output;
  int which = 0;
  for (int l = layers; l >= 1; --l) {
    const ConstMatrixView below = hidden_layer(l - 1);
    accumulate_outer(g, below, n, d_params + layer_offset(l));
    // dL/d(below) = W_l^T g, through the ReLU of layer l-1 (zero where it was inactive).
    matmul(params + layer_offset(l), layer_inputs(l), layer_outputs(l), 1, size_t(layer_inputs(l)),
           g, buffers[which], n, Epilogue::kReluMask, below);
    g = buffers[which];
    which ^= 1;
  }
  accumulate_outer(g, input, n, d_params + layer_offset(0));
  if (d_input.data) matmul(params, d_input.rows, h, 1, size_t(config_.n_input), g, d_input, n);
}

}  // namespace strata
