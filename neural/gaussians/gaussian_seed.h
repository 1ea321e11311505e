// Closed-form starts for a Gaussian fit (3DGS starts from SfM points; we start from what we have):
//   - from views with depth (a depth map + image, e.g. a teacher's render): every pixel with
//     enough opacity is back-projected to its expected depth and becomes an isotropic Gaussian
//     with the pixel's straight colour;
//   - from a radiance field: its surface points, i.e. the expected termination points of the
//     rays (through the pixels of a few cameras) whose accumulated opacity passes a threshold,
//     coloured by the field (the field's render at those cameras, back-projected as above);
//   - random points in a box (3DGS's start for synthetic scenes without SfM points).
// Scales come from the mean distance to the 3 nearest neighbours (3DGS), so a seed covers its
// surfaces without holes whatever the number of views merged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/field/radiance_field.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/scene/scene.h"

namespace strata {

struct GaussianSeedOptions {
  float min_alpha = 0.5f;     // pixels less opaque than this are not back-projected
  int stride = 1;             // back-project every stride-th pixel in x and y
  float voxel = 0.0f;         // merge points within one voxel of this size, metres (0: the
                              // median pixel footprint of the views at their depth x stride)
  float opacity = 0.7f;       // opacity of the seeded Gaussians
  float scale_factor = 0.6f;  // multiplies the nearest-neighbour scale (a dense seed, about a
                              // pixel apart: 1 blurs the view, 0.6 keeps it, see the tests)
  size_t max_points = 0;      // keep at most this many (a random subset; 0: all)
  int render_width = 0;       // field / scene seeds render their cameras at this size (0: the
  int render_height = 0;      // cameras' own)
  uint64_t seed = 1;          // subsampling
};

// Gaussians from images with expected depth (Camera::depth_of_hit convention, 0 = nothing) at
// `cameras`. images[i] and depths[i] must match cameras[i]'s size (std::invalid_argument
// otherwise). SH degree 0. May be empty when no pixel qualifies.
GaussianCloud seed_from_depth_views(const std::vector<Camera>& cameras,
                                    const std::vector<Image>& images,
                                    const std::vector<ScalarImage>& depths,
                                    const GaussianSeedOptions& options = {});

// One view: seed_from_depth_views with one camera.
GaussianCloud seed_from_depth(const Camera& camera, const Image& image, const ScalarImage& depth,
                              const GaussianSeedOptions& options = {});

// A radiance field's surface points seen from `cameras` (rendered with render_field, no
// background), coloured by the field.
GaussianCloud seed_from_field(const RadianceField& field, const std::vector<Camera>& cameras,
                              const GaussianSeedOptions& options = {});

// Any teacher scene: its CPU renders (colour and expected depth) at `cameras`, back-projected.
GaussianCloud seed_from_scene(const Scene& teacher, const std::vector<Camera>& cameras,
                              const GaussianSeedOptions& options = {});

// `count` Gaussians uniformly in `box` with random grey-ish colours, opacity 0.1 and
// nearest-neighbour scales (3DGS's random start). Deterministic for a seed.
GaussianCloud seed_random(const Bounds3& box, size_t count, uint64_t seed = 1);

// Sets every Gaussian's log scales to log(scale_factor x the mean distance to its 3 nearest
// neighbours) (isotropic; 3DGS's initial scale). Parallel; grid-accelerated.
void set_scales_from_neighbours(GaussianCloud* cloud, float scale_factor = 1.0f);

// Throws InputError(where, "frames", ...) when no camera sees any point of `box` in front of it
// and inside its image (a dataset whose cameras do not look at the scene).
void check_cameras_see(const std::vector<Camera>& cameras, const Bounds3& box,
                       const std::string& where);

}  // namespace strata
