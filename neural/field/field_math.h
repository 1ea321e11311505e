// Math of the radiance field shared by the CPU code and (later) CUDA kernels, written once behind
// STRATA_HOST_DEVICE: the spatial hash, the spherical-harmonic basis, activations, a counter-based
// random number generator, ray/box intersection and one compositing step.
#pragma once

#include <cmath>
#include <cstdint>

#include "neural/core/math.h"

namespace strata {

// The spatial hash of instant-ngp's multiresolution grid (Teschner et al.): the integer vertex
// coordinates multiplied by large primes and XORed; the caller masks it to the table size.
STRATA_HOST_DEVICE inline uint32_t grid_hash(uint32_t x, uint32_t y, uint32_t z) {
  return x ^ (y * 2654435761u) ^ (z * 805459861u);
}

// Real spherical harmonics of a unit direction, bands 0..degree-1 (degree in 1..4), written to
// out[0 .. degree*degree). The standard orthonormal constants (as in Plenoxels and tiny-cuda-nn).
STRATA_HOST_DEVICE inline void sh_basis(int degree, float x, float y, float z, float* out) {
  out[0] = 0.28209479177387814f;
  if (degree <= 1) return;
  out[1] = -0.48860251190291987f * y;
  out[2] = 0.48860251190291987f * z;
  out[3] = -0.48860251190291987f * x;
  if (degree <= 2) return;
  const float xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, xz = x * z;
  out[4] = 1.0925484305920792f * xy;
  out[5] = -1.0925484305920792f * yz;
  out[6] = 0.94617469575755997f * zz - 0.31539156525251999f;
  out[7] = -1.0925484305920792f * xz;
  out[8] = 0.54627421529603959f * (xx - yy);
  if (degree <= 3) return;
  out[9] = 0.59004358992664352f * y * (-3.0f * xx + yy);
  out[10] = 2.8906114426405538f * xy * z;
  out[11] = 0.45704579946446572f * y * (1.0f - 5.0f * zz);
  out[12] = 0.3731763325901154f * z * (5.0f * zz - 3.0f);
  out[13] = 0.45704579946446572f * x * (1.0f - 5.0f * zz);
  out[14] = 1.4453057213202769f * z * (xx - yy);
  out[15] = 0.59004358992664352f * x * (-xx + 3.0f * yy);
}

// Density activation: sigma = exp(x). Its derivative is clamped (instant-ngp's "truncated exp")
// so that one large pre-activation cannot blow up a step.
STRATA_HOST_DEVICE inline float density_activation(float x) {
  return std::exp(fminf(x, 20.0f));
}
STRATA_HOST_DEVICE inline float density_activation_derivative(float x) {
  return std::exp(fminf(fmaxf(x, -15.0f), 15.0f));
}

STRATA_HOST_DEVICE inline float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

// splitmix64: mixes a 64-bit counter into a well-distributed 64-bit value.
STRATA_HOST_DEVICE inline uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A small counter-based generator: its stream is a pure function of (seed, a, b), so results do
// not depend on which thread draws them (determinism for a fixed seed).
struct Rng {
  uint64_t state;  // advanced by every draw

  // The stream of (seed, a, b): e.g. (seed, step, ray index).
  STRATA_HOST_DEVICE Rng(uint64_t seed, uint64_t a, uint64_t b = 0)
      : state(mix64(seed ^ mix64(a ^ mix64(b + 0x632be59bd9b4e019ull)))) {}
  // Uniform 32-bit value (PCG32's output function).
  STRATA_HOST_DEVICE uint32_t next_u32() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const uint32_t xorshifted = uint32_t(((state >> 18u) ^ state) >> 27u);
    const uint32_t rot = uint32_t(state >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }
  // Uniform in [0, 1).
  STRATA_HOST_DEVICE float next_float() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }
  // Uniform in [0, n) for n >= 1.
  STRATA_HOST_DEVICE uint32_t next_below(uint32_t n) {
    return uint32_t((uint64_t(next_u32()) * n) >> 32);
  }
};

// Entry and exit distances of a ray (origin o, direction d with inv_d = 1/d) through the box
// [lo, hi]; *t0 > *t1 when it misses.
STRATA_HOST_DEVICE inline void ray_box(const vec3& o, const vec3& inv_d, const vec3& lo,
                                       const vec3& hi, float* t0, float* t1) {
  const vec3 a = (lo - o) * inv_d, b = (hi - o) * inv_d;
  const vec3 n = glm::min(a, b), f = glm::max(a, b);
  *t0 = fmaxf(fmaxf(n.x, n.y), n.z);
  *t1 = fminf(fminf(f.x, f.y), f.z);
}

// 1/d with zero components replaced by a huge value of the same sign, for slab tests.
STRATA_HOST_DEVICE inline vec3 safe_inverse(const vec3& d) {
  auto inv = [](float v) { return fabsf(v) < 1e-12f ? (v < 0.0f ? -1e12f : 1e12f) : 1.0f / v; };
  return vec3(inv(d.x), inv(d.y), inv(d.z));
}

// Opacity of a segment of length dt (metres) in a medium of density sigma (1/metres).
STRATA_HOST_DEVICE inline float segment_alpha(float sigma, float dt) {
  return 1.0f - std::exp(-sigma * dt);
}

// Transmittance below which a ray stops (DESIGN.md: early stop at T < 1e-4).
constexpr float kTransmittanceEpsilon = 1e-4f;

}  // namespace strata
