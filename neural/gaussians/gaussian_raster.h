// Internals of the Gaussian rasterizer shared by the forward pass, the backward pass and their
// tests: the per-Gaussian maths (written once, STRATA_HOST_DEVICE, templated on the scalar so
// that the gradient tests can run the same code in double precision) and the passes themselves
// as templates instantiated for (float, GaussianCloud) and (double, GaussianCloudF64).
// Not a public interface: use gaussian_render.h and gaussian_backward.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/gaussians/gaussian_backward.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/gaussians/gaussian_render.h"

namespace strata::gaussian_detail {

template <class T>
using V2 = glm::vec<2, T>;
template <class T>
using V3 = glm::vec<3, T>;
template <class T>
using V4 = glm::vec<4, T>;
template <class T>
using M3 = glm::mat<3, 3, T>;
template <class T>
using M2 = glm::mat<2, 2, T>;
template <class T>
using M3x2 = glm::mat<3, 2, T>;  // 3 columns, 2 rows: a 2x3 matrix, element (r, c) = m[c][r]

// A GaussianCloud in double precision, for gradient checks by finite differences.
struct GaussianCloudF64 {
  int sh_degree = 0;
  std::vector<glm::dvec3> positions;
  std::vector<glm::dvec3> log_scales;
  std::vector<glm::dquat> rotations;
  std::vector<double> opacity_logits;
  std::vector<glm::dvec3> sh;
  std::vector<uint16_t> layers;
  size_t size() const { return positions.size(); }
  int sh_coefficients() const { return sh_coefficient_count(sh_degree); }
};
GaussianCloudF64 to_f64(const GaussianCloud& cloud);

// The camera in the form the passes use.
template <class T>
struct CameraModel {
  Projection projection = Projection::kPinhole;
  int width = 0, height = 0;
  T fx = 0, fy = 0, cx = 0, cy = 0;  // pinhole intrinsics, pixels
  T limit_x = 0, limit_y = 0;        // 1.3 * tan(half field of view): J's clamp (3DGS)
  M3<T> rotation{T(1)};              // world -> camera (OpenGL axes)
  V3<T> translation{T(0)};           // camera = rotation * world + translation
  V3<T> eye{T(0)};                   // camera centre, world
};
template <class T>
CameraModel<T> camera_model(const Camera& camera);

template <class T>
STRATA_HOST_DEVICE inline T sigmoid(T x) {
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}

// Rotation matrix of the unit quaternion (w, x, y, z); column-major (R[c][r]).
template <class T>
STRATA_HOST_DEVICE inline M3<T> rotation_matrix(T w, T x, T y, T z) {
  M3<T> r;
  r[0][0] = T(1) - T(2) * (y * y + z * z);
  r[0][1] = T(2) * (x * y + w * z);
  r[0][2] = T(2) * (x * z - w * y);
  r[1][0] = T(2) * (x * y - w * z);
  r[1][1] = T(1) - T(2) * (x * x + z * z);
  r[1][2] = T(2) * (y * z + w * x);
  r[2][0] = T(2) * (x * z + w * y);
  r[2][1] = T(2) * (y * z - w * x);
  r[2][2] = T(1) - T(2) * (x * x + y * y);
  return r;
}

// Jacobian of the pixel position with respect to the camera-space point t (OpenGL axes), and the
// pixel position itself. Pinhole: J uses x/z and y/z clamped to the camera's limits (3DGS); the
// mean is not clamped. Equirectangular: cos(latitude) is clamped to >= 1e-3 in J's u row.
template <class T>
STRATA_HOST_DEVICE inline void project_point(const CameraModel<T>& cam, const V3<T>& t, V2<T>* mean,
                                             M3x2<T>* jacobian) {
  M3x2<T>& J = *jacobian;
  if (cam.projection == Projection::kPinhole) {
    const T zc = -t.z, inv_z = T(1) / zc;
    *mean = V2<T>(cam.cx + cam.fx * t.x * inv_z, cam.cy - cam.fy * t.y * inv_z);
    const T tx = glm::clamp(t.x * inv_z, -cam.limit_x, cam.limit_x) * zc;
    const T ty = glm::clamp(t.y * inv_z, -cam.limit_y, cam.limit_y) * zc;
    J[0][0] = cam.fx * inv_z, J[1][0] = T(0), J[2][0] = cam.fx * tx * inv_z * inv_z;
    J[0][1] = T(0), J[1][1] = -cam.fy * inv_z, J[2][1] = -cam.fy * ty * inv_z * inv_z;
    return;
  }
  const T w = T(cam.width), h = T(cam.height), pi = T(3.14159265358979323846);
  const T rho2 = t.x * t.x + t.z * t.z, r2 = rho2 + t.y * t.y;
  const T rho = std::sqrt(rho2), r = std::sqrt(r2);
  *mean = V2<T>(w * (T(0.5) + std::atan2(t.x, -t.z) / (T(2) * pi)),
                h * (T(0.5) - std::atan2(t.y, rho) / pi));
  const T rho_c = glm::max(rho, T(1e-3) * r);
  const T ku = w / (T(2) * pi * rho_c * rho_c), kv = h / (pi * r2);
  J[0][0] = -ku * t.z, J[1][0] = T(0), J[2][0] = ku * t.x;
  J[0][1] = kv * t.x * t.y / rho_c, J[1][1] = -kv * rho, J[2][1] = kv * t.z * t.y / rho_c;
}

// Signed horizontal offset mean - pixel, wrapped into [-width/2, width/2] for panoramas.
template <class T>
STRATA_HOST_DEVICE inline T wrap_dx(T dx, T width, bool wraps) {
  if (!wraps) return dx;
  if (dx > T(0.5) * width) return dx - width;
  if (dx < T(-0.5) * width) return dx + width;
  return dx;
}

// The passes. project fills `out` for every Gaussian; bin sorts them into tiles; rasterize
// composites (color and depth may be null); backward returns the gradients.
template <class Real, class Cloud>
void project(const Cloud& cloud, const CameraModel<Real>& cam, const GaussianRenderOptions& options,
             ProjectedGaussiansT<Real>* out);
template <class Real>
GaussianTileBins bin(const ProjectedGaussiansT<Real>& projected, int width, int height);
template <class Real>
void rasterize(const CameraModel<Real>& cam, const GaussianRenderOptions& options,
               GaussianRasterStateT<Real>* state, std::vector<V4<Real>>* color,
               std::vector<Real>* depth);
template <class Real, class Cloud>
GaussianGradientsT<Real> backward(const Cloud& cloud, const CameraModel<Real>& cam,
                                  const GaussianRenderOptions& options,
                                  const GaussianRasterStateT<Real>& state,
                                  const std::vector<V4<Real>>& dL_dcolor);

// Forward in one call: project, bin and rasterize into `state`, `color` and `depth`.
template <class Real, class Cloud>
void forward(const Cloud& cloud, const Camera& camera, const GaussianRenderOptions& options,
             GaussianRasterStateT<Real>* state, std::vector<V4<Real>>* color,
             std::vector<Real>* depth) {
  const CameraModel<Real> cam = camera_model<Real>(camera);
  project(cloud, cam, options, &state->projected);
  state->bins = bin(state->projected, camera.width, camera.height);
  state->width = camera.width;
  state->height = camera.height;
  rasterize(cam, options, state, color, depth);
}

}  // namespace strata::gaussian_detail
