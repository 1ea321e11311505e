// The CPU reference rasterizer of 3D Gaussian splatting (Kerbl et al. 2023, Inria's
// diff-gaussian-rasterization), for pinhole and equirectangular cameras.
//
// Per Gaussian (project_gaussians): world -> camera; 3D covariance R S S^T R^T; 2D covariance by
// the EWA linearisation of the projection at the mean (J W Sigma W^T J^T) plus 0.3 px^2 on the
// diagonal (the low-pass filter); its inverse (the conic); a 3-sigma footprint of radius
// ceil(3 sqrt(lambda_max)); colour from SH along the direction camera centre -> mean, + 0.5,
// clamped at 0; culled when nearer than options.near_plane, hidden by the layer mask, defective
// (NaN, infinity, zero quaternion) or off screen.
//   - Pinhole: J is the perspective Jacobian with x/z and y/z clamped to 1.3x the half-field tan
//     as in 3DGS (the clamp only bends J for Gaussians far outside the view; the mean is not
//     clamped). Depth = z-depth of the mean.
//   - Equirectangular: the footprint is computed on the sphere: J is the Jacobian of
//     (u, v) = (W (0.5 + atan2(x, -z) / 2pi), H (0.5 - asin(y / r) / pi)) at the mean, so a
//     Gaussian stretches in u towards the poles like the panorama does. It is a linearisation
//     at the mean: accurate for Gaussians that span a small solid angle, approximate for large
//     ones. Footprints wrap around the u = 0 / W seam (drawn on both sides; distances in u are
//     taken modulo W). At the poles, J's u row uses cos(latitude) clamped to >= 1e-3 (a Gaussian
//     on a pole spreads over the whole width), and a footprint that crosses a pole is clipped at
//     v = 0 / H rather than continued on the far side. Depth = distance from the eye.
// Binning (bin_gaussians): 16x16 pixel tiles; each tile lists the Gaussians whose footprint
// square touches it, sorted by depth, ties by Gaussian index: deterministic.
// Compositing (per pixel, front to back, as Inria's renderCUDA): alpha = min(0.99, opacity *
// exp(-0.5 d^T conic d)) with d = mean - pixel centre; alpha < 1/255 is skipped; a Gaussian that
// would bring the transmittance T below 1e-4 is not blended and ends the pixel; C += T alpha c,
// T *= 1 - alpha. Output premultiplied RGBA (C, 1 - T) composited over options.background, and
// the expected depth sum(w_i z_i) / sum(w_i), w_i = T_i alpha_i (0 where nothing was drawn).
// Multithreaded over tiles (parallel_for), bit-identical for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/gaussians/gaussian_cloud.h"

namespace strata {

constexpr int kGaussianTileSize = 16;               // pixels a side of a rasterization tile
constexpr float kGaussianMinAlpha = 1.0f / 255.0f;  // contributions below are skipped
constexpr float kGaussianMaxAlpha = 0.99f;          // alpha cap
constexpr float kGaussianMinTransmittance = 1e-4f;  // a pixel ends before T would drop below
constexpr float kGaussianLowPass = 0.3f;            // px^2 added to the 2D covariance diagonal

struct GaussianRenderOptions {
  vec4 background{0.0f};             // premultiplied RGBA composited under the splats
  std::vector<bool> visible_layers;  // empty: all; else layer l drawn iff l < size and [l]
  float near_plane = 0.2f;           // metres: nearer z-depth (pinhole) / distance culled
  int max_sh_degree = kMaxShDegree;  // evaluate at most this SH degree (0 = DC colour only)
  bool want_layers = false;          // fill RenderOutput::layer: per pixel the layer id whose
                                     // Gaussians' summed weight T*alpha is the largest

  // Whether Gaussians of layer id `layer` are drawn.
  bool layer_visible(uint16_t layer) const {
    return visible_layers.empty() || (layer < visible_layers.size() && visible_layers[layer]);
  }
};

// Per-Gaussian results of the projection, indexed like the cloud. A Gaussian with radius 0 is
// not drawn and its other entries are unspecified. Real is float for rendering (double only in
// the gradient tests).
template <class Real>
struct ProjectedGaussiansT {
  using V2 = glm::vec<2, Real>;
  using V3 = glm::vec<3, Real>;
  std::vector<V2> means;        // image position of the mean, pixels (pixel centres at i + 0.5)
  std::vector<V3> covariances;  // 2D covariance (xx, xy, yy), px^2, low-pass included
  std::vector<V3> conics;       // its inverse (xx, xy, yy), px^-2
  std::vector<Real> depths;     // sort key: z-depth (pinhole) or distance (equirect), metres
  std::vector<int> radii;       // 3-sigma footprint radius, pixels; 0 = culled
  std::vector<glm::ivec4> tile_rects;  // touched tiles x0, y0, x1, y1 inclusive; x0 > x1: the
                                       // range wraps the equirect seam (x0..last, 0..x1)
  std::vector<V3> colors;              // SH colour + 0.5, clamped at 0
  std::vector<uint8_t> clamped;        // bit c set: channel c was clamped (no gradient flows)
  std::vector<Real> opacities;         // sigmoid of the logit
};
using ProjectedGaussians = ProjectedGaussiansT<float>;

// Per-tile lists of Gaussians, front to back.
struct GaussianTileBins {
  int tiles_x = 0, tiles_y = 0;   // tile grid (the last row/column may be partial)
  std::vector<uint32_t> offsets;  // tiles_x * tiles_y + 1 entries: tile t lists ids[offsets[t]
                                  // .. offsets[t + 1]), tiles row-major
  std::vector<uint32_t> ids;      // Gaussian indices, sorted by (depth, index) within a tile
};

// What the backward pass needs from the forward pass (and what GPU paths can reuse).
template <class Real>
struct GaussianRasterStateT {
  int width = 0, height = 0;              // image size, pixels
  ProjectedGaussiansT<Real> projected;    // per Gaussian
  GaussianTileBins bins;                  // per tile
  std::vector<Real> final_transmittance;  // per pixel (row-major), T after the last blend
  std::vector<uint32_t> contributors;     // per pixel: 1 + position in its tile's list of
                                          // the last Gaussian blended (0: none)
};
using GaussianRasterState = GaussianRasterStateT<float>;

// Projects every Gaussian of `cloud` for `camera` (see the file comment). The camera must be
// valid (Camera::validate); the cloud consistent. Parallel over Gaussians.
ProjectedGaussians project_gaussians(const GaussianCloud& cloud, const Camera& camera,
                                     const GaussianRenderOptions& options = {});
// Builds the per-tile depth-sorted lists for projected Gaussians on a width x height image.
GaussianTileBins bin_gaussians(const ProjectedGaussians& projected, int width, int height);

// Renders `cloud` seen by `camera`: premultiplied RGBA over options.background, and expected
// depth (Camera::depth_of_hit convention). When `state` is given, it receives the intermediates
// for backward_gaussians (gaussian_backward.h). Throws InputError for an invalid camera.
RenderOutput render_gaussians(const GaussianCloud& cloud, const Camera& camera,
                              const GaussianRenderOptions& options = {},
                              GaussianRasterState* state = nullptr);

}  // namespace strata
