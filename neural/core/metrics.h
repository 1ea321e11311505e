// Image comparison: PSNR, mean absolute error and difference images.
#pragma once

#include "neural/core/image.h"

namespace strata {

// Peak signal-to-noise ratio in dB over RGB of two same-sized images (peak 1.0); both are first
// composited over `background`. Returns +infinity for identical images.
double psnr(const Image& a, const Image& b, vec3 background = vec3(0.0f));
// Mean absolute error over RGB after compositing over `background`.
double mean_absolute_error(const Image& a, const Image& b, vec3 background = vec3(0.0f));
// |a - b| per channel (RGB, over `background`) scaled by `gain`, opaque, for looking at.
Image difference_image(const Image& a, const Image& b, float gain = 4.0f,
                       vec3 background = vec3(0.0f));

}  // namespace strata
