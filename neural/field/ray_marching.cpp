#include "neural/field/ray_marching.h"

#include <algorithm>
#include <cmath>

#include "neural/field/field_math.h"

namespace strata {

MarchState start_march(const FieldConfig& config, const Ray& ray, float offset) {
  MarchState s;
  s.origin = ray.origin;
  s.direction = ray.direction;
  s.inv_direction = safe_inverse(ray.direction);
  float t0, t1;
  ray_box(s.origin, s.inv_direction, config.box_lo, config.box_hi, &t0, &t1);
  t0 = std::max(t0, config.near);
  if (!(t1 > t0)) return s;  // misses the box (or NaN)
  s.t = t0 + offset * march_step(config, t0);
  s.t_end = t1;
  s.done = s.t >= s.t_end;
  return s;
}

int march_samples(const RadianceField& field, MarchState& s, uint32_t ray_id, int max_samples,
                  FieldBatch& b, size_t column) {
  const FieldConfig& c = field.config;
  const OccupancyGrid& grid = field.occupancy;
  const int res = grid.resolution;
  const vec3 extent = c.box_hi - c.box_lo, inv_extent = 1.0f / extent;
  const vec3 cell_size = extent / float(res);
  float *px = b.positions.row(0), *py = b.positions.row(1), *pz = b.positions.row(2);
  float *dx = b.directions.row(0), *dy = b.directions.row(1), *dz = b.directions.row(2);
  float *ts = b.t.row(0), *dts = b.dt.row(0);
  int n = 0;
  float t = s.t;
  while (n < max_samples && t < s.t_end) {
    const vec3 p = s.origin + t * s.direction;
    const vec3 u = (p - c.box_lo) * inv_extent;
    const int ix = std::clamp(int(u.x * float(res)), 0, res - 1);
    const int iy = std::clamp(int(u.y * float(res)), 0, res - 1);
    const int iz = std::clamp(int(u.z * float(res)), 0, res - 1);
    const float dt = march_step(c, t);
    if (grid.occupied(grid.cell_index(ix, iy, iz))) {
      const size_t col = column + size_t(n);
      px[col] = u.x, py[col] = u.y, pz[col] = u.z;
      dx[col] = s.direction.x, dy[col] = s.direction.y, dz[col] = s.direction.z;
      ts[col] = t;
      dts[col] = dt;
      b.ray[col] = ray_id;
      ++n;
      t += dt;
      continue;
    }
    // Empty cell: jump to where the ray leaves it, in whole steps (samples stay on the ray's
    // lattice, so skipping does not shift them).
    const vec3 cell_lo = c.box_lo + vec3(float(ix), float(iy), float(iz)) * cell_size;
    const vec3 exit_plane = cell_lo + vec3(s.direction.x > 0.0f ? cell_size.x : 0.0f,
                                           s.direction.y > 0.0f ? cell_size.y : 0.0f,
                                           s.direction.z > 0.0f ? cell_size.z : 0.0f);
    const vec3 te = (exit_plane - s.origin) * s.inv_direction;
    const float t_exit = std::min(std::min(te.x, te.y), te.z);
    t += std::max(1.0f, std::ceil((t_exit - t) / dt)) * dt;
  }
  s.t = t;
  if (t >= s.t_end) s.done = true;
  return n;
}

vec3 composite_ray(const FieldBatch& b, const uint32_t* order, size_t count, vec3 background,
                   float* transmittance) {
  const float *sigma = b.sigma.row(0), *dt = b.dt.row(0);
  const float *r = b.rgb.row(0), *g = b.rgb.row(1), *bl = b.rgb.row(2);
  vec3 color(0.0f);
  float T = 1.0f;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t c = order[i];
    const float w = T * segment_alpha(sigma[c], dt[c]);
    color += w * vec3(r[c], g[c], bl[c]);
    T -= w;  // T * (1 - alpha)
  }
  *transmittance = T;
  return color + T * background;
}

void composite_ray_backward(FieldBatch& b, const uint32_t* order, size_t count, vec3 color,
                            vec3 d_color) {
  const float *sigma = b.sigma.row(0), *dt = b.dt.row(0);
  const float *r = b.rgb.row(0), *g = b.rgb.row(1), *bl = b.rgb.row(2);
  float *dr = b.d_rgb.row(0), *dg = b.d_rgb.row(1), *db = b.d_rgb.row(2);
  float* ds = b.d_sigma.row(0);
  // dC/dsigma_i = dt_i * (T_{i+1} c_i - S_{i+1}), S_{i+1} the colour gathered behind sample i
  // (background included) = C - sum_{j<=i} w_j c_j.
  vec3 prefix(0.0f);
  float T = 1.0f;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t c = order[i];
    const float w = T * segment_alpha(sigma[c], dt[c]);
    const vec3 rgb(r[c], g[c], bl[c]);
    prefix += w * rgb;
    T -= w;
    dr[c] = w * d_color.x;
    dg[c] = w * d_color.y;
    db[c] = w * d_color.z;
    ds[c] = dt[c] * glm::dot(d_color, T * rgb - (color - prefix));
  }
}

}  // namespace strata
