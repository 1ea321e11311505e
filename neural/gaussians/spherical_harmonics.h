// Real spherical harmonics of degree 0-3 in the basis, order and normalisation of 3D Gaussian
// splatting (Inria's sh_utils / forward.cu), written once for the CPU reference and CUDA.
//
// Coefficient k of a Gaussian multiplies basis function k: k = 0 is the DC term, k = 1..3 the
// degree-1 band (-y, z, -x times C1), 4..8 degree 2, 9..15 degree 3. The colour seen along the unit
// direction d (from the camera centre to the Gaussian's mean, world frame) is
//   colour = sum_k basis_k(d) * sh_k + 0.5, then clamped at 0 by the renderer.
#pragma once

#include "neural/core/math.h"

namespace strata {

constexpr int kMaxShDegree = 3;
constexpr int kMaxShCoefficients = 16;  // (kMaxShDegree + 1)^2

// Number of coefficients per colour channel for an SH degree: (degree + 1)^2.
STRATA_HOST_DEVICE constexpr int sh_coefficient_count(int degree) {
  return (degree + 1) * (degree + 1);
}

// The 3DGS constants (also used to turn a DC coefficient into a colour: c = 0.5 + kShC0 * dc).
constexpr double kShC0 = 0.28209479177387814;
constexpr double kShC1 = 0.4886025119029199;
constexpr double kShC2[5] = {1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                             -1.0925484305920792, 0.5462742152960396};
constexpr double kShC3[7] = {-0.5900435899266435, 2.890611442640554,   -0.4570457994644658,
                             0.3731763325901154,  -0.4570457994644658, 1.445305721320277,
                             -0.5900435899266435};

// Writes the sh_coefficient_count(degree) basis values for the unit direction (x, y, z) to
// `basis`. degree is clamped to 0..3.
template <class T>
STRATA_HOST_DEVICE inline void sh_basis(int degree, T x, T y, T z, T* basis) {
  basis[0] = T(kShC0);
  if (degree < 1) return;
  basis[1] = -T(kShC1) * y;
  basis[2] = T(kShC1) * z;
  basis[3] = -T(kShC1) * x;
  if (degree < 2) return;
  const T xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, xz = x * z;
  basis[4] = T(kShC2[0]) * xy;
  basis[5] = T(kShC2[1]) * yz;
  basis[6] = T(kShC2[2]) * (T(2) * zz - xx - yy);
  basis[7] = T(kShC2[3]) * xz;
  basis[8] = T(kShC2[4]) * (xx - yy);
  if (degree < 3) return;
  basis[9] = T(kShC3[0]) * y * (T(3) * xx - yy);
  basis[10] = T(kShC3[1]) * xy * z;
  basis[11] = T(kShC3[2]) * y * (T(4) * zz - xx - yy);
  basis[12] = T(kShC3[3]) * z * (T(2) * zz - T(3) * xx - T(3) * yy);
  basis[13] = T(kShC3[4]) * x * (T(4) * zz - xx - yy);
  basis[14] = T(kShC3[5]) * z * (xx - yy);
  basis[15] = T(kShC3[6]) * x * (xx - T(3) * yy);
}

// Partial derivatives of the basis functions with respect to the (unnormalised) components x, y, z
// of the direction, treating them as independent: d basis_k / dx in dx[k], and so on. The chain
// through the normalisation of the direction is the caller's.
template <class T>
STRATA_HOST_DEVICE inline void sh_basis_gradient(int degree, T x, T y, T z, T* dx, T* dy, T* dz) {
  dx[0] = dy[0] = dz[0] = T(0);
  if (degree < 1) return;
  const T c1 = T(kShC1);
  dx[1] = T(0), dy[1] = -c1, dz[1] = T(0);
  dx[2] = T(0), dy[2] = T(0), dz[2] = c1;
  dx[3] = -c1, dy[3] = T(0), dz[3] = T(0);
  if (degree < 2) return;
  const T xx = x * x, yy = y * y, zz = z * z;
  const T a0 = T(kShC2[0]), a1 = T(kShC2[1]), a2 = T(kShC2[2]), a3 = T(kShC2[3]), a4 = T(kShC2[4]);
  dx[4] = a0 * y, dy[4] = a0 * x, dz[4] = T(0);
  dx[5] = T(0), dy[5] = a1 * z, dz[5] = a1 * y;
  dx[6] = T(-2) * a2 * x, dy[6] = T(-2) * a2 * y, dz[6] = T(4) * a2 * z;
  dx[7] = a3 * z, dy[7] = T(0), dz[7] = a3 * x;
  dx[8] = T(2) * a4 * x, dy[8] = T(-2) * a4 * y, dz[8] = T(0);
  if (degree < 3) return;
  const T b0 = T(kShC3[0]), b1 = T(kShC3[1]), b2 = T(kShC3[2]), b3 = T(kShC3[3]), b4 = T(kShC3[4]),
          b5 = T(kShC3[5]), b6 = T(kShC3[6]);
  dx[9] = T(6) * b0 * x * y, dy[9] = T(3) * b0 * (xx - yy), dz[9] = T(0);
  dx[10] = b1 * y * z, dy[10] = b1 * x * z, dz[10] = b1 * x * y;
  dx[11] = T(-2) * b2 * x * y, dy[11] = b2 * (T(4) * zz - xx - T(3) * yy),
  dz[11] = T(8) * b2 * y * z;
  dx[12] = T(-6) * b3 * x * z, dy[12] = T(-6) * b3 * y * z,
  dz[12] = b3 * (T(6) * zz - T(3) * xx - T(3) * yy);
  dx[13] = b4 * (T(4) * zz - T(3) * xx - yy), dy[13] = T(-2) * b4 * x * y,
  dz[13] = T(8) * b4 * x * z;
  dx[14] = T(2) * b5 * x * z, dy[14] = T(-2) * b5 * y * z, dz[14] = b5 * (xx - yy);
  dx[15] = T(3) * b6 * (xx - yy), dy[15] = T(-6) * b6 * x * y, dz[15] = T(0);
}

}  // namespace strata
