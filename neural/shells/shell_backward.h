// The backward pass of the shell renderer (shell_render.h): gradients of a loss with respect to
// the shell textures' premultiplied texels, through front-to-back compositing and bilinear
// texture sampling.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/image.h"
#include "neural/shells/shell_render.h"
#include "neural/shells/shell_volume.h"

namespace strata {

// Adds dL/d(texel) to `texel_gradients` (shell_count() * width * height premultiplied RGBA,
// shell by shell, rows top first; resized and zeroed when its size is wrong), given
// dL/d(r, g, b, a) of each pixel of the render that produced `trace` (same size). The result
// does not depend on the number of threads. When `touched_texels` is given (a bit per texel,
// same indexing, sized (count + 63) / 64 by the caller), the bit of every texel a fragment's
// bilinear taps reach is set, so the caller knows which gradients it may find non-zero.
// With `distortion` (weight > 0), the gradient of distortion.weight * shells_distortion(...)
// is added.
struct ShellDistortion {
  float weight = 0.0f;       // the loss's weight (0: none)
  float depth_scale = 1.0f;  // metres: depth differences are divided by it and clipped at 1
};
void shells_backward(const ShellVolume& shells, const ShellRenderTrace& trace,
                     const Image& dL_dimage, std::vector<vec4>& texel_gradients,
                     std::vector<uint64_t>* touched_texels = nullptr,
                     const ShellDistortion& distortion = {});

// The distortion loss of Mip-NeRF 360 over the fragments of `trace`, made local: per pixel, the
// sum over pairs of composited fragments of w_i w_j min(1, |d_i - d_j| / depth_scale) (w_i =
// T_i a_i, d the fragment's depth), summed over pixels. It is small when the opacity of each
// surface a pixel sees sits at one depth: shells whose alpha is spread over several of them show
// a stack of colours that parallax pulls apart in views they were not fitted to. Pairs farther
// apart than depth_scale (the shells' span: different surfaces, as at a silhouette) count as
// that much, so the blend of a foreground over a background is not pushed around.
double shells_distortion(const ShellVolume& shells, const ShellRenderTrace& trace,
                         float depth_scale);

}  // namespace strata
