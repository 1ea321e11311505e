// SSIM as a training loss with its gradient (3D Gaussian splatting's D-SSIM term): the SSIM map
// of two images under an 11x11 Gaussian window (sigma 1.5, zero padding, same size), averaged
// over pixels and RGB.
#pragma once

#include <vector>

#include "neural/core/math.h"

namespace strata {

// Mean SSIM of `x` against `y`, both width x height RGB (row-major vec3, e.g. images already
// composited over a background). When `d_x` is given it is resized to width*height and set to
// d(mean SSIM)/d(x). Preconditions: same sizes, width and height >= 1.
double ssim_with_gradient(const std::vector<vec3>& x, const std::vector<vec3>& y, int width,
                          int height, std::vector<vec3>* d_x);

}  // namespace strata
