#include "neural/field/field_network.h"

#include <time.h>
#include <algorithm>
#include <cstring>

#include "neural/field/field_math.h"
#include "neural/field/sh_encoding.h"

namespace strata {

void PhaseTimes::add(const PhaseTimes& o) {
  march += o.march;
  encode += o.encode;
  density_mlp += o.density_mlp;
  color += o.color;
  composite += o.composite;
  color_backward += o.color_backward;
  density_backward += o.density_backward;
  encode_backward += o.encode_backward;
  optimizer += o.optimizer;
  occupancy += o.occupancy;
}

double PhaseClock::now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double PhaseTimes::total() const {
  return march + encode + density_mlp + color + composite + color_backward + density_backward +
         encode_backward + optimizer + occupancy;
}

namespace {

MlpConfig density_mlp_config(const FieldConfig& c) {
  return MlpConfig{c.encoding.levels * c.encoding.features_per_level, c.density_hidden,
                   c.density_hidden_layers, c.geometry_features};
}
MlpConfig color_mlp_config(const FieldConfig& c) {
  return MlpConfig{c.geometry_features + c.sh_degree * c.sh_degree, c.color_hidden,
                   c.color_hidden_layers, 3};
}

// The row blocks of a batch, in storage order; the first kDensityBlocks are the ones the
// marcher and the density pass fill (moved by move_sample).
struct RowLayout {
  int positions, directions, encoded, density_hidden, color_input, color_hidden, rgb, sigma, t, dt;
  int d_rgb, d_sigma, d_color_input, d_encoded, scratch;
};

RowLayout layout_for(const FieldNetwork& n) {
  const FieldConfig& c = n.config();
  RowLayout r{};
  r.positions = 3;
  r.directions = 3;
  r.encoded = n.encoding().n_output_dims();
  r.density_hidden = n.density_mlp().n_hidden_rows();
  r.color_input = c.geometry_features + n.sh_rows();
  r.color_hidden = n.color_mlp().n_hidden_rows();
  r.rgb = 3;
  r.sigma = r.t = r.dt = 1;
  r.d_rgb = 3;
  r.d_sigma = 1;
  r.d_color_input = c.geometry_features;
  r.d_encoded = r.encoded;
  r.scratch = 2 * std::max(c.density_hidden, c.color_hidden);
  return r;
}

}  // namespace

void FieldBatch::allocate(const FieldNetwork& network, size_t capacity, bool with_gradients) {
  const RowLayout r = layout_for(network);
  geometry_features_ = network.config().geometry_features;
  training = with_gradients;
  // Room for whole 16-sample tiles, so vector loads never straddle a row's end.
  ld = std::max<size_t>(16, (capacity + 15) / 16 * 16);
  int forward_rows = r.positions + r.directions + r.encoded + r.density_hidden + r.color_input +
                     r.color_hidden + r.rgb + r.sigma + r.t + r.dt;
  int gradient_rows =
      with_gradients ? r.d_rgb + r.d_sigma + r.d_color_input + r.d_encoded + r.scratch : 0;
  storage.assign(size_t(forward_rows + gradient_rows) * ld, 0.0f);
  ray.assign(ld, 0u);
  float* p = storage.data();
  auto take = [&](int rows) {
    MatrixView m{p, rows, ld};
    p += size_t(rows) * ld;
    return m;
  };
  positions = take(r.positions);
  directions = take(r.directions);
  encoded = take(r.encoded);
  density_hidden = take(r.density_hidden);
  color_input = take(r.color_input);
  color_hidden = take(r.color_hidden);
  rgb = take(r.rgb);
  sigma = take(r.sigma);
  t = take(r.t);
  dt = take(r.dt);
  if (with_gradients) {
    d_rgb = take(r.d_rgb);
    d_sigma = take(r.d_sigma);
    d_color_input = take(r.d_color_input);
    d_encoded = take(r.d_encoded);
    scratch = take(r.scratch);
  } else {
    d_rgb = d_sigma = d_color_input = d_encoded = scratch = MatrixView{};
  }
}

void FieldBatch::reserve(const FieldNetwork& network, size_t capacity, size_t keep) {
  if (capacity <= ld && !storage.empty()) return;
  FieldBatch bigger;
  bigger.allocate(network, std::max(capacity, ld * 2), training);
  keep = std::min(keep, ld);
  // Same row order in both: copy row by row.
  const size_t rows = storage.size() / std::max<size_t>(1, ld);
  for (size_t r = 0; r < rows; ++r)
    std::memcpy(bigger.storage.data() + r * bigger.ld, storage.data() + r * ld,
                keep * sizeof(float));
  std::copy(ray.begin(), ray.begin() + long(keep), bigger.ray.begin());
  *this = std::move(bigger);
}

void FieldBatch::compact(size_t begin, const uint32_t* keep, size_t count, bool color_only) {
  // Row by row: each row streams once through the cache (moving whole columns would touch every
  // row's cache line per sample).
  auto compact_rows = [&](const MatrixView& m, int rows) {
    for (int r = 0; r < rows; ++r) {
      float* p = m.row(r);
      for (size_t j = 0; j < count; ++j) p[begin + j] = p[keep[j]];
    }
  };
  if (!color_only) {
    compact_rows(positions, 3);
    compact_rows(encoded, encoded.rows);
    compact_rows(density_hidden, density_hidden.rows);
    compact_rows(sigma, 1);
    compact_rows(t, 1);
  }
  compact_rows(directions, 3);
  compact_rows(color_input, geometry_features_);
  compact_rows(dt, 1);
  for (size_t j = 0; j < count; ++j) ray[begin + j] = ray[keep[j]];
}

FieldNetwork::FieldNetwork(const FieldConfig& config)
    : config_((config.validate(), config)),
      encoding_(config.encoding),
      density_mlp_(density_mlp_config(config)),
      color_mlp_(color_mlp_config(config)) {
  density_offset_ = encoding_.n_params();
  color_offset_ = density_offset_ + density_mlp_.n_params();
}

void FieldNetwork::initialize_params(float* params, uint64_t seed) const {
  encoding_.initialize_params(params, seed);
  density_mlp_.initialize_params(params + density_offset_, seed ^ 0x1234567ull);
  color_mlp_.initialize_params(params + color_offset_, seed ^ 0x7654321ull);
}

void FieldNetwork::forward_density(const float* params, FieldBatch& b, size_t begin, size_t n,
                                   PhaseTimes* times) const {
  if (n == 0) return;
  PhaseClock clock(times);
  const MatrixView enc = columns_from(b.encoded, begin);
  encoding_.forward(params, columns_from(b.positions, begin), enc, n);
  clock.lap(&PhaseTimes::encode);
  MatrixView geometry{b.color_input.data + begin, config_.geometry_features, b.ld};
  density_mlp_.forward(params + density_offset_, enc, columns_from(b.density_hidden, begin),
                       geometry, n);
  const float* logit = geometry.row(0);
  float* sigma = b.sigma.row(0) + begin;
  const float bias = config_.density_bias;
  for (size_t s = 0; s < n; ++s) sigma[s] = density_activation(logit[s] + bias);
  clock.lap(&PhaseTimes::density_mlp);
}

void FieldNetwork::forward_color(const float* params, FieldBatch& b, size_t begin, size_t n,
                                 PhaseTimes* times) const {
  if (n == 0) return;
  PhaseClock clock(times);
  MatrixView sh{b.color_input.row(config_.geometry_features) + begin, sh_rows(), b.ld};
  sh_encode(config_.sh_degree, columns_from(b.directions, begin), sh, n);
  const MatrixView rgb = columns_from(b.rgb, begin);
  color_mlp_.forward(params + color_offset_, columns_from(b.color_input, begin),
                     columns_from(b.color_hidden, begin), rgb, n);
  for (int c = 0; c < 3; ++c) {
    float* row = rgb.row(c);
    for (size_t s = 0; s < n; ++s) row[s] = sigmoid(row[s]);
  }
  clock.lap(&PhaseTimes::color);
}

void FieldNetwork::backward(const float* params, FieldBatch& b, size_t n, float* d_mlp,
                            PhaseTimes* times) const {
  if (n == 0) return;
  PhaseClock clock(times);
  // Through the sigmoid: dL/dlogit = dL/drgb * rgb * (1 - rgb).
  for (int c = 0; c < 3; ++c) {
    float* g = b.d_rgb.row(c);
    const float* v = b.rgb.row(c);
    for (size_t s = 0; s < n; ++s) g[s] *= v[s] * (1.0f - v[s]);
  }
  color_mlp_.backward(params + color_offset_, b.color_input, b.color_hidden, b.d_rgb, n,
                      d_mlp + (color_offset_ - density_offset_), b.d_color_input, b.scratch);
  clock.lap(&PhaseTimes::color_backward);
  // The density logit feeds both the colour MLP and sigma = exp(logit).
  {
    float* g = b.d_color_input.row(0);
    const float* logit = b.color_input.row(0);
    const float* ds = b.d_sigma.row(0);
    const float bias = config_.density_bias;
    for (size_t s = 0; s < n; ++s) g[s] += ds[s] * density_activation_derivative(logit[s] + bias);
  }
  density_mlp_.backward(params + density_offset_, b.encoded, b.density_hidden, b.d_color_input, n,
                        d_mlp, b.d_encoded, b.scratch);
  clock.lap(&PhaseTimes::density_backward);
}

}  // namespace strata
