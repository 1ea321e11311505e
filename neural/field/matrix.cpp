#include "neural/field/matrix.h"

#include <algorithm>

#include "neural/field/simd.h"

namespace strata {

namespace {

using simd::f8;
using simd::load8;
using simd::splat8;
using simd::store8;

// R rows of y for the 16 samples starting at c0: 2R vector accumulators stay in registers while
// the k inputs stream past (each x element is loaded once per R rows).
template <int R, Epilogue E>
STRATA_SIMD_INLINE void product_block16(const float* a, int k, size_t ars, size_t acs,
                                        const float* x, size_t ldx, float* y, size_t ldy,
                                        const float* mask, size_t ldm, size_t c0) {
  f8 acc[R][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = splat8(0.0f);
  for (int j = 0; j < k; ++j) {
    const float* xr = x + size_t(j) * ldx + c0;
    const f8 x0 = load8(xr), x1 = load8(xr + 8);
    for (int r = 0; r < R; ++r) {
      const f8 av = splat8(a[size_t(r) * ars + size_t(j) * acs]);
      acc[r][0] += av * x0;
      acc[r][1] += av * x1;
    }
  }
  for (int r = 0; r < R; ++r) {
    f8 v0 = acc[r][0], v1 = acc[r][1];
    if constexpr (E == Epilogue::kRelu) {
      const f8 zero = splat8(0.0f);
      v0 = v0 > zero ? v0 : zero;
      v1 = v1 > zero ? v1 : zero;
    } else if constexpr (E == Epilogue::kReluMask) {
      const f8 zero = splat8(0.0f);
      const float* mr = mask + size_t(r) * ldm + c0;
      v0 = load8(mr) > zero ? v0 : zero;
      v1 = load8(mr + 8) > zero ? v1 : zero;
    }
    store8(y + size_t(r) * ldy + c0, v0);
    store8(y + size_t(r) * ldy + c0 + 8, v1);
  }
}

template <Epilogue E>
STRATA_SIMD_INLINE float finish(float v, const float* mask_row, size_t c) {
  if constexpr (E == Epilogue::kRelu) return v > 0.0f ? v : 0.0f;
  if constexpr (E == Epilogue::kReluMask) return mask_row[c] > 0.0f ? v : 0.0f;
  (void)mask_row;
  (void)c;
  return v;
}

template <Epilogue E>
STRATA_SIMD_INLINE void matmul_impl(const float* a, int m, int k, size_t ars, size_t acs,
                                    ConstMatrixView x, MatrixView y, size_t n,
                                    ConstMatrixView mask) {
  const size_t n16 = n / 16 * 16;
  // Column tiles outside, row blocks inside: the x tile (k x 16) stays in L1 for all of A.
  for (size_t c0 = 0; c0 < n16; c0 += 16) {
    int r = 0;
    for (; r + 4 <= m; r += 4)
      product_block16<4, E>(a + size_t(r) * ars, k, ars, acs, x.data, x.ld, y.row(r), y.ld,
                            mask.data ? mask.row(r) : nullptr, mask.ld, c0);
    // The remaining 1-3 rows in one block, so x is streamed once more, not once per row.
    const float* ar = a + size_t(r) * ars;
    const float* mr = mask.data ? mask.row(r) : nullptr;
    switch (m - r) {
      case 3:
        product_block16<3, E>(ar, k, ars, acs, x.data, x.ld, y.row(r), y.ld, mr, mask.ld, c0);
        break;
      case 2:
        product_block16<2, E>(ar, k, ars, acs, x.data, x.ld, y.row(r), y.ld, mr, mask.ld, c0);
        break;
      case 1:
        product_block16<1, E>(ar, k, ars, acs, x.data, x.ld, y.row(r), y.ld, mr, mask.ld, c0);
        break;
      default:
        break;
    }
  }
  for (int r = 0; r < m; ++r) {
    float* yr = y.row(r);
    const float* mr = mask.data ? mask.row(r) : nullptr;
    for (size_t c = n16; c < n; ++c) {
      float s = 0.0f;
      for (int j = 0; j < k; ++j) s += a[size_t(r) * ars + size_t(j) * acs] * x.row(j)[c];
      yr[c] = finish<E>(s, mr, c);
    }
  }
}

// R x S dot products over the samples, 8 at a time, reduced at the end.
template <int R, int S>
STRATA_SIMD_INLINE void outer_block(ConstMatrixView dy, ConstMatrixView x, size_t n, int i0, int j0,
                                    float* dw, int k) {
  f8 acc[R][S];
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s) acc[r][s] = splat8(0.0f);
  const size_t n8 = n / 8 * 8;
  for (size_t c = 0; c < n8; c += 8) {
    f8 xv[S];
    for (int s = 0; s < S; ++s) xv[s] = load8(x.row(j0 + s) + c);
    for (int r = 0; r < R; ++r) {
      const f8 g = load8(dy.row(i0 + r) + c);
      for (int s = 0; s < S; ++s) acc[r][s] += g * xv[s];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s) {
      float t = simd::sum8(acc[r][s]);
      for (size_t c = n8; c < n; ++c) t += dy.row(i0 + r)[c] * x.row(j0 + s)[c];
      dw[size_t(i0 + r) * k + size_t(j0 + s)] += t;
    }
}

}  // namespace

STRATA_VECTOR_CLONES
void matmul(const float* a, int m, int k, size_t a_row_stride, size_t a_col_stride,
            ConstMatrixView x, MatrixView y, size_t n, Epilogue epilogue, ConstMatrixView mask) {
  switch (epilogue) {
    case Epilogue::kNone:
      matmul_impl<Epilogue::kNone>(a, m, k, a_row_stride, a_col_stride, x, y, n, mask);
      break;
    case Epilogue::kRelu:
      matmul_impl<Epilogue::kRelu>(a, m, k, a_row_stride, a_col_stride, x, y, n, mask);
      break;
    case Epilogue::kReluMask:
      matmul_impl<Epilogue::kReluMask>(a, m, k, a_row_stride, a_col_stride, x, y, n, mask);
      break;
  }
}

STRATA_VECTOR_CLONES
void accumulate_outer(ConstMatrixView dy, ConstMatrixView x, size_t n, float* dw) {
  const int m = dy.rows, k = x.rows;
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    int j = 0;
    for (; j + 3 <= k; j += 3) outer_block<4, 3>(dy, x, n, i, j, dw, k);
    for (; j < k; ++j) outer_block<4, 1>(dy, x, n, i, j, dw, k);
  }
  for (; i < m; ++i) {
    int j = 0;
    for (; j + 4 <= k; j += 4) outer_block<1, 4>(dy, x, n, i, j, dw, k);
    for (; j < k; ++j) outer_block<1, 1>(dy, x, n, i, j, dw, k);
  }
}

}  // namespace strata
