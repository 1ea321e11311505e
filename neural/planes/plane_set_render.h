// The CPU reference renderer for posed planes: per pixel, intersect the ray with every plane,
// keep hits inside the plane's extent, sort them by distance along the ray, sample each texture
// bilinearly and composite front to back (C += T c, T *= 1 - a; stop once T < 1e-4).
// Multithreaded over image tiles.
#pragma once

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/planes/plane_set.h"

namespace strata {

// Renders `planes` seen by `camera`. Colour is premultiplied RGBA; depth is the expected depth
// (sum of w_i d_i / sum of w_i with w_i = T_i a_i; 0 where nothing was hit), in the camera's
// depth convention (Camera::depth_of_hit). With `want_layers`, RenderOutput::layer holds per pixel
// the index in `planes` of the plane with the largest weight w_i (-1: none).
RenderOutput render_planes(const PlaneSet& planes, const Camera& camera, bool want_layers = false);

}  // namespace strata
