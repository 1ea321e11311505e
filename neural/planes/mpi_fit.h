// Fitting a fronto-parallel MPI to views: its depth range (from a plane sweep over the views, or
// from a teacher's depth), its planes (even in inverse depth, textures a little larger than the
// reference view so that neighbouring views are covered) and the start of the fit (colours from
// the views projected onto each plane, alpha sharing the light evenly among the planes).
#pragma once

#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/fit/fit_view.h"
#include "neural/planes/plane_set.h"

namespace strata {

struct DepthRange {
  float near_depth = 0.0f;  // metres, z-depth from the reference camera, > 0
  float far_depth = 0.0f;   // metres, > near_depth
};

// The depth range that views[reference] sees, by a plane sweep: for 96 depths even in inverse
// depth, each reference pixel is compared (3x3 window) with up to four nearest other views;
// per pixel the best depth wins when its cost is clearly below that of every other depth (a
// ratio test: repeated patterns match at several depths); the range spans the 3rd to the 97th
// percentile of the winners, widened by 10% in inverse depth. Needs at least two views with
// distinct positions; throws InputError otherwise.
DepthRange estimate_depth_range(const std::vector<FitView>& views, int reference);

// The depth range of rendered depths (e.g. a teacher's, Camera::depth_of_hit convention), over
// pixels whose alpha exceeds 0.5: 1st to 99th percentile, widened by 10% in inverse depth.
// Throws InputError when no pixel is opaque enough.
DepthRange depth_range_of(const std::vector<RenderOutput>& renders);

// A fronto-parallel MPI at `reference` (pinhole), `count` planes farthest first, textures the
// reference view's size plus `padding` times its width and height on every side; transparent.
PlaneSet make_mpi_to_fit(const Camera& reference, DepthRange range, int count, float padding);

// The start of a fit, colours: each texel's straight colour becomes the mean colour that the
// views show at its centre (a plane sweep volume's mean); texels no view sees get grey. Alpha is
// kept, so set it first (a premultiplied texel of alpha 0 holds no colour).
void seed_colors_from_views(PlaneSet& planes, const std::vector<FitView>& views);

// The start of a fit, alpha: seen from `eye`, every plane of an MPI contributes the same weight
// (alpha = 1 / (j + 1) for the j-th plane counting from the farthest, which is opaque). With
// `see_through` (targets with transparent pixels), alpha = 1 / (j + 2): the background behind
// all planes gets the same weight as each plane, so no opaque far plane has to be unlearnt.
void set_even_alpha(PlaneSet& planes, vec3 eye, bool see_through = false);

// Whether any view's target has a pixel with alpha below 0.99 (a transparent background).
bool views_see_through(const std::vector<FitView>& views);

}  // namespace strata
