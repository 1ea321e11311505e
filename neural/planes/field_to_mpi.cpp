#include "neural/planes/field_to_mpi.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "neural/core/parallel.h"
#include "neural/field/field_network.h"

namespace strata {

namespace {

// Ray-box intersection in item space: [t0, t1] of origin + t dir inside the box (t1 < t0: none).
void box_range(const FieldConfig& c, vec3 origin, vec3 dir, float* t0, float* t1) {
  *t0 = 0.0f;
  *t1 = 1e30f;
  for (int a = 0; a < 3; ++a) {
    if (std::abs(dir[a]) < 1e-12f) {
      if (origin[a] < c.box_lo[a] || origin[a] > c.box_hi[a]) *t1 = -1.0f;
      continue;
    }
    float lo = (c.box_lo[a] - origin[a]) / dir[a], hi = (c.box_hi[a] - origin[a]) / dir[a];
    if (lo > hi) std::swap(lo, hi);
    *t0 = std::max(*t0, lo);
    *t1 = std::min(*t1, hi);
  }
}

}  // namespace

void field_to_mpi(const RadianceField& field, const mat4& item_to_world, PlaneSet& mpi,
                  int samples_per_slab) {
  if (!mpi.reference_camera || mpi.reference_camera->projection != Projection::kPinhole)
    throw std::invalid_argument("field_to_mpi: the MPI needs a pinhole reference camera");
  if (samples_per_slab < 1) throw std::invalid_argument("field_to_mpi: samples_per_slab < 1");
  const Camera& ref = *mpi.reference_camera;
  const vec3 eye = ref.position(), forward = ref.forward();
  const mat4 world_to_item = glm::inverse(item_to_world);
  const vec3 eye_item = vec3(world_to_item * vec4(eye, 1.0f));
  const mat3 dir_to_item = mat3(world_to_item);
  const size_t n_planes = mpi.planes.size();
  // Slabs: between the halfway points (in inverse depth) to the neighbouring planes; everything
  // nearer than the nearest plane belongs to it, everything farther than the farthest to it.
  std::vector<float> depth(n_planes);
  for (size_t i = 0; i < n_planes; ++i) depth[i] = glm::dot(mpi.planes[i].center() - eye, forward);
  std::vector<size_t> order(n_planes);
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return depth[a] < depth[b]; });
  std::vector<float> z_front(n_planes, 0.0f), z_back(n_planes, 1e30f);
  for (size_t r = 0; r + 1 < n_planes; ++r) {
    const float boundary = 2.0f / (1.0f / depth[order[r]] + 1.0f / depth[order[r + 1]]);
    z_back[order[r]] = boundary;
    z_front[order[r + 1]] = boundary;
  }
  const FieldNetwork network(field.config);
  const OccupancyGrid& grid = field.occupancy;
  const float step = std::max(1e-4f, field.config.min_step);

  for (size_t p = 0; p < n_planes; ++p) {
    Plane& plane = mpi.planes[p];
    Image& tex = plane.texture;
    parallel_for(size_t(tex.height), 1, [&](size_t row_begin, size_t row_end) {
      FieldBatch batch;
      batch.allocate(network, 4096, false);
      std::vector<uint32_t> texel_of;  // per occupied sample: its texel (x)
      std::vector<float> dt_of;
      for (size_t y = row_begin; y < row_end; ++y) {
        size_t n = 0;
        texel_of.clear();
        dt_of.clear();
        for (int x = 0; x < tex.width; ++x) {
          const vec3 point = plane.origin + (float(x) + 0.5f) / float(tex.width) * plane.u_axis +
                             (float(y) + 0.5f) / float(tex.height) * plane.v_axis;
          const vec3 dir = glm::normalize(point - eye);
          const float dz = glm::dot(dir, forward);
          if (!(dz > 1e-6f)) continue;
          const vec3 dir_item = dir_to_item * dir;
          const float item_per_world = glm::length(dir_item);
          float t0, t1;  // world distance along dir (the same parameter in item space)
          box_range(field.config, eye_item, dir_item, &t0, &t1);
          t0 = std::max({t0, z_front[p] / dz, field.config.near / item_per_world});
          t1 = std::min(t1, z_back[p] / dz);
          if (!(t1 > t0)) continue;
          const int count =
              std::clamp(int(std::ceil((t1 - t0) * item_per_world / step)), samples_per_slab, 1024);
          const float dt = (t1 - t0) / float(count);
          const vec3 dir_unit = dir_item / item_per_world;
          for (int s = 0; s < count; ++s) {
            const vec3 q = eye_item + (t0 + (float(s) + 0.5f) * dt) * dir_item;
            const vec3 unit = field.to_unit(q);
            if (glm::any(glm::lessThan(unit, vec3(0.0f))) ||
                glm::any(glm::greaterThanEqual(unit, vec3(1.0f))))
              continue;
            const glm::ivec3 cell = glm::min(glm::ivec3(unit * float(grid.resolution)),
                                             glm::ivec3(grid.resolution - 1));
            if (!grid.occupied(grid.cell_index(cell.x, cell.y, cell.z))) continue;
            if (n + 1 > batch.ld) batch.reserve(network, 2 * batch.ld, n);
            for (int a = 0; a < 3; ++a) {
              batch.positions.row(a)[n] = unit[a];
              batch.directions.row(a)[n] = dir_unit[a];
            }
            texel_of.push_back(uint32_t(x));
            dt_of.push_back(dt * item_per_world);
            ++n;
          }
        }
        std::vector<vec4> out(size_t(tex.width), vec4(0.0f));
        std::vector<float> transmittance(size_t(tex.width), 1.0f);
        if (n > 0) {
          network.forward_density(field.params.data(), batch, 0, n);
          network.forward_color(field.params.data(), batch, 0, n);
          const float* sigma = batch.sigma.row(0);
          for (size_t i = 0; i < n; ++i) {
            const size_t x = texel_of[i];
            const float a = 1.0f - std::exp(-sigma[i] * dt_of[i]);
            const vec3 c(batch.rgb.row(0)[i], batch.rgb.row(1)[i], batch.rgb.row(2)[i]);
            out[x] += vec4(transmittance[x] * a * c, 0.0f);
            transmittance[x] *= 1.0f - a;
          }
        }
        for (int x = 0; x < tex.width; ++x)
          tex.at(x, int(y)) = vec4(vec3(out[size_t(x)]), 1.0f - transmittance[size_t(x)]);
      }
    });
  }
}

}  // namespace strata
