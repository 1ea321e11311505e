#include "neural/fit/ssim_loss.h"

#include <cmath>
#include <stdexcept>

namespace strata {

namespace {

constexpr int kRadius = 5;  // 11x11 window

std::vector<float> gaussian_kernel() {
  std::vector<float> k(2 * kRadius + 1);
  float sum = 0.0f;
  for (int i = -kRadius; i <= kRadius; ++i) {
    k[size_t(i + kRadius)] = std::exp(-float(i * i) / (2.0f * 1.5f * 1.5f));
    sum += k[size_t(i + kRadius)];
  }
  for (float& v : k) v /= sum;
  return k;
}

// Separable "same" convolution with zero padding; symmetric kernel, so it is its own adjoint.
std::vector<float> blur(const std::vector<float>& in, int w, int h, const std::vector<float>& k) {
  std::vector<float> tmp(in.size(), 0.0f), out(in.size(), 0.0f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float s = 0.0f;
      for (int i = -kRadius; i <= kRadius; ++i) {
        const int xi = x + i;
        if (xi >= 0 && xi < w) s += k[size_t(i + kRadius)] * in[size_t(y) * size_t(w) + size_t(xi)];
      }
      tmp[size_t(y) * size_t(w) + size_t(x)] = s;
    }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float s = 0.0f;
      for (int i = -kRadius; i <= kRadius; ++i) {
        const int yi = y + i;
        if (yi >= 0 && yi < h)
          s += k[size_t(i + kRadius)] * tmp[size_t(yi) * size_t(w) + size_t(x)];
      }
      out[size_t(y) * size_t(w) + size_t(x)] = s;
    }
  return out;
}

}  // namespace

double ssim_with_gradient(const std::vector<vec3>& x, const std::vector<vec3>& y, int width,
                          int height, std::vector<vec3>* d_x) {
  const size_t n = size_t(width) * size_t(height);
  if (width < 1 || height < 1 || x.size() != n || y.size() != n)
    throw std::invalid_argument("ssim_with_gradient: sizes differ");
  static const std::vector<float> kernel = gaussian_kernel();
  const float c1 = 0.01f * 0.01f, c2 = 0.03f * 0.03f;
  const float inv = 1.0f / (3.0f * float(n));
  if (d_x) d_x->assign(n, vec3(0.0f));
  double total = 0.0;
  std::vector<float> a(n), b(n), ab(n), aa(n), bb(n);
  for (int ch = 0; ch < 3; ++ch) {
    for (size_t i = 0; i < n; ++i) {
      a[i] = x[i][ch];
      b[i] = y[i][ch];
      aa[i] = a[i] * a[i];
      bb[i] = b[i] * b[i];
      ab[i] = a[i] * b[i];
    }
    const auto mx = blur(a, width, height, kernel), my = blur(b, width, height, kernel);
    const auto sxx = blur(aa, width, height, kernel), syy = blur(bb, width, height, kernel);
    const auto sxy = blur(ab, width, height, kernel);
    std::vector<float> d_mx(d_x ? n : 0), d_sxx(d_x ? n : 0), d_sxy(d_x ? n : 0);
    for (size_t i = 0; i < n; ++i) {
      const float A1 = 2.0f * mx[i] * my[i] + c1;
      const float A2 = 2.0f * (sxy[i] - mx[i] * my[i]) + c2;
      const float B1 = mx[i] * mx[i] + my[i] * my[i] + c1;
      const float B2 = (sxx[i] - mx[i] * mx[i]) + (syy[i] - my[i] * my[i]) + c2;
      const float s = A1 * A2 / (B1 * B2);
      total += s;
      if (!d_x) continue;
      // S = A1 A2 / (B1 B2) with the window statistics as the free variables.
      d_mx[i] = inv * ((2.0f * my[i] * A2 - 2.0f * my[i] * A1) / (B1 * B2) -
                       s * (2.0f * mx[i] / B1 - 2.0f * mx[i] / B2));
      d_sxx[i] = inv * (-s / B2);
      d_sxy[i] = inv * (2.0f * A1 / (B1 * B2));
    }
    if (!d_x) continue;
    const auto g_mx = blur(d_mx, width, height, kernel);
    const auto g_sxx = blur(d_sxx, width, height, kernel);
    const auto g_sxy = blur(d_sxy, width, height, kernel);
    for (size_t i = 0; i < n; ++i)
      (*d_x)[i][ch] = g_mx[i] + 2.0f * a[i] * g_sxx[i] + b[i] * g_sxy[i];
  }
  return total / (3.0 * double(n));
}

}  // namespace strata
