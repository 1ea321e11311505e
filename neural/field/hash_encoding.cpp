#include "neural/field/hash_encoding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "neural/field/field_math.h"
#include "neural/field/simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

namespace strata {

namespace {

// The cell and the interpolation weights of one sample on one level.
struct Cell {
  uint32_t x, y, z;  // lower corner, vertex coordinates
  float fx, fy, fz;  // position inside the cell, [0, 1]
};

STRATA_SIMD_INLINE Cell locate(float px, float py, float pz, float resolution) {
  auto axis = [resolution](float p, uint32_t* i, float* f) {
    const float s = std::clamp(p, 0.0f, 1.0f) * resolution;
    const float fl = std::min(std::floor(s), resolution - 1.0f);
    *i = uint32_t(fl);
    *f = s - fl;
  };
  Cell c;
  axis(px, &c.x, &c.fx);
  axis(py, &c.y, &c.fy);
  axis(pz, &c.z, &c.fz);
  return c;
}

template <bool kHashed>
STRATA_SIMD_INLINE uint32_t vertex_index(uint32_t x, uint32_t y, uint32_t z, uint32_t stride,
                                         uint32_t mask) {
  if constexpr (kHashed) return grid_hash(x, y, z) & mask;
  return x + stride * (y + stride * z);
}

// Corner k (bits: x, y, z) of the cell: its table index and trilinear weight.
template <bool kHashed>
STRATA_SIMD_INLINE void corners(const Cell& c, uint32_t stride, uint32_t mask, uint32_t idx[8],
                                float w[8]) {
  for (int k = 0; k < 8; ++k) {
    const uint32_t dx = k & 1, dy = (k >> 1) & 1, dz = (k >> 2) & 1;
    idx[k] = vertex_index<kHashed>(c.x + dx, c.y + dy, c.z + dz, stride, mask);
    w[k] = (dx ? c.fx : 1.0f - c.fx) * (dy ? c.fy : 1.0f - c.fy) * (dz ? c.fz : 1.0f - c.fz);
  }
}

template <int F, bool kHashed>
STRATA_SIMD_INLINE void forward_level(const HashLevel& lv, int l, const float* params,
                                      ConstMatrixView pos, MatrixView out, size_t n) {
  const float* table = params + lv.params_offset;
  const uint32_t stride = lv.resolution + 1, mask = lv.entries - 1;
  const float res = float(lv.resolution);
  float* rows[F];
  for (int f = 0; f < F; ++f) rows[f] = out.row(l * F + f);
  const float *xs = pos.row(0), *ys = pos.row(1), *zs = pos.row(2);
  for (size_t s = 0; s < n; ++s) {
    const Cell c = locate(xs[s], ys[s], zs[s], res);
    uint32_t idx[8];
    float w[8];
    corners<kHashed>(c, stride, mask, idx, w);
    float acc[F] = {};
    for (int k = 0; k < 8; ++k) {
      const float* e = table + size_t(idx[k]) * F;
      for (int f = 0; f < F; ++f) acc[f] += w[k] * e[f];
    }
    for (int f = 0; f < F; ++f) rows[f][s] = acc[f];
  }
}

template <int F, bool kHashed>
STRATA_SIMD_INLINE void backward_level_impl(const HashLevel& lv, int l, ConstMatrixView pos,
                                            ConstMatrixView d_out, size_t n, float* d_params) {
  float* table = d_params + lv.params_offset;
  const uint32_t stride = lv.resolution + 1, mask = lv.entries - 1;
  const float res = float(lv.resolution);
  const float* rows[F];
  for (int f = 0; f < F; ++f) rows[f] = d_out.row(l * F + f);
  const float *xs = pos.row(0), *ys = pos.row(1), *zs = pos.row(2);
  for (size_t s = 0; s < n; ++s) {
    float g[F];
    bool any = false;
    for (int f = 0; f < F; ++f) {
      g[f] = rows[f][s];
      any |= g[f] != 0.0f;
    }
    if (!any) continue;  // samples past a ray's end carry no gradient
    const Cell c = locate(xs[s], ys[s], zs[s], res);
    uint32_t idx[8];
    float w[8];
    corners<kHashed>(c, stride, mask, idx, w);
    for (int k = 0; k < 8; ++k) {
      float* e = table + size_t(idx[k]) * F;
      for (int f = 0; f < F; ++f) e[f] += w[k] * g[f];
    }
  }
}

template <int F>
STRATA_SIMD_INLINE void forward_dispatch_hashed(const HashLevel& lv, int l, const float* params,
                                                ConstMatrixView pos, MatrixView out, size_t n) {
  if (lv.hashed)
    forward_level<F, true>(lv, l, params, pos, out, n);
  else
    forward_level<F, false>(lv, l, params, pos, out, n);
}

template <int F>
STRATA_SIMD_INLINE void backward_dispatch_hashed(const HashLevel& lv, int l, ConstMatrixView pos,
                                                 ConstMatrixView d_out, size_t n, float* d_params) {
  if (lv.hashed)
    backward_level_impl<F, true>(lv, l, pos, d_out, n, d_params);
  else
    backward_level_impl<F, false>(lv, l, pos, d_out, n, d_params);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define STRATA_HASH_AVX2 1
// AVX2 kernels for the default two features per level: 8 samples at a time, corner features
// fetched with gathers. Same arithmetic, in the same order, as the scalar code above (identical
// cells and weights); chosen at run time when the CPU has AVX2 and FMA.
struct Avx2Corners {
  __m256i idx[8];  // table entry of each corner
  __m256 w[8];     // trilinear weight of each corner
};

__attribute__((target("avx2,fma"))) inline void avx2_corners(const HashLevel& lv, const float* xs,
                                                             const float* ys, const float* zs,
                                                             size_t s, Avx2Corners* c) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  const __m256 res = _mm256_set1_ps(float(lv.resolution));
  const __m256 top = _mm256_set1_ps(float(lv.resolution) - 1.0f);
  __m256i i[3];
  __m256 f[3];
  const float* rows[3] = {xs, ys, zs};
  for (int a = 0; a < 3; ++a) {
    const __m256 p = _mm256_loadu_ps(rows[a] + s);
    // std::clamp(p, 0, 1) * resolution; floor, capped at the last cell.
    const __m256 v = _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(p, zero), one), res);
    const __m256 fl = _mm256_min_ps(_mm256_floor_ps(v), top);
    i[a] = _mm256_cvttps_epi32(fl);
    f[a] = _mm256_sub_ps(v, fl);
  }
  const __m256 wx[2] = {_mm256_sub_ps(one, f[0]), f[0]};
  const __m256 wy[2] = {_mm256_sub_ps(one, f[1]), f[1]};
  const __m256 wz[2] = {_mm256_sub_ps(one, f[2]), f[2]};
  const __m256i one_i = _mm256_set1_epi32(1);
  if (lv.hashed) {
    const __m256i mask = _mm256_set1_epi32(int(lv.entries - 1));
    const __m256i p1 = _mm256_set1_epi32(int(2654435761u)), p2 = _mm256_set1_epi32(805459861);
    const __m256i hx[2] = {i[0], _mm256_add_epi32(i[0], one_i)};
    const __m256i hy0 = _mm256_mullo_epi32(i[1], p1), hz0 = _mm256_mullo_epi32(i[2], p2);
    const __m256i hy[2] = {hy0, _mm256_add_epi32(hy0, p1)};
    const __m256i hz[2] = {hz0, _mm256_add_epi32(hz0, p2)};
    for (int k = 0; k < 8; ++k) {
      const int dx = k & 1, dy = (k >> 1) & 1, dz = (k >> 2) & 1;
      c->idx[k] =
          _mm256_and_si256(_mm256_xor_si256(_mm256_xor_si256(hx[dx], hy[dy]), hz[dz]), mask);
      c->w[k] = _mm256_mul_ps(_mm256_mul_ps(wx[dx], wy[dy]), wz[dz]);
    }
  } else {
    const int stride = int(lv.resolution + 1);
    const __m256i st = _mm256_set1_epi32(stride);
    const __m256i base = _mm256_add_epi32(
        i[0], _mm256_mullo_epi32(st, _mm256_add_epi32(i[1], _mm256_mullo_epi32(st, i[2]))));
    for (int k = 0; k < 8; ++k) {
      const int dx = k & 1, dy = (k >> 1) & 1, dz = (k >> 2) & 1;
      c->idx[k] = _mm256_add_epi32(base, _mm256_set1_epi32(dx + stride * (dy + stride * dz)));
      c->w[k] = _mm256_mul_ps(_mm256_mul_ps(wx[dx], wy[dy]), wz[dz]);
    }
  }
}

__attribute__((target("avx2,fma"))) void forward_level_avx2_f2(const HashLevel& lv, int l,
                                                               const float* params,
                                                               ConstMatrixView pos, MatrixView out,
                                                               size_t n) {
  const float* table = params + lv.params_offset;
  float *out0 = out.row(2 * l), *out1 = out.row(2 * l + 1);
  const size_t n8 = n / 8 * 8;
  for (size_t s = 0; s < n8; s += 8) {
    Avx2Corners c;
    avx2_corners(lv, pos.row(0), pos.row(1), pos.row(2), s, &c);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (int k = 0; k < 8; ++k) {
      const __m256i e = _mm256_slli_epi32(c.idx[k], 1);
      acc0 = _mm256_fmadd_ps(c.w[k], _mm256_i32gather_ps(table, e, 4), acc0);
      acc1 = _mm256_fmadd_ps(c.w[k], _mm256_i32gather_ps(table + 1, e, 4), acc1);
    }
    _mm256_storeu_ps(out0 + s, acc0);
    _mm256_storeu_ps(out1 + s, acc1);
  }
  if (n8 < n) {
    const ConstMatrixView rest(pos.data + n8, 3, pos.ld);
    const MatrixView rest_out{out.data + n8, out.rows, out.ld};
    if (lv.hashed)
      forward_level<2, true>(lv, l, params, rest, rest_out, n - n8);
    else
      forward_level<2, false>(lv, l, params, rest, rest_out, n - n8);
  }
}

__attribute__((target("avx2,fma"))) void backward_level_avx2_f2(const HashLevel& lv, int l,
                                                                ConstMatrixView pos,
                                                                ConstMatrixView d_out, size_t n,
                                                                float* d_params) {
  float* table = d_params + lv.params_offset;
  const float *g0 = d_out.row(2 * l), *g1 = d_out.row(2 * l + 1);
  const size_t n8 = n / 8 * 8;
  alignas(32) uint32_t idx[8][8];
  alignas(32) float w[8][8];
  for (size_t s = 0; s < n8; s += 8) {
    Avx2Corners c;
    avx2_corners(lv, pos.row(0), pos.row(1), pos.row(2), s, &c);
    for (int k = 0; k < 8; ++k) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(idx[k]), c.idx[k]);
      _mm256_store_ps(w[k], c.w[k]);
    }
    // Scatter in the scalar code's order (sample, then corner): same sums, bit for bit.
    for (int j = 0; j < 8; ++j) {
      const float a = g0[s + size_t(j)], b = g1[s + size_t(j)];
      if (a == 0.0f && b == 0.0f) continue;
      for (int k = 0; k < 8; ++k) {
        float* e = table + size_t(idx[k][j]) * 2;
        e[0] += w[k][j] * a;
        e[1] += w[k][j] * b;
      }
    }
  }
  if (n8 < n) {
    const ConstMatrixView rest(pos.data + n8, 3, pos.ld);
    const ConstMatrixView rest_d(d_out.data + n8, d_out.rows, d_out.ld);
    if (lv.hashed)
      backward_level_impl<2, true>(lv, l, rest, rest_d, n - n8, d_params);
    else
      backward_level_impl<2, false>(lv, l, rest, rest_d, n - n8, d_params);
  }
}

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

STRATA_VECTOR_CLONES
void forward_all(const std::vector<HashLevel>& levels, int F, const float* params,
                 ConstMatrixView pos, MatrixView out, size_t n) {
  for (int l = 0; l < int(levels.size()); ++l) {
    const HashLevel& lv = levels[size_t(l)];
#ifdef STRATA_HASH_AVX2
    if (F == 2 && cpu_has_avx2_fma()) {
      forward_level_avx2_f2(lv, l, params, pos, out, n);
      continue;
    }
#endif
    switch (F) {
      case 1:
        forward_dispatch_hashed<1>(lv, l, params, pos, out, n);
        break;
      case 2:
        forward_dispatch_hashed<2>(lv, l, params, pos, out, n);
        break;
      case 4:
        forward_dispatch_hashed<4>(lv, l, params, pos, out, n);
        break;
      default:
        forward_dispatch_hashed<8>(lv, l, params, pos, out, n);
        break;
    }
  }
}

STRATA_VECTOR_CLONES
void backward_one(const HashLevel& lv, int l, int F, ConstMatrixView pos, ConstMatrixView d_out,
                  size_t n, float* d_params) {
#ifdef STRATA_HASH_AVX2
  if (F == 2 && cpu_has_avx2_fma()) return backward_level_avx2_f2(lv, l, pos, d_out, n, d_params);
#endif
  switch (F) {
    case 1:
      backward_dispatch_hashed<1>(lv, l, pos, d_out, n, d_params);
      break;
    case 2:
      backward_dispatch_hashed<2>(lv, l, pos, d_out, n, d_params);
      break;
    case 4:
      backward_dispatch_hashed<4>(lv, l, pos, d_out, n, d_params);
      break;
    default:
      backward_dispatch_hashed<8>(lv, l, pos, d_out, n, d_params);
      break;
  }
}

}  // namespace

HashEncoding::HashEncoding(const HashEncodingConfig& config) : config_(config) {
  const int F = config.features_per_level;
  if (config.levels < 1 || config.levels > 32)
    throw std::invalid_argument("hash encoding: levels must be in 1..32");
  if (F != 1 && F != 2 && F != 4 && F != 8)
    throw std::invalid_argument("hash encoding: features_per_level must be 1, 2, 4 or 8");
  if (config.log2_table_size < 10 || config.log2_table_size > 24)
    throw std::invalid_argument("hash encoding: log2_table_size must be in 10..24");
  if (config.base_resolution < 2 || config.finest_resolution < config.base_resolution ||
      config.finest_resolution > 65536)
    throw std::invalid_argument(
        "hash encoding: need 2 <= base_resolution <= finest_resolution <= 65536");
  const double growth = config.levels > 1 ? std::exp((std::log(double(config.finest_resolution)) -
                                                      std::log(double(config.base_resolution))) /
                                                     double(config.levels - 1))
                                          : 1.0;
  const uint64_t table = uint64_t(1) << config.log2_table_size;
  size_t offset = 0;
  for (int l = 0; l < config.levels; ++l) {
    HashLevel lv;
    lv.resolution =
        uint32_t(std::floor(double(config.base_resolution) * std::pow(growth, l) + 1e-6));
    const uint64_t dense = uint64_t(lv.resolution + 1) * (lv.resolution + 1) * (lv.resolution + 1);
    lv.hashed = dense > table;
    lv.entries = uint32_t(lv.hashed ? table : (dense + 7) / 8 * 8);
    lv.params_offset = offset;
    offset += size_t(lv.entries) * size_t(F);
    levels_.push_back(lv);
  }
  n_params_ = offset;
}

void HashEncoding::initialize_params(float* params, uint64_t seed) const {
  Rng rng(seed, 0x48415348);
  for (size_t i = 0; i < n_params_; ++i) params[i] = (2.0f * rng.next_float() - 1.0f) * 1e-4f;
}

void HashEncoding::forward(const float* params, ConstMatrixView positions, MatrixView output,
                           size_t n) const {
  forward_all(levels_, config_.features_per_level, params, positions, output, n);
}

void HashEncoding::backward_level(int level, ConstMatrixView positions, ConstMatrixView d_output,
                                  size_t n, float* d_params) const {
  backward_one(levels_[size_t(level)], level, config_.features_per_level, positions, d_output, n,
               d_params);
}

void HashEncoding::backward(ConstMatrixView positions, ConstMatrixView d_output, size_t n,
                            float* d_params) const {
  for (int l = 0; l < config_.levels; ++l) backward_level(l, positions, d_output, n, d_params);
}

}  // namespace strata
