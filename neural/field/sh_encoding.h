// Spherical-harmonic encoding of view directions (instant-ngp's colour-network input): bands
// 0..degree-1 of the real SH basis, degree^2 values per direction, no parameters.
#pragma once

#include <cstddef>

#include "neural/field/matrix.h"

namespace strata {

// directions: 3 rows (x, y, z) of unit vectors, n samples. Writes degree*degree rows of output
// (degree in 1..4).
void sh_encode(int degree, ConstMatrixView directions, MatrixView output, size_t n);

}  // namespace strata
