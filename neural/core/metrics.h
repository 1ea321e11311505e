// Image comparison: PSNR, SSIM, mean absolute error and difference images.
#pragma once

#include <string>

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

// Structural similarity of two same-sized images (RGB over `background`), in [-1, 1]; 1 for
// identical images. As the NeRF papers compute it: an 11x11 Gaussian window of sigma 1.5,
// k1 = 0.01, k2 = 0.03, over the valid region, averaged over RGB. Images smaller than the window
// are compared as one window.
double ssim(const Image& a, const Image& b, vec3 background = vec3(1.0f));

// The score of one rendered view against its photograph.
struct ViewScore {
  std::string name;   // the frame's image file name without folder and extension
  double psnr = 0.0;  // dB, over the scoring background
  double ssim = 0.0;
  double seconds = 0.0;  // render time
};

}  // namespace strata
