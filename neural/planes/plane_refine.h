// Photo-consistency refinement of posed planes: a small plane sweep around each one. A plane found
// in a rendered depth map is a little off (a field's depth tilts a floor by a degree or two), and
// a posed plane in the wrong place smears its texture across views. Here each plane moves, along
// its normal and by small tilts about its centre, to where the photographs agree most on the
// colours of its opaque texels (coordinate descent over offset, tilt about u, tilt about v).
#pragma once

#include <vector>

#include "neural/core/image.h"
#include "neural/fit/fit_view.h"
#include "neural/planes/plane_set.h"

namespace strata {

struct PlaneRefineOptions {
  int offset_steps = 6;         // candidates on each side along the normal
  float offset_step = 0.004f;   // their spacing, times the plane's median distance from the views
  int tilt_steps = 3;           // candidates on each side per tilt axis
  float tilt_step_deg = 0.5f;   // their spacing
  int rounds = 3;               // coordinate-descent rounds (each halves the step sizes after 1)
  int texel_stride = 3;         // every n-th opaque texel in each direction is a sample
  float visible_depth = 0.05f;  // a view sees a sample when its depth is within this fraction
};

// What refinement did to one plane.
struct PlaneRefinement {
  float moved = 0.0f;        // distance its centre moved, metres
  float turned_deg = 0.0f;   // angle its normal turned
  double cost_before = 0.0;  // mean colour variance across views over its samples
  double cost_after = 0.0;
  size_t samples = 0;  // texel samples seen by at least 3 views at the final pose
};

// Refines planes[first, first + count) of `planes` against `views` (photographs with their
// cameras). `depths` (optional, one per view, Camera::depth_of_hit convention, 0 unknown) decides
// which views see a sample; without it every view in front does. Planes with too few opaque
// texels (alpha >= 0.5) seen by 3 views stay where they are. Textures are kept (they move with
// the plane). Deterministic; parallel over candidates.
std::vector<PlaneRefinement> refine_plane_poses(PlaneSet& planes, size_t first, size_t count,
                                                const std::vector<FitView>& views,
                                                const std::vector<ScalarImage>* depths,
                                                const PlaneRefineOptions& options = {});

}  // namespace strata
