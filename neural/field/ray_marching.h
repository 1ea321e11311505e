// Ray marching through a radiance field's box with empty-space skipping, and the volume-rendering
// integral along one ray (DESIGN.md compositing rule: C += T * a_i * c_i, T *= 1 - a_i, stop at
// T < 1e-4), forward and backward.
#pragma once

#include <cstddef>
#include <cstdint>

#include "neural/core/camera.h"
#include "neural/field/field_network.h"
#include "neural/field/radiance_field.h"

namespace strata {

// Where one ray is in its march.
struct MarchState {
  vec3 origin{0.0f};         // world, metres
  vec3 direction{0.0f};      // world, unit length
  vec3 inv_direction{0.0f};  // 1 / direction (huge for zero components)
  float t = 0.0f;            // distance of the next sample, metres
  float t_end = 0.0f;        // where the ray leaves the box, metres
  bool done = true;          // left the box (or missed it), or stopped by the caller
};

// Step length at distance t: clamp(t * cone_angle, min_step, max_step), metres.
inline float march_step(const FieldConfig& c, float t) {
  const float s = t * c.cone_angle;
  return s < c.min_step ? c.min_step : (s > c.max_step ? c.max_step : s);
}

// Starts a ray: it enters the box at max(entry, config.near) plus `offset` (in [0,1)) times the
// first step (a jitter while training, 0.5 when rendering). done when it misses the box.
MarchState start_march(const FieldConfig& config, const Ray& ray, float offset);

// Appends up to max_samples samples of the ray to columns column.. of batch (positions in box
// coordinates, directions, t, dt, ray = ray_id), skipping unoccupied cells of the grid, and
// advances the state. Returns how many it wrote; sets state.done when the ray leaves the box.
// The batch must have room for max_samples columns from `column`.
int march_samples(const RadianceField& field, MarchState& state, uint32_t ray_id, int max_samples,
                  FieldBatch& batch, size_t column);

// The volume-rendering integral along one ray over the samples at columns order[0..count) of
// batch (sigma, dt and rgb filled), in that order, with background `background` behind the
// last one. Returns the colour; *transmittance is what is left behind the last sample.
vec3 composite_ray(const FieldBatch& batch, const uint32_t* order, size_t count, vec3 background,
                   float* transmittance);

// Backward pass of composite_ray: given dL/dcolor, writes dL/drgb (3 rows) and dL/dsigma into the
// batch's gradient rows at the same columns. `color` is composite_ray's result.
void composite_ray_backward(FieldBatch& batch, const uint32_t* order, size_t count, vec3 color,
                            vec3 d_color);

}  // namespace strata
