// CPU reference renderer of a RadianceField: rays through pixel centres, marched through the
// occupancy grid in rounds of a few samples per live ray (batched network evaluation), composited
// front to back with early stop at T < 1e-4.
#pragma once

#include <cstddef>
#include <optional>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/field/radiance_field.h"

namespace strata {

struct FieldRenderOptions {
  std::optional<vec3> background;  // straight rgb composited behind the field (alpha 1); none:
                                   // premultiplied colour with alpha = 1 - transmittance
  int tile = 16;                   // pixels per tile side (the unit of parallel work)
  bool median_depth = false;       // depth where the transmittance crosses 1/2 (the first
                                   // surface, sharp even where the expected depth is blurred by
                                   // haze in front or the soft fall-off behind); 0 when it never
                                   // does
};

// Counters of one render, for benchmarks.
struct FieldRenderStats {
  size_t rays = 0;           // pixels rendered
  size_t samples = 0;        // network evaluations (density pass)
  size_t color_samples = 0;  // colour network evaluations
  double seconds = 0.0;      // wall time
};

// Renders `field` seen by `camera` on all worker threads (parallel.h); deterministic. Colour is
// premultiplied RGBA (see options.background); depth is the expected hit distance along each
// pixel's ray over the hit probability, converted with Camera::depth_of_hit (z-depth for a
// pinhole camera), 0 where the accumulated opacity is below 0.01.
// Samples whose weight T*alpha is below 1e-6 skip the colour network (their colour is invisible).
RenderOutput render_field(const RadianceField& field, const Camera& camera,
                          const FieldRenderOptions& options = {},
                          FieldRenderStats* stats = nullptr);

}  // namespace strata
