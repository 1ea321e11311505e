// Gradients of the field's building blocks against central finite differences: the MLP, the hash
// encoding, the compositing integral and the whole network chain used by the trainer.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "neural/field/field_math.h"
#include "neural/field/field_network.h"
#include "neural/field/hash_encoding.h"
#include "neural/field/mlp.h"
#include "neural/field/ray_marching.h"

using namespace strata;

namespace {

std::vector<float> random_vector(size_t n, uint64_t seed, float scale = 1.0f) {
  std::vector<float> v(n);
  Rng rng(seed, 7);
  for (float& x : v) x = (2.0f * rng.next_float() - 1.0f) * scale;
  return v;
}

// |a - b| within an absolute-plus-relative tolerance.
bool close(double a, double b, double rel, double abs) {
  return std::abs(a - b) <= abs + rel * std::max(std::abs(a), std::abs(b));
}

// Central difference of f at step h, and whether it is trustworthy: the same at h/2 (a ReLU kink
// or rounding inside the interval shows as a disagreement; such points are skipped, and counted).
struct Difference {
  double value;
  bool smooth;
};
template <typename F>
Difference central_difference(F&& f, double h) {
  const double a = (f(h) - f(-h)) / (2.0 * h);
  const double b = (f(0.5 * h) - f(-0.5 * h)) / h;
  return {b, close(a, b, 1e-2, 1e-3)};
}

}  // namespace

// The MLP in double precision, straight from its definition (row-major [out][in] weights, ReLU
// hidden layers, linear output), for finite differences free of float rounding.
double reference_mlp_loss(const MlpConfig& c, const std::vector<double>& params,
                          const std::vector<double>& input, const std::vector<float>& weights,
                          size_t ld, size_t n) {
  double loss = 0.0;
  for (size_t s = 0; s < n; ++s) {
    std::vector<double> x(size_t(c.n_input));
    for (int i = 0; i < c.n_input; ++i) x[size_t(i)] = input[size_t(i) * ld + s];
    size_t offset = 0;
    for (int l = 0; l <= c.n_hidden_layers; ++l) {
      const int out = l == c.n_hidden_layers ? c.n_output : c.n_hidden;
      std::vector<double> y(size_t(out), 0.0);
      for (int o = 0; o < out; ++o) {
        for (size_t i = 0; i < x.size(); ++i)
          y[size_t(o)] += params[offset + o * x.size() + i] * x[i];
        if (l < c.n_hidden_layers) y[size_t(o)] = std::max(0.0, y[size_t(o)]);
      }
      offset += size_t(out) * x.size();
      x = y;
    }
    for (int o = 0; o < c.n_output; ++o) loss += double(weights[size_t(o) * ld + s]) * x[size_t(o)];
  }
  return loss;
}

TEST_CASE("MLP gradients match finite differences", "[field]") {
  for (size_t n : {size_t(5), size_t(37)}) {  // a tail only; full 16-sample tiles and a tail
    const MlpConfig config{7, 16, 2, 5};
    const Mlp mlp(config);
    std::vector<float> params(mlp.n_params());
    mlp.initialize_params(params.data(), 3);
    const size_t ld = 48;
    std::vector<float> input = random_vector(7 * ld, 11), weights = random_vector(5 * ld, 12);
    std::vector<float> hidden(size_t(mlp.n_hidden_rows()) * ld), output(5 * ld),
        scratch(2 * 16 * ld), d_input(7 * ld, 0.0f), d_params(mlp.n_params(), 0.0f);
    mlp.forward(params.data(), ConstMatrixView(input.data(), 7, ld),
                MatrixView{hidden.data(), 32, ld}, MatrixView{output.data(), 5, ld}, n);
    mlp.backward(params.data(), ConstMatrixView(input.data(), 7, ld),
                 ConstMatrixView(hidden.data(), 32, ld), ConstMatrixView(weights.data(), 5, ld), n,
                 d_params.data(), MatrixView{d_input.data(), 7, ld},
                 MatrixView{scratch.data(), 32, ld});
    // The float forward pass agrees with the reference.
    std::vector<double> p(params.begin(), params.end()), in(input.begin(), input.end());
    double float_loss = 0.0;
    for (int r = 0; r < 5; ++r)
      for (size_t c = 0; c < n; ++c) float_loss += double(weights[r * ld + c]) * output[r * ld + c];
    CHECK(float_loss == Approx(reference_mlp_loss(config, p, in, weights, ld, n)).epsilon(1e-4));

    const double h = 1e-5;
    int bad = 0;
    auto check = [&](std::vector<double>& values, size_t i, float analytic, const char* what) {
      const double keep = values[i];
      values[i] = keep + h;
      const double up = reference_mlp_loss(config, p, in, weights, ld, n);
      values[i] = keep - h;
      const double down = reference_mlp_loss(config, p, in, weights, ld, n);
      values[i] = keep;
      const double fd = (up - down) / (2.0 * h);
      if (!close(analytic, fd, 1e-3, 1e-5)) {
        ++bad;
        UNSCOPED_INFO(what << " " << i << ": analytic " << analytic << " fd " << fd);
      }
    };
    for (size_t i = 0; i < p.size(); ++i) check(p, i, d_params[i], "param");
    for (int r = 0; r < 7; ++r)
      for (size_t c = 0; c < n; ++c) check(in, r * ld + c, d_input[r * ld + c], "input");
    CHECK(bad == 0);
  }
}

TEST_CASE("Hash encoding gradients match finite differences", "[field]") {
  // Small table so that fine levels are hashed (collisions included) and coarse ones dense.
  HashEncodingConfig config;
  config.levels = 6;
  config.features_per_level = 2;
  config.log2_table_size = 10;
  config.base_resolution = 3;
  config.finest_resolution = 40;
  const HashEncoding enc(config);
  REQUIRE_FALSE(enc.level(0).hashed);
  REQUIRE(enc.level(5).hashed);
  std::vector<float> params(enc.n_params());
  enc.initialize_params(params.data(), 5);
  for (float& p : params) p *= 1e4f;  // features of order 1
  const size_t n = 23, ld = 32;
  const int dims = enc.n_output_dims();
  std::vector<float> pos = random_vector(3 * ld, 21);
  for (float& p : pos) p = 0.5f + 0.5f * p;
  pos[0] = 1.0f;  // on the box's far face
  pos[ld + 1] = 0.0f;
  const std::vector<float> weights = random_vector(size_t(dims) * ld, 22);
  auto loss = [&](const std::vector<float>& p) {
    std::vector<float> out(size_t(dims) * ld);
    enc.forward(p.data(), ConstMatrixView(pos.data(), 3, ld), MatrixView{out.data(), dims, ld}, n);
    double l = 0.0;
    for (int r = 0; r < dims; ++r)
      for (size_t c = 0; c < n; ++c) l += double(weights[r * ld + c]) * out[r * ld + c];
    return l;
  };
  std::vector<float> grad(enc.n_params(), 0.0f);
  enc.backward(ConstMatrixView(pos.data(), 3, ld), ConstMatrixView(weights.data(), dims, ld), n,
               grad.data());
  // The loss is linear in the parameters: differences are exact up to rounding.
  size_t touched = 0;
  int bad = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (grad[i] == 0.0f && i % 17 != 0) continue;  // every touched entry, some untouched ones
    touched += grad[i] != 0.0f;
    std::vector<float> plus = params, minus = params;
    plus[i] += 0.5f;
    minus[i] -= 0.5f;
    const double fd = loss(plus) - loss(minus);
    if (!close(grad[i], fd, 1e-3, 1e-4)) {
      ++bad;
      UNSCOPED_INFO("param " << i << ": analytic " << grad[i] << " fd " << fd);
    }
  }
  CHECK(touched > 100);
  CHECK(bad == 0);
}

TEST_CASE("Compositing gradients match finite differences", "[field]") {
  FieldConfig config;
  config.encoding.levels = 2;
  config.encoding.log2_table_size = 10;
  config.encoding.finest_resolution = 32;
  const FieldNetwork network(config);
  FieldBatch b;
  b.allocate(network, 16, true);
  const size_t n = 9;
  std::vector<uint32_t> order(n);
  Rng rng(3, 4);
  for (size_t i = 0; i < n; ++i) {
    order[i] = uint32_t(n - 1 - i);  // columns visited out of storage order
    b.sigma.row(0)[i] = 0.5f + 20.0f * rng.next_float();
    b.dt.row(0)[i] = 0.02f + 0.01f * rng.next_float();
    for (int c = 0; c < 3; ++c) b.rgb.row(c)[i] = rng.next_float();
  }
  const vec3 background(0.2f, 0.7f, 0.4f), weights(0.3f, -1.1f, 0.8f);
  auto loss = [&]() {
    float T;
    return double(glm::dot(weights, composite_ray(b, order.data(), n, background, &T)));
  };
  float T;
  const vec3 color = composite_ray(b, order.data(), n, background, &T);
  composite_ray_backward(b, order.data(), n, color, weights);
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    float& s = b.sigma.row(0)[i];
    const float keep = s, eps = 1e-2f;
    s = keep + eps;
    const double up = loss();
    s = keep - eps;
    const double down = loss();
    s = keep;
    const double fd = (up - down) / (2.0 * eps);
    if (!close(b.d_sigma.row(0)[i], fd, 1e-2, 1e-5)) {
      ++bad;
      UNSCOPED_INFO("sigma " << i << ": analytic " << b.d_sigma.row(0)[i] << " fd " << fd);
    }
    for (int c = 0; c < 3; ++c) {
      float& v = b.rgb.row(c)[i];
      const float kv = v;
      v = kv + eps;
      const double u = loss();
      v = kv - eps;
      const double d = loss();
      v = kv;
      if (!close(b.d_rgb.row(c)[i], (u - d) / (2.0 * eps), 1e-2, 1e-5)) ++bad;
    }
  }
  CHECK(bad == 0);
}

TEST_CASE("Field network chain: gradients of a rendered colour match finite differences",
          "[field]") {
  FieldConfig config;
  config.encoding.levels = 4;
  config.encoding.log2_table_size = 12;
  config.encoding.base_resolution = 4;
  config.encoding.finest_resolution = 64;
  config.density_hidden = 16;
  config.color_hidden = 16;
  config.geometry_features = 8;
  config.sh_degree = 3;
  RadianceField field = create_field(config, 9);
  const FieldNetwork network(config);
  for (size_t i = 0; i < network.encoding_params(); ++i) field.params[i] *= 2000.0f;
  FieldBatch b;
  b.allocate(network, 512, true);
  MarchState march = start_march(
      config, Ray{vec3(-2.0f, 0.1f, 0.2f), glm::normalize(vec3(1.0f, 0.1f, 0.05f))}, 0.3f);
  const size_t n = size_t(march_samples(field, march, 0, 400, b, 0));
  REQUIRE(n > 100);
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = uint32_t(i);
  const vec3 background(0.3f, 0.5f, 0.9f), weights(1.0f, -0.5f, 0.7f);
  auto render = [&](const std::vector<float>& params) {
    network.forward_density(params.data(), b, 0, n);
    network.forward_color(params.data(), b, 0, n);
    float T;
    return composite_ray(b, order.data(), n, background, &T);
  };
  const vec3 color = render(field.params);
  composite_ray_backward(b, order.data(), n, color, weights);
  std::vector<float> grad(network.n_params(), 0.0f);
  network.backward(field.params.data(), b, n, grad.data() + network.density_offset());
  network.encoding().backward(b.positions, b.d_encoded, n, grad.data());

  // Per part, directional derivatives (many parameters at once, so float rounding averages out):
  // along the analytic gradient, and along its restriction to random halves of the parameters
  // (which catches misplaced entries), the derivative must equal the analytic prediction g . d.
  auto check_range = [&](size_t begin, size_t end, const char* part) {
    double norm = 0.0;
    for (size_t i = begin; i < end; ++i) norm += double(grad[i]) * grad[i];
    norm = std::sqrt(norm);
    REQUIRE(norm > 1e-4);  // the part does receive gradient
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<double> d(end - begin);
      double dn = 0.0, predicted = 0.0;
      Rng rng(17, begin, uint64_t(trial));
      for (size_t i = begin; i < end; ++i) {
        d[i - begin] = trial == 0 || rng.next_float() < 0.5f ? grad[i] : 0.0;
        dn += d[i - begin] * d[i - begin];
      }
      dn = std::sqrt(dn);
      for (size_t i = begin; i < end; ++i) predicted += grad[i] * d[i - begin] / dn;
      const Difference fd = central_difference(
          [&](double h) {
            std::vector<float> p = field.params;
            for (size_t i = begin; i < end; ++i) p[i] += float(h * d[i - begin] / dn);
            return double(glm::dot(weights, render(p)));
          },
          0.05);
      INFO(part << " direction " << trial << ": analytic " << predicted << " fd " << fd.value
                << " |g| " << norm);
      CHECK(fd.smooth);
      CHECK(std::abs(predicted - fd.value) < 0.03 * std::abs(predicted));
    }
  };
  check_range(0, network.encoding_params(), "encoding");
  check_range(network.density_offset(), network.color_offset(), "density MLP");
  check_range(network.color_offset(), network.n_params(), "colour MLP");
}
