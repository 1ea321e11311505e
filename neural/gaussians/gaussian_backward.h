// The backward pass of the CPU reference rasterizer (gaussian_render.h): gradients of a loss with
// respect to every stored parameter of a GaussianCloud, given the loss's gradient with respect
// to the rendered premultiplied RGBA image. Follows Inria's backward (per pixel back to front
// through the compositing; per Gaussian through the conic, the 2D covariance, the EWA Jacobian,
// the 3D covariance, the quaternion and the SH view direction), with two exact differences:
// the alpha cap (a capped alpha passes no gradient to opacity or shape) and the quaternion
// normalisation (gradients are for the stored, possibly unnormalised quaternion), and J's
// clamping to 1.3x the field of view is differentiated exactly. Pinhole and equirectangular
// cameras (for the latter through the sphere's Jacobian, its pole clamp and the seam).
// Deterministic for any thread count: per-tile partial sums are reduced in a fixed order.
// Not differentiated: the expected depth output, the footprint radius and tile assignment, the
// 1/255 cutoff and the T < 1e-4 stop (discontinuities, as in 3DGS).
#pragma once

#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/gaussians/gaussian_render.h"

namespace strata {

// dL/d(parameter), laid out like GaussianCloud (same sizes and SH layout).
template <class Real>
struct GaussianGradientsT {
  using V2 = glm::vec<2, Real>;
  using V3 = glm::vec<3, Real>;
  std::vector<V3> positions;              // dL/d mean, per metre
  std::vector<V3> log_scales;             // dL/d log scale
  std::vector<glm::qua<Real>> rotations;  // dL/d (w, x, y, z) of the stored quaternion
  std::vector<Real> opacity_logits;       // dL/d opacity logit
  std::vector<V3> sh;                     // dL/d SH coefficient (rgb), size() * coefficients
  std::vector<V2> means2d;                // dL/d projected mean, per pixel (3DGS uses its norm
                                          // to decide densification)
};
using GaussianGradients = GaussianGradientsT<float>;

// Gradients of L for the image that render_gaussians(cloud, camera, options, &state) produced.
// dL_dcolor holds dL/d(r, g, b, a) of each output pixel (premultiplied, background included), at
// the render's size. Gaussians that were culled get zero gradients. Throws std::invalid_argument
// when the sizes do not match the forward pass.
GaussianGradients backward_gaussians(const GaussianCloud& cloud, const Camera& camera,
                                     const GaussianRenderOptions& options,
                                     const GaussianRasterState& state, const Image& dL_dcolor);

}  // namespace strata
