// Structural MPI (S-MPI): posed planes on the scene's dominant planes, found by RANSAC on points
// back-projected from depth maps (a fitted MPI's or a teacher's expected depth), merged across
// views, with extents from their inliers; plus fronto-parallel planes at the reference camera
// for what they do not explain. The textures are then fitted together (mpi_fit_run.h).
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/fit/fit_view.h"
#include "neural/planes/mpi_fit.h"
#include "neural/planes/plane_set.h"

namespace strata {

// A plane n . x = offset found in a point cloud.
struct DetectedPlane {
  vec3 normal{0, 0, 1};         // unit
  float offset = 0.0f;          // metres
  std::vector<size_t> inliers;  // indices into the points it was found in
};

struct RansacOptions {
  int iterations = 300;          // random 3-point hypotheses per plane
  float threshold = 0.05f;       // inlier distance, metres
  float min_fraction = 0.05f;    // a plane needs this fraction of all points as inliers
  int max_planes = 6;            // planes found at most
  float normal_degrees = 25.0f;  // with point normals: an inlier's normal is within this angle
                                 // of the plane's (either orientation)
  uint64_t seed = 1;
};

// Sequential RANSAC: the plane with the most inliers among the points not yet explained, refined
// by least squares on its inliers, then removed; repeated until max_planes or too few inliers.
// `normals` (optional, one unit vector per point, zero where unknown): a point is an inlier only
// when its normal agrees with the plane's, so no plane cuts diagonally through a room's corner
// or a sphere; points with unknown normals never count.
std::vector<DetectedPlane> ransac_planes(const std::vector<vec3>& points,
                                         const RansacOptions& options,
                                         const std::vector<vec3>* normals = nullptr);

// Merges planes whose normals differ by less than `max_angle` (radians, either orientation)
// and whose offsets differ by less than `max_offset` metres, refitting each merged plane by
// least squares on the union of its inliers (indices into `points`); biggest first.
std::vector<DetectedPlane> merge_planes(const std::vector<DetectedPlane>& planes,
                                        const std::vector<vec3>& points, float max_angle,
                                        float max_offset);

// A depth map seen from a camera: what the planes are found in.
struct DepthView {
  Camera camera;       // pinhole
  ScalarImage depth;   // Camera::depth_of_hit convention, 0 where unknown
  ScalarImage weight;  // confidence in [0, 1] (rendered alpha)
};

struct SmpiOptions {
  int structural_planes = 6;         // dominant planes placed at most
  int fronto_planes = 8;             // fronto-parallel planes for the rest
  float threshold_fraction = 0.02f;  // RANSAC inlier distance as a fraction of the median depth
  float min_fraction = 0.04f;        // a dominant plane explains at least this fraction of points
  float merge_angle_deg = 15.0f;     // planes of different views closer than this merge
  float texel_scale = 1.0f;          // texels per reference pixel at the plane's median distance
  int max_texture_size = 512;        // texture width and height at most
  int pixel_stride = 2;              // back-project every n-th pixel of each depth view
  bool see_through = false;          // targets with a transparent background (set_even_alpha)
  DepthRange fronto_range;           // the fronto-parallel planes' range; 0: that of the points
                                     // the dominant planes do not explain
  float padding = 0.15f;             // fronto-parallel planes: texture padding (as make_mpi_to_fit)
  uint64_t seed = 1;
};

struct SmpiLayout {
  PlaneSet planes;          // structural planes first (alpha from their inliers), then the
                            // fronto-parallel ones (alpha where unexplained points lie)
  int structural = 0;       // how many structural planes
  size_t points = 0;        // back-projected points
  size_t explained = 0;     // of which inliers of a structural plane
  float near_depth = 0.0f;  // the fronto-parallel planes' depth range (metres)
  float far_depth = 0.0f;
};

// Builds the S-MPI layout for `reference` from depth views (each view: RANSAC on its points,
// then planes merged across views), plane extents from the inliers' bounding rectangle in the
// plane (1st to 99th percentile, grown by 5%). Colour is left to the caller
// (seed_colors_from_views). Throws InputError when the depth views hold too few points.
SmpiLayout build_smpi_layout(const Camera& reference, const std::vector<DepthView>& views,
                             const SmpiOptions& options);

}  // namespace strata
