#include "neural/field/field_mesh.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include <glm/gtx/component_wise.hpp>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/core/progress.h"
#include "neural/field/field_network.h"
#include "neural/mesh/marching_cubes.h"
#include "neural/mesh/mesh_normals.h"
#include "neural/mesh/mesh_repair.h"
#include "neural/mesh/mesh_simplify.h"
#include "neural/mesh/mesh_smooth.h"
#include "neural/mesh/mesh_visibility.h"
#include "neural/mesh/uv_atlas.h"

namespace strata {

namespace {

void check_options(const FieldMeshOptions& o, const std::string& source) {
  if (o.resolution < 8 || o.resolution > 2048)
    throw InputError(source, "resolution",
                     "8..2048 grid nodes, got " + std::to_string(o.resolution));
  if (!std::isfinite(o.threshold) || o.threshold <= 0.0f)
    throw InputError(source, "threshold", "a positive density (1/metres)");
  const int s = o.texture_size;
  if (s < 16 || s > 16384 || (s & (s - 1)) != 0)
    throw InputError(source, "texture-size",
                     "a power of two from 16 to 16384, got " + std::to_string(s));
  if (o.dilate < 0 || o.dilate > 64) throw InputError(source, "dilate", "0..64 texels");
  if (!(o.unseen_texel_scale > 0.0f && o.unseen_texel_scale <= 1.0f))
    throw InputError(source, "unseen_texel_scale", "a texel density in (0, 1]");
}

// Fills texels outside every chart: `passes` rings get the mean of their filled neighbours
// (so bilinear filtering and mipmaps at chart borders see the border's colour), the rest the
// mean colour of the texture (so coarse mipmaps do not darken).
void dilate(Image* image, std::vector<uint8_t>* filled, int passes) {
  const int w = image->width, h = image->height;
  for (int pass = 0; pass < passes; ++pass) {
    std::vector<uint8_t> next = *filled;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        if ((*filled)[size_t(y) * w + x]) continue;
        vec4 sum(0.0f);
        int n = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int xx = x + dx, yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h || !(*filled)[size_t(yy) * w + xx]) continue;
            sum += image->at(xx, yy);
            ++n;
          }
        if (n > 0) {
          image->at(x, y) = sum / float(n);
          next[size_t(y) * w + x] = 1;
        }
      }
    filled->swap(next);
  }
  vec4 mean(0.0f);
  size_t n = 0;
  for (size_t i = 0; i < image->pixels.size(); ++i)
    if ((*filled)[i]) {
      mean += image->pixels[i];
      ++n;
    }
  mean = n > 0 ? mean / float(n) : vec4(0.5f, 0.5f, 0.5f, 1.0f);
  for (size_t i = 0; i < image->pixels.size(); ++i)
    if (!(*filled)[i]) image->pixels[i] = mean;
}

}  // namespace

FieldMesh mesh_from_density(const Bounds3& box, const DensityBatchFn& density,
                            const ColourBatchFn& colour, const FieldMeshOptions& options,
                            const std::string& source) {
  check_options(options, source);
  const auto start = std::chrono::steady_clock::now();
  if (box.empty() || !(glm::compMax(box.extent()) > 0.0f))
    throw InputError(source, "bounds", "a non-empty box to sample");

  // Grid: `resolution` nodes over the longest side, one extra node outside the box on every side
  // so that a surface touching the box closes there.
  const float h = glm::compMax(box.extent()) / float(options.resolution - 1);
  ScalarGrid grid;
  grid.size = glm::ivec3(glm::ceil(box.extent() / h)) + glm::ivec3(3);
  grid.spacing = vec3(h);
  grid.origin = box.center() - 0.5f * h * vec3(grid.size - glm::ivec3(1));
  grid.values.assign(size_t(grid.size.x) * grid.size.y * grid.size.z, 0.0f);
  {
    std::unique_ptr<ProgressBar> bar;
    if (options.progress)
      bar = std::make_unique<ProgressBar>("density slices", size_t(grid.size.z));
    const size_t slice = size_t(grid.size.x) * grid.size.y;
    const int slab = std::max(1, int(262144 / slice));
    std::vector<vec3> points;
    std::vector<float> values;
    for (int z0 = 0; z0 < grid.size.z; z0 += slab) {
      const int z1 = std::min(grid.size.z, z0 + slab);
      points.clear();
      for (int z = z0; z < z1; ++z)
        for (int y = 0; y < grid.size.y; ++y)
          for (int x = 0; x < grid.size.x; ++x) points.push_back(grid.position(x, y, z));
      values.assign(points.size(), 0.0f);
      density(points, &values);
      std::copy(values.begin(), values.end(), grid.values.begin() + std::ptrdiff_t(z0 * slice));
      if (bar) bar->update(size_t(z1));
    }
    if (bar) bar->finish();
  }
  float max_density = 0.0f;
  size_t inside = 0;
  for (float v : grid.values) {
    if (std::isfinite(v)) max_density = std::max(max_density, v);
    inside += v > options.threshold;
  }
  if (inside == 0)
    throw InputError(source, "threshold",
                     "a surface: the density never exceeds the threshold " +
                         std::to_string(options.threshold) + " in the sampled box (highest " +
                         std::to_string(max_density) + " 1/m); try a lower --threshold");

  FieldMesh out;
  TriangleMesh mesh = marching_cubes(grid, options.threshold);
  grid.values = {};
  out.marched_triangles = mesh.triangle_count();
  remove_small_components(
      &mesh, size_t(std::ceil(double(options.min_component) * double(mesh.triangle_count()))));
  SmoothOptions smooth;
  smooth.iterations = options.smooth_iterations;
  taubin_smooth(&mesh, smooth);
  // Welds nothing new (marching cubes shares vertices) but drops the zero-area triangles whose
  // corners landed on one grid node; simplifies when asked.
  SimplifyOptions simplify;
  simplify.target_triangles = options.target_triangles;
  simplify.keep_boundary = true;
  mesh = simplify_mesh(mesh, simplify);
  if (mesh.triangle_count() == 0)
    throw InputError(source, "threshold", "a surface with area at the threshold");
  compute_vertex_normals(&mesh, false);

  UvAtlasOptions atlas_options;
  atlas_options.cone_degrees = options.chart_cone_degrees;
  atlas_options.atlas_size = options.texture_size;
  atlas_options.padding = std::max(2, options.dilate);
  atlas_options.source = source;
  if (!options.cameras.empty()) {
    VisibilityOptions visibility;
    visibility.depth_tolerance = 3.0f * h;
    atlas_options.seen = seen_triangles(mesh, options.cameras, visibility);
    atlas_options.unseen_scale = options.unseen_texel_scale;
  }
  UvAtlas atlas = build_uv_atlas(mesh, atlas_options);
  out.charts = atlas.chart_count;
  out.atlas_fill = atlas.fill;
  out.mesh = std::move(atlas.mesh);

  // Bake: every texel centre inside a triangle's uv footprint gets the colour seen at its surface
  // point looking along the inward normal.
  const int size = options.texture_size;
  const TexelCoverage cov = rasterize_uvs(out.mesh, size, size);
  std::vector<uint32_t> texels;
  texels.reserve(cov.covered);
  for (size_t i = 0; i < cov.triangle.size(); ++i)
    if (cov.triangle[i] >= 0) texels.push_back(uint32_t(i));
  out.texture = Image(size, size, vec4(0.0f));
  std::vector<uint8_t> filled(size_t(size) * size, 0);
  {
    std::unique_ptr<ProgressBar> bar;
    if (options.progress)
      bar = std::make_unique<ProgressBar>("texels", std::max<size_t>(texels.size(), 1));
    const size_t batch = 65536;
    std::vector<vec3> points, dirs;
    std::vector<vec4> rgba;
    for (size_t first = 0; first < texels.size(); first += batch) {
      const size_t n = std::min(batch, texels.size() - first);
      points.resize(n);
      dirs.resize(n);
      for (size_t i = 0; i < n; ++i) {
        const size_t at = texels[first + i];
        const size_t t = size_t(cov.triangle[at]);
        const vec3 b = cov.barycentric[at];
        vec3 p(0.0f), nrm(0.0f);
        for (int k = 0; k < 3; ++k) {
          const uint32_t v = out.mesh.indices[3 * t + size_t(k)];
          p += b[k] * out.mesh.positions[v];
          nrm += b[k] * out.mesh.normals[v];
        }
        const float len = glm::length(nrm);
        points[i] = p;
        dirs[i] = len > 1e-12f ? -nrm / len : vec3(0.0f, 0.0f, -1.0f);
      }
      rgba.assign(n, vec4(0.0f));
      colour(points, dirs, &rgba);
      for (size_t i = 0; i < n; ++i) {
        const vec3 rgb = glm::clamp(vec3(rgba[i]), vec3(0.0f), vec3(1.0f));
        out.texture.pixels[texels[first + i]] = vec4(rgb, 1.0f);  // opaque: the surface is
        filled[texels[first + i]] = 1;
      }
      if (bar) bar->update(first + n);
    }
    if (bar) bar->finish();
  }
  dilate(&out.texture, &filled, options.dilate);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

namespace {

// Density at world points: the network's, zero outside the box and in empty occupancy cells
// (where the renderer never samples, so the field shows nothing there).
float occupancy_mask(const RadianceField& field, const vec3& unit) {
  if (glm::any(glm::lessThan(unit, vec3(0.0f))) || glm::any(glm::greaterThan(unit, vec3(1.0f))))
    return 0.0f;
  const OccupancyGrid& grid = field.occupancy;
  if (grid.resolution <= 0 || grid.bits.empty()) return 1.0f;
  const glm::ivec3 cell = glm::clamp(glm::ivec3(unit * float(grid.resolution)), glm::ivec3(0),
                                     glm::ivec3(grid.resolution - 1));
  return grid.occupied(grid.cell_index(cell.x, cell.y, cell.z)) ? 1.0f : 0.0f;
}

}  // namespace

FieldMesh mesh_from_field(const RadianceField& field, const FieldMeshOptions& options,
                          const std::string& source) {
  check_options(options, source);
  const FieldNetwork network(field.config);
  const float* params = field.params.data();
  if (field.params.size() != network.n_params())
    throw InputError(source, "params", "as many parameters as the field's network needs");

  // The box: occupied cells plus one cell of margin, inside the field's box.
  Bounds3 box = occupied_bounds(field);
  const vec3 cell =
      (field.config.box_hi - field.config.box_lo) / float(std::max(1, field.occupancy.resolution));
  box.lo = glm::max(box.lo - cell, field.config.box_lo);
  box.hi = glm::min(box.hi + cell, field.config.box_hi);
  const float voxel = glm::compMax(box.extent()) / float(options.resolution - 1);

  const size_t chunk = 4096;
  DensityBatchFn density = [&](const std::vector<vec3>& points, std::vector<float>* out) {
    const size_t chunks = (points.size() + chunk - 1) / chunk;
    parallel_for(chunks, 1, [&](size_t begin, size_t end) {
      FieldBatch batch;
      batch.allocate(network, chunk, false);
      std::vector<size_t> live;
      for (size_t c = begin; c < end; ++c) {
        const size_t first = c * chunk, count = std::min(chunk, points.size() - first);
        live.clear();
        for (size_t i = 0; i < count; ++i) {
          const vec3 unit = field.to_unit(points[first + i]);
          if (occupancy_mask(field, unit) == 0.0f) {
            (*out)[first + i] = 0.0f;
            continue;
          }
          const size_t j = live.size();
          batch.positions.row(0)[j] = unit.x;
          batch.positions.row(1)[j] = unit.y;
          batch.positions.row(2)[j] = unit.z;
          live.push_back(first + i);
        }
        if (live.empty()) continue;
        network.forward_density(params, batch, 0, live.size());
        const float* sigma = batch.sigma.row(0);
        for (size_t j = 0; j < live.size(); ++j) (*out)[live[j]] = sigma[j];
      }
    });
  };

  // Colour: a short ray volume-rendered from 2 voxels outside the surface point to 2 voxels
  // inside, along the inward normal, normalised by its opacity. Why not the colour at the surface
  // point alone: the iso surface sits where the density first reaches the threshold, often in a
  // faint, poorly trained front layer a voxel before the density that the training views saw;
  // rendering the slab gives the colour a camera looking straight at the surface would see, and
  // does not depend on the surface being placed exactly.
  const int M = 8;
  const float slab = 4.0f * voxel;
  ColourBatchFn colour = [&](const std::vector<vec3>& points, const std::vector<vec3>& dirs,
                             std::vector<vec4>* out) {
    const size_t rays_per_chunk = 512;
    const size_t chunks = (points.size() + rays_per_chunk - 1) / rays_per_chunk;
    parallel_for(chunks, 1, [&](size_t begin, size_t end) {
      FieldBatch batch;
      batch.allocate(network, rays_per_chunk * M, false);
      std::vector<float> mask(rays_per_chunk * M);
      for (size_t c = begin; c < end; ++c) {
        const size_t first = c * rays_per_chunk,
                     count = std::min(rays_per_chunk, points.size() - first);
        for (size_t i = 0; i < count; ++i) {
          const vec3 p = points[first + i], d = dirs[first + i];
          for (int s = 0; s < M; ++s) {
            const size_t j = i * M + size_t(s);
            const vec3 q = p + d * ((float(s) + 0.5f) / float(M) - 0.5f) * slab;
            const vec3 unit = field.to_unit(q);
            mask[j] = occupancy_mask(field, unit);
            const vec3 u = glm::clamp(unit, vec3(0.0f), vec3(1.0f));
            batch.positions.row(0)[j] = u.x;
            batch.positions.row(1)[j] = u.y;
            batch.positions.row(2)[j] = u.z;
            batch.directions.row(0)[j] = d.x;
            batch.directions.row(1)[j] = d.y;
            batch.directions.row(2)[j] = d.z;
          }
        }
        const size_t n = count * M;
        network.forward_density(params, batch, 0, n);
        network.forward_color(params, batch, 0, n);
        const float* sigma = batch.sigma.row(0);
        const float *r = batch.rgb.row(0), *g = batch.rgb.row(1), *b = batch.rgb.row(2);
        const float dt = slab / float(M);
        for (size_t i = 0; i < count; ++i) {
          float transmittance = 1.0f;
          vec3 sum(0.0f), best(0.0f);
          float best_sigma = -1.0f;
          for (int s = 0; s < M; ++s) {
            const size_t j = i * M + size_t(s);
            const float density_j = std::max(sigma[j], 0.0f) * mask[j];
            const float a = 1.0f - std::exp(-density_j * dt);
            sum += transmittance * a * vec3(r[j], g[j], b[j]);
            transmittance *= 1.0f - a;
            if (density_j > best_sigma) {
              best_sigma = density_j;
              best = vec3(r[j], g[j], b[j]);
            }
          }
          const float alpha = 1.0f - transmittance;
          (*out)[first + i] = alpha > 0.01f ? vec4(sum / alpha, 1.0f) : vec4(best, 1.0f);
        }
      }
    });
  };
  return mesh_from_density(box, density, colour, options, source);
}

}  // namespace strata
