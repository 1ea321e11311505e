// Small dense matrix kernels for the field's MLPs: batches are stored feature-major (one row per
// feature, one column per sample, tiny-cuda-nn's layout), so every product is a thin GEMM whose
// inner loop runs over contiguous samples and vectorises (AVX2/FMA clones where the CPU has them).
#pragma once

#include <cstddef>

namespace strata {

// A feature-major matrix: element (feature r, sample c) at data[r * ld + c]. Not owning.
struct MatrixView {
  float* data = nullptr;  // rows * ld floats, owned by the caller
  int rows = 0;           // features
  size_t ld = 0;          // distance between rows, floats (>= the number of samples)

  float* row(int r) const { return data + size_t(r) * ld; }
};

struct ConstMatrixView {
  const float* data = nullptr;  // rows * ld floats, owned by the caller
  int rows = 0;                 // features
  size_t ld = 0;                // distance between rows, floats

  ConstMatrixView() = default;
  ConstMatrixView(const float* d, int r, size_t l) : data(d), rows(r), ld(l) {}
  ConstMatrixView(const MatrixView& m) : data(m.data), rows(m.rows), ld(m.ld) {}  // NOLINT
  const float* row(int r) const { return data + size_t(r) * ld; }
};

// What a product does with its result before storing it.
enum class Epilogue {
  kNone,      // Y = A X
  kRelu,      // Y = max(A X, 0)
  kReluMask,  // Y = (A X) where mask > 0, else 0 (the backward pass of a ReLU layer)
};

// Y[m x n] = epilogue(A X) for X[k x n] (feature-major, n samples). A is m x k with element
// (i, j) at a[i * a_row_stride + j * a_col_stride], so a row-major weight matrix W (m x k) is
// (k, 1) and its transpose is (1, m). `mask` (m rows, same ld as y) is read by kReluMask only.
// y must not alias x or a.
void matmul(const float* a, int m, int k, size_t a_row_stride, size_t a_col_stride,
            ConstMatrixView x, MatrixView y, size_t n, Epilogue epilogue = Epilogue::kNone,
            ConstMatrixView mask = {});

// Weight gradient: dw[m x k] (row-major) += dy[m x n] * x[k x n]^T over the first n samples.
void accumulate_outer(ConstMatrixView dy, ConstMatrixView x, size_t n, float* dw);

}  // namespace strata
