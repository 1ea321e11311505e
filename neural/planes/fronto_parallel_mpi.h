// Fronto-parallel multiplane images: planes parallel to a reference camera's image plane, even
// in inverse depth between a near and a far depth (LLFF, Stereo Magnification, DeepView).
#pragma once

#include <vector>

#include "neural/core/camera.h"
#include "neural/planes/plane_set.h"

namespace strata {

// `count` depths (metres, > 0) even in inverse depth from `far_depth` to `near_depth`, farthest
// first. count == 1 gives the harmonic middle.
std::vector<float> inverse_depth_spacing(float near_depth, float far_depth, int count);

// A plane parallel to the image plane of pinhole `camera` at z-depth `depth` that covers exactly
// the camera's image grown by `padding` pixels on every side; texture pixel (i, j) then lines up
// with image pixel (i - padding, j - padding) when the texture is (width + 2 padding) wide.
// The texture is left empty.
Plane fronto_parallel_plane(const Camera& camera, float depth, float padding = 0.0f);

// A fronto-parallel MPI for `reference` (pinhole) with transparent textures of
// texture_width x texture_height, farthest plane first; reference_camera is set.
PlaneSet make_fronto_parallel_mpi(const Camera& reference, float near_depth, float far_depth,
                                  int count, int texture_width, int texture_height);

}  // namespace strata
