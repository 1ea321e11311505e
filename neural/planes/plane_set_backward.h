// The backward pass of the CPU plane renderer (plane_set_render.h): dL/d(texel) of every plane's
// RGBA texture through the per-pixel front-to-back compositing (C = sum T_k c_k,
// T_{k+1} = T_k (1 - a_k), stopping once T < 1e-4) and the bilinear texture sampling.
#pragma once

#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/planes/plane_set.h"

namespace strata {

// Gradients of one plane's texture: width*height premultiplied-RGBA texels, row-major.
using TextureGradient = std::vector<vec4>;

// Given dL/d(r, g, b, a) of each pixel of render_planes(planes, camera).color (`dL_dcolor`, the
// camera's size), adds dL/d(premultiplied texel) to gradients[p] for every plane p.
// `gradients` must hold one TextureGradient per plane, each of its texture's size.
// Intersections, ordering and early termination are the forward pass's exactly.
void render_planes_backward(const PlaneSet& planes, const Camera& camera, const Image& dL_dcolor,
                            std::vector<TextureGradient>& gradients);

}  // namespace strata
