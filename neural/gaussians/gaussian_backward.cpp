// The backward pass of the CPU reference Gaussian rasterizer (see gaussian_backward.h).
#include "neural/gaussians/gaussian_backward.h"

#include <algorithm>
#include <stdexcept>

#include "neural/core/parallel.h"
#include "neural/gaussians/gaussian_raster.h"

namespace strata {

namespace gaussian_detail {

namespace {

// Gradient of the loss with respect to one entry of one tile's list, summed over the tile's
// pixels (reduced per Gaussian afterwards, in list order, for determinism).
template <class Real>
struct InstanceGrad {
  V2<Real> mean{Real(0)};   // dL/d mean2d
  V3<Real> conic{Real(0)};  // dL/d (conic xx, xy, yy) with xy the single off-diagonal scalar
  V3<Real> color{Real(0)};  // dL/d colour (after clamping)
  Real opacity = Real(0);   // dL/d opacity
};

// dL/dR -> dL/dq for R = rotation_matrix(q) at the unit quaternion q = (w, x, y, z).
template <class Real>
glm::vec<4, Real> rotation_gradient(const M3<Real>& g, Real w, Real x, Real y, Real z) {
  // g[c][r] is dL/dR(r, c). The partials of R(r, c) follow from rotation_matrix.
  auto G = [&](int r, int c) { return g[c][r]; };
  const Real dw = Real(2) * (-z * G(0, 1) + y * G(0, 2) + z * G(1, 0) - x * G(1, 2) - y * G(2, 0) +
                             x * G(2, 1));
  const Real dx = Real(2) * (y * G(0, 1) + z * G(0, 2) + y * G(1, 0) - Real(2) * x * G(1, 1) -
                             w * G(1, 2) + z * G(2, 0) + w * G(2, 1) - Real(2) * x * G(2, 2));
  const Real dy = Real(2) * (-Real(2) * y * G(0, 0) + x * G(0, 1) + w * G(0, 2) + x * G(1, 0) +
                             z * G(1, 2) - w * G(2, 0) + z * G(2, 1) - Real(2) * y * G(2, 2));
  const Real dz = Real(2) * (-Real(2) * z * G(0, 0) - w * G(0, 1) + x * G(0, 2) + w * G(1, 0) -
                             Real(2) * z * G(1, 1) + y * G(1, 2) + x * G(2, 0) + y * G(2, 1));
  return {dw, dx, dy, dz};
}

// dL/dt for the camera-space mean t, given dL/d(pixel mean) and dL/dJ (J as in project_point).
template <class Real>
V3<Real> camera_point_gradient(const CameraModel<Real>& cam, const V3<Real>& t, const V2<Real>& gm,
                               const M3x2<Real>& G_J) {
  if (cam.projection == Projection::kPinhole) {
    const Real zc = -t.z, inv_z = Real(1) / zc, inv_z2 = inv_z * inv_z;
    // The mean (not clamped): u = cx + fx tx / zc, v = cy - fy ty / zc, with zc = -tz.
    V3<Real> g(cam.fx * inv_z * gm.x, -cam.fy * inv_z * gm.y,
               cam.fx * t.x * inv_z2 * gm.x - cam.fy * t.y * inv_z2 * gm.y);
    // J00 = fx / zc, J11 = -fy / zc.
    g.z += G_J[0][0] * cam.fx * inv_z2 - G_J[1][1] * cam.fy * inv_z2;
    // J02 = fx tx' / zc^2 with tx' = clamp(tx / zc) zc; J12 = -fy ty' / zc^2. Where clamped,
    // tx' = +-limit zc moves with zc only.
    const Real rx = t.x * inv_z, ry = t.y * inv_z;
    if (rx >= -cam.limit_x && rx <= cam.limit_x) {
      g.x += G_J[2][0] * cam.fx * inv_z2;
      g.z += G_J[2][0] * Real(2) * cam.fx * t.x * inv_z2 * inv_z;
    } else {
      const Real tx = glm::clamp(rx, -cam.limit_x, cam.limit_x) * zc;
      g.z += G_J[2][0] * cam.fx * tx * inv_z2 * inv_z;
    }
    if (ry >= -cam.limit_y && ry <= cam.limit_y) {
      g.y += G_J[2][1] * -cam.fy * inv_z2;
      g.z += G_J[2][1] * Real(-2) * cam.fy * t.y * inv_z2 * inv_z;
    } else {
      const Real ty = glm::clamp(ry, -cam.limit_y, cam.limit_y) * zc;
      g.z += G_J[2][1] * -cam.fy * ty * inv_z2 * inv_z;
    }
    return g;
  }
  // Equirectangular: u = W (0.5 + atan2(tx, -tz) / 2pi), v = H (0.5 - atan2(ty, rho) / pi).
  const Real pi = Real(3.14159265358979323846), w = Real(cam.width), h = Real(cam.height);
  const Real rho2 = t.x * t.x + t.z * t.z, r2 = rho2 + t.y * t.y;
  const Real rho = std::sqrt(rho2), r = std::sqrt(r2);
  const V3<Real> ex(1, 0, 0), ey(0, 1, 0), ez(0, 0, 1);
  // The mean's exact derivative (J without the clamp of rho).
  const Real mu = w / (Real(2) * pi * rho2), mv = h / (pi * r2);
  V3<Real> g = gm.x * mu * V3<Real>(-t.z, Real(0), t.x) +
               gm.y * mv * V3<Real>(t.x * t.y / rho, -rho, t.z * t.y / rho);
  // J with rho_c = max(rho, 1e-3 r): ku = W / (2pi rho_c^2), kv = H / (pi r^2);
  // J00 = -ku tz, J02 = ku tx, J10 = kv tx ty / rho_c, J11 = -kv rho, J12 = kv tz ty / rho_c.
  const bool clamped = rho < Real(1e-3) * r;
  const Real rho_c = clamped ? Real(1e-3) * r : rho;
  const V3<Real> d_rho = V3<Real>(t.x, Real(0), t.z) / rho;
  const V3<Real> d_rho_c = clamped ? Real(1e-3) * t / r : d_rho;
  const Real ku = w / (Real(2) * pi * rho_c * rho_c), kv = h / (pi * r2);
  const V3<Real> d_ku = Real(-2) * ku * d_rho_c / rho_c, d_kv = Real(-2) * kv * t / r2;
  g += G_J[0][0] * (-d_ku * t.z - ku * ez);
  g += G_J[2][0] * (d_ku * t.x + ku * ex);
  g += G_J[0][1] * (d_kv * (t.x * t.y / rho_c) +
                    kv * ((t.y * ex + t.x * ey) / rho_c - t.x * t.y * d_rho_c / (rho_c * rho_c)));
  g += G_J[1][1] * (-d_kv * rho - kv * d_rho);
  g += G_J[2][1] * (d_kv * (t.z * t.y / rho_c) +
                    kv * ((t.y * ez + t.z * ey) / rho_c - t.z * t.y * d_rho_c / (rho_c * rho_c)));
  return g;
}
}  // namespace

template <class Real, class Cloud>
GaussianGradientsT<Real> backward(const Cloud& cloud, const CameraModel<Real>& cam,
                                  const GaussianRenderOptions& options,
                                  const GaussianRasterStateT<Real>& state,
                                  const std::vector<V4<Real>>& dL_dcolor) {
  const int width = state.width, height = state.height;
  const size_t pixels = size_t(width) * size_t(height);
  const size_t n = cloud.size();
  if (width != cam.width || height != cam.height || dL_dcolor.size() != pixels ||
      state.final_transmittance.size() != pixels || state.contributors.size() != pixels ||
      state.projected.radii.size() != n)
    throw std::invalid_argument("backward_gaussians: sizes do not match the forward pass");
  const ProjectedGaussiansT<Real>& pg = state.projected;
  const GaussianTileBins& bins = state.bins;
  const V4<Real> background(options.background);
  const Real min_alpha = Real(kGaussianMinAlpha), max_alpha = Real(kGaussianMaxAlpha);
  const bool wraps = cam.projection == Projection::kEquirectangular;
  constexpr int kTile = kGaussianTileSize;

  // 1. Per pixel, back to front through the compositing, into per-instance sums.
  std::vector<InstanceGrad<Real>> instances(bins.ids.size());
  parallel_for(size_t(bins.tiles_x) * size_t(bins.tiles_y), 1, [&](size_t t0, size_t t1) {
    for (size_t tile = t0; tile < t1; ++tile) {
      const int x0 = int(tile % size_t(bins.tiles_x)) * kTile;
      const int y0 = int(tile / size_t(bins.tiles_x)) * kTile;
      const int tw = std::min(kTile, width - x0), th = std::min(kTile, height - y0);
      const uint32_t begin = bins.offsets[tile];
      for (int py = y0; py < y0 + th; ++py)
        for (int px = x0; px < x0 + tw; ++px) {
          const size_t pix = size_t(py) * size_t(width) + size_t(px);
          const uint32_t count = state.contributors[pix];
          if (count == 0) continue;
          const V4<Real> g = dL_dcolor[pix];
          const V3<Real> g_rgb(g);
          const Real t_final = state.final_transmittance[pix];
          // out = (C, 1 - T_N) + T_N background: dL/dT_N.
          const Real dL_dtfinal =
              glm::dot(g_rgb, V3<Real>(background)) + g.a * (background.a - Real(1));
          V3<Real> behind(0);  // sum over later Gaussians of c_i alpha_i T_i
          Real t_after = t_final;
          for (uint32_t j = count; j-- > 0;) {
            const uint32_t id = bins.ids[begin + j];
            const V2<Real> mean = pg.means[id];
            const V3<Real> conic = pg.conics[id];
            const Real dx = wrap_dx(mean.x - (Real(px) + Real(0.5)), Real(width), wraps);
            const Real dy = mean.y - (Real(py) + Real(0.5));
            const Real power =
                Real(-0.5) * (conic.x * dx * dx + conic.z * dy * dy) - conic.y * dx * dy;
            if (power > Real(0)) continue;
            const Real gauss = std::exp(power);
            const Real opacity = pg.opacities[id];
            const Real raw_alpha = opacity * gauss;
            const Real alpha = std::min(max_alpha, raw_alpha);
            if (alpha < min_alpha) continue;
            const Real one_minus = Real(1) - alpha;
            const Real t_j = t_after / one_minus;
            const V3<Real> c = pg.colors[id];
            InstanceGrad<Real>& out = instances[begin + j];
            out.color += (alpha * t_j) * g_rgb;
            const Real dL_dalpha = t_j * glm::dot(c, g_rgb) -
                                   (glm::dot(behind, g_rgb) + dL_dtfinal * t_final) / one_minus;
            if (raw_alpha <= max_alpha) {  // a capped alpha does not depend on the Gaussian
              out.opacity += gauss * dL_dalpha;
              const Real dL_dpower = raw_alpha * dL_dalpha;
              out.mean.x += dL_dpower * -(conic.x * dx + conic.y * dy);
              out.mean.y += dL_dpower * -(conic.z * dy + conic.y * dx);
              out.conic +=
                  dL_dpower * V3<Real>(Real(-0.5) * dx * dx, -dx * dy, Real(-0.5) * dy * dy);
            }
            behind += (alpha * t_j) * c;
            t_after = t_j;
          }
        }
    }
  });

  // 2. Per Gaussian: sum its instances in tile order.
  std::vector<InstanceGrad<Real>> per(n);
  for (size_t k = 0; k < bins.ids.size(); ++k) {
    InstanceGrad<Real>& a = per[bins.ids[k]];
    const InstanceGrad<Real>& b = instances[k];
    a.mean += b.mean;
    a.conic += b.conic;
    a.color += b.color;
    a.opacity += b.opacity;
  }
  instances.clear();
  instances.shrink_to_fit();

  // 3. Per Gaussian, through the projection to the stored parameters.
  GaussianGradientsT<Real> out;
  const int k_stride = cloud.sh_coefficients();
  out.positions.assign(n, V3<Real>(0));
  out.log_scales.assign(n, V3<Real>(0));
  out.rotations.assign(n, glm::qua<Real>(Real(0), Real(0), Real(0), Real(0)));
  out.opacity_logits.assign(n, Real(0));
  out.sh.assign(n * size_t(k_stride), V3<Real>(0));
  out.means2d.assign(n, V2<Real>(0));
  const int degree = std::clamp(std::min(cloud.sh_degree, options.max_sh_degree), 0, kMaxShDegree);
  const int k_eval = sh_coefficient_count(degree);
  parallel_for(n, 1024, [&](size_t i0, size_t i1) {
    Real basis[kMaxShCoefficients], bx[kMaxShCoefficients], by[kMaxShCoefficients],
        bz[kMaxShCoefficients];
    for (size_t i = i0; i < i1; ++i) {
      if (pg.radii[i] <= 0) continue;
      const InstanceGrad<Real>& gi = per[i];
      const V3<Real> p(cloud.positions[i]);
      const V3<Real> log_s(cloud.log_scales[i]);
      const auto qs = cloud.rotations[i];
      const Real qw = Real(qs.w), qx = Real(qs.x), qy = Real(qs.y), qz = Real(qs.z);
      const Real qn = std::sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
      const Real uw = qw / qn, ux = qx / qn, uy = qy / qn, uz = qz / qn;

      // Opacity: through the sigmoid.
      const Real opacity = pg.opacities[i];
      out.opacity_logits[i] = gi.opacity * opacity * (Real(1) - opacity);

      // Colour: through the clamp to SH coefficients and the view direction.
      V3<Real> dL_dc = gi.color;
      for (int ch = 0; ch < 3; ++ch)
        if (pg.clamped[i] & (1 << ch)) dL_dc[ch] = Real(0);
      const V3<Real> v = p - cam.eye;
      const Real v_len = glm::length(v);
      const V3<Real> dir = v_len > Real(0) ? v / v_len : V3<Real>(0, 0, 1);
      sh_basis(degree, dir.x, dir.y, dir.z, basis);
      sh_basis_gradient(degree, dir.x, dir.y, dir.z, bx, by, bz);
      V3<Real> dL_ddir(0);
      for (int k = 0; k < k_eval; ++k) {
        out.sh[i * k_stride + k] = basis[k] * dL_dc;
        const Real s = glm::dot(V3<Real>(cloud.sh[i * k_stride + k]), dL_dc);
        dL_ddir += s * V3<Real>(bx[k], by[k], bz[k]);
      }
      V3<Real> dL_dp(0);
      if (v_len > Real(0)) dL_dp += (dL_ddir - dir * glm::dot(dir, dL_ddir)) / v_len;

      // Recompute the forward quantities of the projection.
      const V3<Real> t = cam.rotation * p + cam.translation;
      const M3<Real> R = rotation_matrix(uw, ux, uy, uz);
      const V3<Real> s = glm::exp(log_s);
      M3<Real> M = R;
      for (int c = 0; c < 3; ++c) M[c] *= s[c];
      const M3<Real> sigma = M * glm::transpose(M);
      V2<Real> mean;
      M3x2<Real> J;
      project_point(cam, t, &mean, &J);
      const M3x2<Real> T = J * cam.rotation;

      // Conic (inverse of the 2D covariance) -> 2D covariance: dL/dCov = -Q G Q.
      const V3<Real> cq = pg.conics[i];
      const M2<Real> Q(cq.x, cq.y, cq.y, cq.z);
      const M2<Real> GQ(gi.conic.x, Real(0.5) * gi.conic.y, Real(0.5) * gi.conic.y, gi.conic.z);
      const M2<Real> G_cov = -(Q * GQ * Q);
      // Cov = T Sigma T^T (+ low-pass): dL/dSigma = T^T G T, dL/dT = 2 G T Sigma.
      const M3<Real> G_sigma = glm::transpose(T) * G_cov * T;
      const M3x2<Real> G_T = Real(2) * G_cov * T * sigma;
      const M3x2<Real> G_J = G_T * glm::transpose(cam.rotation);

      // Camera-space position: through the mean and through J(t).
      const V2<Real> gm = gi.mean;
      const V3<Real> dL_dt = camera_point_gradient(cam, t, gm, G_J);
      dL_dp += glm::transpose(cam.rotation) * dL_dt;
      out.positions[i] = dL_dp;
      out.means2d[i] = gm;

      // Sigma = M M^T, M = R diag(s): dL/dM = 2 G_sigma M.
      const M3<Real> G_M = Real(2) * G_sigma * M;
      V3<Real> dL_ds(0);
      M3<Real> G_R;
      for (int c = 0; c < 3; ++c) {
        dL_ds[c] = glm::dot(G_M[c], R[c]);
        G_R[c] = G_M[c] * s[c];
      }
      out.log_scales[i] = dL_ds * s;
      // Through R(q / |q|) to the stored quaternion.
      const glm::vec<4, Real> g_unit = rotation_gradient(G_R, uw, ux, uy, uz);
      const glm::vec<4, Real> u(uw, ux, uy, uz);
      const glm::vec<4, Real> g_raw = (g_unit - u * glm::dot(u, g_unit)) / qn;
      out.rotations[i] = glm::qua<Real>(g_raw[0], g_raw[1], g_raw[2], g_raw[3]);
    }
  });
  return out;
}

template GaussianGradientsT<float> backward<float, GaussianCloud>(
    const GaussianCloud&, const CameraModel<float>&, const GaussianRenderOptions&,
    const GaussianRasterStateT<float>&, const std::vector<V4<float>>&);
template GaussianGradientsT<double> backward<double, GaussianCloudF64>(
    const GaussianCloudF64&, const CameraModel<double>&, const GaussianRenderOptions&,
    const GaussianRasterStateT<double>&, const std::vector<V4<double>>&);

}  // namespace gaussian_detail

GaussianGradients backward_gaussians(const GaussianCloud& cloud, const Camera& camera,
                                     const GaussianRenderOptions& options,
                                     const GaussianRasterState& state, const Image& dL_dcolor) {
  cloud.check_consistent();
  if (dL_dcolor.width != camera.width || dL_dcolor.height != camera.height)
    throw std::invalid_argument("backward_gaussians: dL_dcolor is not the render's size");
  return gaussian_detail::backward(cloud, gaussian_detail::camera_model<float>(camera), options,
                                   state, dL_dcolor.pixels);
}

}  // namespace strata
