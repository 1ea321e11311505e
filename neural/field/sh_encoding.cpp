#include "neural/field/sh_encoding.h"

#include "neural/field/field_math.h"

namespace strata {

void sh_encode(int degree, ConstMatrixView directions, MatrixView output, size_t n) {
  const float *xs = directions.row(0), *ys = directions.row(1), *zs = directions.row(2);
  const int count = degree * degree;
  for (size_t s = 0; s < n; ++s) {
    float basis[16];
    sh_basis(degree, xs[s], ys[s], zs[s], basis);
    for (int k = 0; k < count; ++k) output.row(k)[s] = basis[k];
  }
}

}  // namespace strata
