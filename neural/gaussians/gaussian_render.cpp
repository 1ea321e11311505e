// The forward passes of the CPU reference Gaussian rasterizer (see gaussian_render.h).
#include "neural/gaussians/gaussian_render.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "neural/core/parallel.h"
#include "neural/gaussians/gaussian_raster.h"

namespace strata {

namespace gaussian_detail {

GaussianCloudF64 to_f64(const GaussianCloud& c) {
  c.check_consistent();
  GaussianCloudF64 d;
  d.sh_degree = c.sh_degree;
  d.positions.assign(c.positions.begin(), c.positions.end());
  d.log_scales.assign(c.log_scales.begin(), c.log_scales.end());
  for (const quat& q : c.rotations) d.rotations.emplace_back(q.w, q.x, q.y, q.z);
  d.opacity_logits.assign(c.opacity_logits.begin(), c.opacity_logits.end());
  d.sh.assign(c.sh.begin(), c.sh.end());
  d.layers = c.layers;
  return d;
}

template <class T>
CameraModel<T> camera_model(const Camera& camera) {
  camera.validate("camera");
  CameraModel<T> m;
  m.projection = camera.projection;
  m.width = camera.width;
  m.height = camera.height;
  m.fx = T(camera.fx), m.fy = T(camera.fy), m.cx = T(camera.cx), m.cy = T(camera.cy);
  if (camera.projection == Projection::kPinhole) {
    // 3DGS: tan(fov / 2) = size / (2 f), and J's x/z, y/z are clamped to 1.3 times that.
    m.limit_x = T(1.3) * T(0.5) * T(camera.width) / m.fx;
    m.limit_y = T(1.3) * T(0.5) * T(camera.height) / m.fy;
  }
  const glm::dmat4 world_to_camera = glm::inverse(glm::dmat4(camera.camera_to_world));
  m.rotation = M3<T>(glm::dmat3(world_to_camera));
  m.translation = V3<T>(glm::dvec3(world_to_camera[3]));
  m.eye = V3<T>(glm::dvec3(glm::dmat4(camera.camera_to_world)[3]));
  return m;
}

namespace {

template <class T>
bool finite3(const V3<T>& v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

// Calls fn(tile index) for every tile of a rectangle (x range may wrap, see ProjectedGaussians).
template <class Fn>
void for_each_tile(const glm::ivec4& r, int tiles_x, Fn&& fn) {
  for (int ty = r.y; ty <= r.w; ++ty) {
    if (r.x <= r.z) {
      for (int tx = r.x; tx <= r.z; ++tx) fn(ty * tiles_x + tx);
    } else {
      for (int tx = r.x; tx < tiles_x; ++tx) fn(ty * tiles_x + tx);
      for (int tx = 0; tx <= r.z; ++tx) fn(ty * tiles_x + tx);
    }
  }
}

// The tiles a footprint square of radius r around `mean` touches; false when none (off screen).
template <class T>
bool tile_rect(const V2<T>& mean, int radius, int width, int height, bool wraps, glm::ivec4* out) {
  const int tiles_x = (width + kGaussianTileSize - 1) / kGaussianTileSize;
  const int tiles_y = (height + kGaussianTileSize - 1) / kGaussianTileSize;
  const T r = T(radius), tile = T(kGaussianTileSize), w = T(width);
  const T y0 = mean.y - r, y1 = mean.y + r;
  if (y1 < T(0) || y0 >= T(height)) return false;
  out->y = std::max(0, int(std::floor(y0 / tile)));
  out->w = std::min(tiles_y - 1, int(std::floor(y1 / tile)));
  const T x0 = mean.x - r, x1 = mean.x + r;
  if (!wraps) {
    if (x1 < T(0) || x0 >= w) return false;
    out->x = std::max(0, int(std::floor(x0 / tile)));
    out->z = std::min(tiles_x - 1, int(std::floor(x1 / tile)));
    return true;
  }
  // Panorama: the column range wraps around the seam.
  int a = 0, b = tiles_x - 1;
  if (x1 - x0 + T(1) >= w) {
    a = 0, b = tiles_x - 1;
  } else if (x0 < T(0)) {
    a = std::min(tiles_x - 1, int(std::floor((x0 + w) / tile)));
    b = std::min(tiles_x - 1, int(std::floor(x1 / tile)));
    if (a <= b) a = 0, b = tiles_x - 1;
  } else if (x1 >= w) {
    a = std::min(tiles_x - 1, int(std::floor(x0 / tile)));
    b = std::min(tiles_x - 1, int(std::floor((x1 - w) / tile)));
    if (a <= b) a = 0, b = tiles_x - 1;
  } else {
    a = int(std::floor(x0 / tile));
    b = std::min(tiles_x - 1, int(std::floor(x1 / tile)));
  }
  out->x = a;
  out->z = b;
  return true;
}

}  // namespace

template <class Real, class Cloud>
void project(const Cloud& cloud, const CameraModel<Real>& cam, const GaussianRenderOptions& options,
             ProjectedGaussiansT<Real>* out) {
  const size_t n = cloud.size();
  out->means.assign(n, V2<Real>(0));
  out->covariances.assign(n, V3<Real>(0));
  out->conics.assign(n, V3<Real>(0));
  out->depths.assign(n, Real(0));
  out->radii.assign(n, 0);
  out->tile_rects.assign(n, glm::ivec4(0));
  out->colors.assign(n, V3<Real>(0));
  out->clamped.assign(n, 0);
  out->opacities.assign(n, Real(0));
  const int k_stride = cloud.sh_coefficients();
  const int degree = std::clamp(std::min(cloud.sh_degree, options.max_sh_degree), 0, kMaxShDegree);
  const int k_eval = sh_coefficient_count(degree);
  const bool panorama = cam.projection == Projection::kEquirectangular;
  const Real near_plane = Real(options.near_plane);
  parallel_for(n, 4096, [&](size_t begin, size_t end) {
    Real basis[kMaxShCoefficients];
    for (size_t i = begin; i < end; ++i) {
      if (!cloud.layers.empty() && !options.layer_visible(cloud.layers[i])) continue;
      const V3<Real> p(cloud.positions[i]);
      const V3<Real> log_s(cloud.log_scales[i]);
      const auto qs = cloud.rotations[i];
      const Real qw = Real(qs.w), qx = Real(qs.x), qy = Real(qs.y), qz = Real(qs.z);
      const Real logit = Real(cloud.opacity_logits[i]);
      const Real qn = std::sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
      // Defective Gaussians (NaN, infinity, zero rotation) are never drawn.
      if (!finite3(p) || !finite3(log_s) || !std::isfinite(logit) || !std::isfinite(qn) ||
          !(qn > Real(0)))
        continue;
      const V3<Real> t = cam.rotation * p + cam.translation;
      const Real depth = panorama ? glm::length(t) : -t.z;
      if (!(depth > near_plane)) continue;
      // 3D covariance R S S^T R^T.
      const M3<Real> R = rotation_matrix(qw / qn, qx / qn, qy / qn, qz / qn);
      const V3<Real> s = glm::exp(log_s);
      M3<Real> M = R;
      for (int c = 0; c < 3; ++c) M[c] *= s[c];
      const M3<Real> sigma = M * glm::transpose(M);
      // 2D covariance J W Sigma W^T J^T + low-pass.
      V2<Real> mean;
      M3x2<Real> J;
      project_point(cam, t, &mean, &J);
      const M3x2<Real> T = J * cam.rotation;
      const M2<Real> cov = T * sigma * glm::transpose(T);
      const Real a = cov[0][0] + Real(kGaussianLowPass), b = cov[0][1],
                 c = cov[1][1] + Real(kGaussianLowPass);
      const Real det = a * c - b * b;
      if (!(det > Real(0)) || !std::isfinite(det)) continue;
      const Real mid = Real(0.5) * (a + c);
      const Real root = std::sqrt(std::max(Real(0.1), mid * mid - det));
      const Real lambda = std::max(mid + root, mid - root);
      // Capped so that absurd footprints (a Gaussian around the camera) stay integers.
      const Real radius_real = std::min(std::ceil(Real(3) * std::sqrt(lambda)), Real(1 << 24));
      const int radius = int(radius_real);
      if (radius <= 0 || !std::isfinite(mean.x) || !std::isfinite(mean.y)) continue;
      glm::ivec4 rect;
      if (!tile_rect(mean, radius, cam.width, cam.height, panorama, &rect)) continue;
      // Colour from SH along camera -> mean.
      V3<Real> dir = p - cam.eye;
      const Real dir_len = glm::length(dir);
      dir = dir_len > Real(0) ? dir / dir_len : V3<Real>(0, 0, 1);
      sh_basis(degree, dir.x, dir.y, dir.z, basis);
      V3<Real> color(Real(0.5));
      for (int k = 0; k < k_eval; ++k) color += basis[k] * V3<Real>(cloud.sh[i * k_stride + k]);
      if (!finite3(color)) continue;
      uint8_t clamped = 0;
      for (int ch = 0; ch < 3; ++ch)
        if (color[ch] < Real(0)) {
          color[ch] = Real(0);
          clamped |= uint8_t(1 << ch);
        }
      out->means[i] = mean;
      out->covariances[i] = V3<Real>(a, b, c);
      out->conics[i] = V3<Real>(c / det, -b / det, a / det);
      out->depths[i] = depth;
      out->radii[i] = radius;
      out->tile_rects[i] = rect;
      out->colors[i] = color;
      out->clamped[i] = clamped;
      out->opacities[i] = sigmoid(logit);
    }
  });
}

template <class Real>
GaussianTileBins bin(const ProjectedGaussiansT<Real>& projected, int width, int height) {
  GaussianTileBins bins;
  bins.tiles_x = (width + kGaussianTileSize - 1) / kGaussianTileSize;
  bins.tiles_y = (height + kGaussianTileSize - 1) / kGaussianTileSize;
  const size_t tiles = size_t(bins.tiles_x) * size_t(bins.tiles_y);
  const size_t n = projected.radii.size();
  // Chunks of Gaussians with their own per-tile counts make the fill parallel and the result
  // independent of the thread count (each chunk writes its own sub-range of every tile).
  const size_t chunk = std::max<size_t>(16384, (n + 63) / 64);
  const size_t chunks = std::max<size_t>(1, (n + chunk - 1) / chunk);
  std::vector<uint32_t> cursor(chunks * tiles, 0);
  parallel_for(chunks, 1, [&](size_t c0, size_t c1) {
    for (size_t c = c0; c < c1; ++c) {
      uint32_t* counts = cursor.data() + c * tiles;
      for (size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i)
        if (projected.radii[i] > 0)
          for_each_tile(projected.tile_rects[i], bins.tiles_x, [&](int t) { ++counts[t]; });
    }
  });
  bins.offsets.assign(tiles + 1, 0);
  uint64_t total = 0;
  for (size_t t = 0; t < tiles; ++t) {
    bins.offsets[t] = uint32_t(total);
    for (size_t c = 0; c < chunks; ++c) {
      const uint32_t count = cursor[c * tiles + t];
      cursor[c * tiles + t] = uint32_t(total);
      total += count;
    }
    if (total > std::numeric_limits<uint32_t>::max())
      throw std::length_error("bin_gaussians: more than 2^32 tile entries");
  }
  bins.offsets[tiles] = uint32_t(total);
  // Key: depth (as float bits: positive floats order like integers), then Gaussian index.
  std::vector<uint64_t> keys(static_cast<size_t>(total));
  parallel_for(chunks, 1, [&](size_t c0, size_t c1) {
    for (size_t c = c0; c < c1; ++c) {
      uint32_t* next = cursor.data() + c * tiles;
      for (size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
        if (projected.radii[i] <= 0) continue;
        const float d = float(projected.depths[i]);
        uint32_t bits;
        std::memcpy(&bits, &d, 4);
        const uint64_t key = uint64_t(bits) << 32 | uint64_t(i);
        for_each_tile(projected.tile_rects[i], bins.tiles_x, [&](int t) { keys[next[t]++] = key; });
      }
    }
  });
  bins.ids.resize(size_t(total));
  parallel_for(tiles, 16, [&](size_t t0, size_t t1) {
    for (size_t t = t0; t < t1; ++t) {
      const auto first = keys.begin() + bins.offsets[t], last = keys.begin() + bins.offsets[t + 1];
      std::sort(first, last);
      for (auto it = first; it != last; ++it) bins.ids[size_t(it - keys.begin())] = uint32_t(*it);
    }
  });
  return bins;
}

template <class Real>
void rasterize(const CameraModel<Real>& cam, const GaussianRenderOptions& options,
               GaussianRasterStateT<Real>* state, std::vector<V4<Real>>* color,
               std::vector<Real>* depth) {
  const int width = cam.width, height = cam.height;
  const ProjectedGaussiansT<Real>& pg = state->projected;
  const GaussianTileBins& bins = state->bins;
  const size_t pixels = size_t(width) * size_t(height);
  state->final_transmittance.assign(pixels, Real(1));
  state->contributors.assign(pixels, 0);
  if (color) color->assign(pixels, V4<Real>(0));
  if (depth) depth->assign(pixels, Real(0));
  const bool wraps = cam.projection == Projection::kEquirectangular;
  const Real w = Real(width);
  const V4<Real> background(options.background);
  const Real min_alpha = Real(kGaussianMinAlpha), max_alpha = Real(kGaussianMaxAlpha);
  const Real min_t = Real(kGaussianMinTransmittance);
  constexpr int kTile = kGaussianTileSize;
  parallel_for(size_t(bins.tiles_x) * size_t(bins.tiles_y), 1, [&](size_t t0, size_t t1) {
    Real trans[kTile * kTile], depth_sum[kTile * kTile], weight_sum[kTile * kTile];
    V3<Real> rgb[kTile * kTile];
    uint32_t last[kTile * kTile];
    bool done[kTile * kTile];
    for (size_t tile = t0; tile < t1; ++tile) {
      const int x0 = int(tile % size_t(bins.tiles_x)) * kTile;
      const int y0 = int(tile / size_t(bins.tiles_x)) * kTile;
      const int tw = std::min(kTile, width - x0), th = std::min(kTile, height - y0);
      for (int k = 0; k < kTile * kTile; ++k) {
        trans[k] = Real(1), depth_sum[k] = Real(0), weight_sum[k] = Real(0);
        rgb[k] = V3<Real>(0), last[k] = 0, done[k] = false;
      }
      int remaining = tw * th;
      const uint32_t begin = bins.offsets[tile], end = bins.offsets[tile + 1];
      const Real tile_cx = Real(x0) + Real(0.5) * Real(tw);
      for (uint32_t j = begin; j < end && remaining > 0; ++j) {
        const uint32_t g = bins.ids[j];
        const Real opacity = pg.opacities[g];
        // alpha >= 1/255 needs opacity * exp(-q / 2) >= 1/255, i.e. q <= 2 ln(255 opacity): the
        // ellipse's bounding box (plus a pixel for rounding) holds every pixel that can blend.
        if (!(opacity >= min_alpha)) continue;
        const Real q_max = Real(2) * std::log(opacity / min_alpha);
        const V3<Real> cov = pg.covariances[g], conic = pg.conics[g];
        const Real hx = std::sqrt(q_max * cov.x) + Real(1), hy = std::sqrt(q_max * cov.z) + Real(1);
        V2<Real> mean = pg.means[g];
        int px0 = x0, px1 = x0 + tw - 1;
        // Panorama: the box around the copy of the mean nearest the tile's centre holds every
        // pixel of the tile that can blend, unless the box is so wide that another copy is as
        // near to some pixel (then the whole width of the tile is scanned).
        if (wraps) mean.x += w * std::round((tile_cx - mean.x) / w);
        if (!wraps || hx + Real(0.5) * Real(tw) < Real(0.5) * w) {
          px0 = std::max(px0, int(std::ceil(mean.x - hx - Real(0.5))));
          px1 = std::min(px1, int(std::floor(mean.x + hx - Real(0.5))));
        }
        const int py0 = std::max(y0, int(std::ceil(mean.y - hy - Real(0.5))));
        const int py1 = std::min(y0 + th - 1, int(std::floor(mean.y + hy - Real(0.5))));
        if (px0 > px1 || py0 > py1) continue;
        const V3<Real> c = pg.colors[g];
        const Real z = pg.depths[g];
        // Below this power alpha is surely under 1/255 (the margin exceeds any rounding), so
        // exp() is only evaluated near and inside the ellipse; results stay bit-identical.
        const Real skip_power = Real(-0.5) * q_max - Real(1e-3);
        const Real det_conic = conic.x * conic.z - conic.y * conic.y;
        const bool row_spans = !wraps && conic.x > Real(0) && det_conic > Real(0);
        for (int py = py0; py <= py1; ++py) {
          const Real dy = pg.means[g].y - (Real(py) + Real(0.5));
          int row0 = px0, row1 = px1;
          if (row_spans) {
            // The row's chord of the ellipse q(dx, dy) <= q_max, plus a pixel for rounding.
            const Real disc = conic.x * q_max - dy * dy * det_conic;
            if (disc < Real(-1e-4) * conic.x * q_max) continue;
            const Real half = std::sqrt(std::max(disc, Real(0))) / conic.x;
            const Real centre = mean.x + conic.y * dy / conic.x;  // dx = -B dy / A
            row0 = std::max(row0, int(std::ceil(centre - half - Real(1.5))));
            row1 = std::min(row1, int(std::floor(centre + half + Real(0.5))));
          }
          for (int px = row0; px <= row1; ++px) {
            const int k = (py - y0) * kTile + (px - x0);
            if (done[k]) continue;
            const Real dx = wrap_dx(pg.means[g].x - (Real(px) + Real(0.5)), w, wraps);
            const Real power =
                Real(-0.5) * (conic.x * dx * dx + conic.z * dy * dy) - conic.y * dx * dy;
            if (power > Real(0) || power < skip_power) continue;
            const Real alpha = std::min(max_alpha, opacity * std::exp(power));
            if (alpha < min_alpha) continue;
            const Real next_t = trans[k] * (Real(1) - alpha);
            if (next_t < min_t) {
              done[k] = true;
              --remaining;
              continue;
            }
            const Real weight = alpha * trans[k];
            rgb[k] += weight * c;
            depth_sum[k] += weight * z;
            weight_sum[k] += weight;
            trans[k] = next_t;
            last[k] = j - begin + 1;
          }
        }
      }
      for (int ty = 0; ty < th; ++ty)
        for (int tx = 0; tx < tw; ++tx) {
          const int k = ty * kTile + tx;
          const size_t pix = size_t(y0 + ty) * size_t(width) + size_t(x0 + tx);
          state->final_transmittance[pix] = trans[k];
          state->contributors[pix] = last[k];
          if (color) (*color)[pix] = V4<Real>(rgb[k], Real(1) - trans[k]) + trans[k] * background;
          if (depth)
            (*depth)[pix] = weight_sum[k] > Real(0) ? depth_sum[k] / weight_sum[k] : Real(0);
        }
    }
  });
}

template CameraModel<float> camera_model<float>(const Camera&);
template CameraModel<double> camera_model<double>(const Camera&);
template void project<float, GaussianCloud>(const GaussianCloud&, const CameraModel<float>&,
                                            const GaussianRenderOptions&,
                                            ProjectedGaussiansT<float>*);
template void project<double, GaussianCloudF64>(const GaussianCloudF64&, const CameraModel<double>&,
                                                const GaussianRenderOptions&,
                                                ProjectedGaussiansT<double>*);
template GaussianTileBins bin<float>(const ProjectedGaussiansT<float>&, int, int);
template GaussianTileBins bin<double>(const ProjectedGaussiansT<double>&, int, int);
template void rasterize<float>(const CameraModel<float>&, const GaussianRenderOptions&,
                               GaussianRasterStateT<float>*, std::vector<V4<float>>*,
                               std::vector<float>*);
template void rasterize<double>(const CameraModel<double>&, const GaussianRenderOptions&,
                                GaussianRasterStateT<double>*, std::vector<V4<double>>*,
                                std::vector<double>*);

}  // namespace gaussian_detail

ProjectedGaussians project_gaussians(const GaussianCloud& cloud, const Camera& camera,
                                     const GaussianRenderOptions& options) {
  cloud.check_consistent();
  ProjectedGaussians out;
  gaussian_detail::project(cloud, gaussian_detail::camera_model<float>(camera), options, &out);
  return out;
}

GaussianTileBins bin_gaussians(const ProjectedGaussians& projected, int width, int height) {
  return gaussian_detail::bin(projected, width, height);
}

namespace {

// The dominant layer id per pixel (-1: nothing blended): re-walks each pixel's blended Gaussians
// (the first `contributors` of its tile's list, with rasterize's alpha) and sums T*alpha per layer
// id. A separate pass, so plain renders and the backward pass's rasterizer stay untouched.
std::vector<int32_t> dominant_layers(const GaussianCloud& cloud, const Camera& camera,
                                     const GaussianRasterState& s) {
  const int width = s.width, height = s.height;
  const ProjectedGaussians& pg = s.projected;
  const bool wraps = camera.projection == Projection::kEquirectangular;
  std::vector<int32_t> labels(size_t(width) * size_t(height), -1);
  parallel_for(size_t(height), 1, [&](size_t y0, size_t y1) {
    std::vector<std::pair<uint16_t, float>> sums;  // (layer id, summed weight), few per pixel
    for (size_t y = y0; y < y1; ++y)
      for (int x = 0; x < width; ++x) {
        const size_t pix = y * size_t(width) + size_t(x);
        const size_t tile =
            (y / kGaussianTileSize) * size_t(s.bins.tiles_x) + size_t(x / kGaussianTileSize);
        const uint32_t begin = s.bins.offsets[tile], count = s.contributors[pix];
        float trans = 1.0f;
        sums.clear();
        for (uint32_t j = begin; j < begin + count; ++j) {
          const uint32_t g = s.bins.ids[j];
          const float opacity = pg.opacities[g];
          if (!(opacity >= kGaussianMinAlpha)) continue;
          const vec3 conic = pg.conics[g];
          const float dx =
              gaussian_detail::wrap_dx(pg.means[g].x - (float(x) + 0.5f), float(width), wraps);
          const float dy = pg.means[g].y - (float(y) + 0.5f);
          const float power = -0.5f * (conic.x * dx * dx + conic.z * dy * dy) - conic.y * dx * dy;
          if (power > 0.0f) continue;
          const float alpha = std::min(kGaussianMaxAlpha, opacity * std::exp(power));
          if (alpha < kGaussianMinAlpha) continue;
          const uint16_t layer = cloud.layers[g];
          auto it = std::find_if(sums.begin(), sums.end(),
                                 [&](const auto& e) { return e.first == layer; });
          if (it == sums.end()) it = sums.insert(sums.end(), {layer, 0.0f});
          it->second += alpha * trans;
          trans *= 1.0f - alpha;
        }
        float best = 0.0f;
        for (const auto& [layer, weight] : sums)
          if (weight > best) best = weight, labels[pix] = layer;
      }
  });
  return labels;
}

}  // namespace

RenderOutput render_gaussians(const GaussianCloud& cloud, const Camera& camera,
                              const GaussianRenderOptions& options, GaussianRasterState* state) {
  cloud.check_consistent();
  GaussianRasterState local;
  GaussianRasterState* s = state ? state : &local;
  RenderOutput out;
  gaussian_detail::forward(cloud, camera, options, s, &out.color.pixels, &out.depth.values);
  out.color.width = out.depth.width = camera.width;
  out.color.height = out.depth.height = camera.height;
  if (options.want_layers) out.layer = dominant_layers(cloud, camera, *s);
  return out;
}

}  // namespace strata
