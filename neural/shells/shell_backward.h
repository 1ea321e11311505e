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
void shells_backward(const ShellVolume& shells, const ShellRenderTrace& trace,
                     const Image& dL_dimage, std::vector<vec4>& texel_gradients,
                     std::vector<uint64_t>* touched_texels = nullptr);

}  // namespace strata
