// Where a radiance field lives: its box and ray-marching steps, chosen from a dataset.
//
// Rules (first match):
//  1. LLFF captures (near/far depth bounds known): the box holds every training camera's
//     frustum between near and far depth.
//  2. Forward-facing captures without an aabb_scale (all cameras look within ~35 degrees of one
//     direction, e.g. room_ff): the box holds every training camera's frustum out to twice the
//     distance from the cameras' centroid to the world origin (transforms.json scenes are centred
//     on the origin), plus the cameras.
//  3. Otherwise (object captures, NeRF-synthetic and instant-ngp conventions): the cube
//     [-1.5, 1.5]^3 scaled by aabb_scale, centred on the origin.
// The step is 1/512 of the [-1.5,1.5]^3 diagonal (~0.01; about a pixel of an 800x800
// NeRF-synthetic view, finer than a pixel at 200x200). Boxes larger than that cube (aabb_scale > 1,
// rules 1-2) march with steps growing with the distance t (instant-ngp's cone tracing): t/256, or
// t times four pixels' angle when the images are coarser than that, up to 1/128 of the box's
// diagonal. A young field's density is 1 in the [-1.5,1.5]^3 cube and thinner in proportion for
// larger boxes (FieldConfig::density_bias).
#pragma once

#include "neural/dataset/dataset.h"
#include "neural/field/radiance_field.h"

namespace strata {

// Sets box_lo, box_hi, near, min_step, max_step, cone_angle, density_bias and bounds_rule of
// `config` for `dataset` (its training cameras; at least one). Other fields are left as they are.
void fit_bounds_to_dataset(const Dataset& dataset, FieldConfig* config);

}  // namespace strata
