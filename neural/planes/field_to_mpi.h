// Field -> MPI in closed form (PVD's conversion start): each texel of each fronto-parallel plane
// takes the part of the field's volume rendering that falls in its slab. Along the reference
// camera's ray through the texel, the slab spans from halfway (in inverse depth) to the nearer
// neighbouring plane to halfway to the farther one; within it the field is composited front to
// back: alpha = 1 - exp(-integral of sigma), premultiplied colour = sum of T_i alpha_i c_i. The
// MPI composited from the reference camera is then the field's render up to sampling.
#pragma once

#include "neural/core/math.h"
#include "neural/field/radiance_field.h"
#include "neural/planes/plane_set.h"

namespace strata {

// Fills the textures of `mpi` (fronto-parallel planes of mpi.reference_camera, any order, at
// distinct depths; textures sized as wanted) from `field`, whose item space maps to world by
// `item_to_world` (rigid, optionally uniformly scaled). `samples_per_slab` (>= 1) samples
// integrate each slab. Throws std::invalid_argument without a pinhole reference camera.
void field_to_mpi(const RadianceField& field, const mat4& item_to_world, PlaneSet& mpi,
                  int samples_per_slab = 8);

}  // namespace strata
