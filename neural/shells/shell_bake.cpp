#include "neural/shells/shell_bake.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "neural/core/parallel.h"
#include "neural/core/progress.h"
#include "neural/field/field_network.h"

namespace strata {

TexelSurface texel_surface(const TriangleMesh& base, int width, int height) {
  TexelSurface out;
  out.triangle.assign(size_t(width) * height, -1);
  out.barycentric.assign(size_t(width) * height, vec3(0.0f));
  // Serial over triangles so that overlaps resolve the same way every run (first one wins).
  for (size_t f = 0; f < base.triangle_count(); ++f) {
    vec2 t[3];
    for (int i = 0; i < 3; ++i)
      t[i] = base.uvs[base.indices[3 * f + i]] * vec2(float(width), float(height));
    const float area =
        (t[1].x - t[0].x) * (t[2].y - t[0].y) - (t[1].y - t[0].y) * (t[2].x - t[0].x);
    if (area == 0.0f || !std::isfinite(area)) continue;
    const vec2 lo = glm::min(t[0], glm::min(t[1], t[2])), hi = glm::max(t[0], glm::max(t[1], t[2]));
    const int x0 = std::max(0, int(std::floor(lo.x))), x1 = std::min(width - 1, int(hi.x));
    const int y0 = std::max(0, int(std::floor(lo.y))), y1 = std::min(height - 1, int(hi.y));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const size_t at = size_t(y) * width + x;
        if (out.triangle[at] >= 0) continue;
        const vec2 p(x + 0.5f, y + 0.5f);
        const float b0 = ((t[1].x - p.x) * (t[2].y - p.y) - (t[1].y - p.y) * (t[2].x - p.x)) / area;
        const float b1 = ((t[2].x - p.x) * (t[0].y - p.y) - (t[2].y - p.y) * (t[0].x - p.x)) / area;
        const float b2 = 1.0f - b0 - b1;
        if (b0 < 0.0f || b1 < 0.0f || b2 < 0.0f) continue;
        out.triangle[at] = int(f);
        out.barycentric[at] = vec3(b0, b1, b2);
      }
  }
  return out;
}

void dilate_texels(Image& image, std::vector<bool>& covered, int rings) {
  const int w = image.width, h = image.height;
  for (int ring = 0; ring < rings; ++ring) {
    std::vector<std::pair<size_t, vec4>> filled;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        if (covered[size_t(y) * w + x]) continue;
        vec4 sum(0.0f);
        int n = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int u = x + dx, v = y + dy;
            if (u < 0 || v < 0 || u >= w || v >= h || !covered[size_t(v) * w + u]) continue;
            sum += image.at(u, v);
            ++n;
          }
        if (n > 0) filled.emplace_back(size_t(y) * w + x, sum / float(n));
      }
    if (filled.empty()) break;
    for (const auto& [at, c] : filled) {
      image.pixels[at] = c;
      covered[at] = true;
    }
  }
}

void bake_shells_from_field(ShellVolume& shells, const RadianceField& field,
                            const ShellBakeOptions& options) {
  const TriangleMesh& base = shells.base;
  const int width = shells.texture_width(), height = shells.texture_height();
  const TexelSurface surface = texel_surface(base, width, height);
  std::vector<size_t> texels;  // the covered ones
  for (size_t i = 0; i < surface.triangle.size(); ++i)
    if (surface.triangle[i] >= 0) texels.push_back(i);

  // The slab of each shell: from the midpoint to the previous shell to the midpoint to the next
  // (the outer shells mirror their one neighbour's spacing).
  const size_t K = shells.shell_count();
  std::vector<float> slab_lo(K), slab_hi(K);
  const float lone = 0.01f * glm::length(base.bounds().extent());
  for (size_t k = 0; k < K; ++k) {
    const float before = k > 0 ? shells.offsets[k] - shells.offsets[k - 1]
                               : (K > 1 ? shells.offsets[1] - shells.offsets[0] : 2.0f * lone);
    const float after = k + 1 < K ? shells.offsets[k + 1] - shells.offsets[k] : before;
    slab_lo[k] = shells.offsets[k] - 0.5f * before;
    slab_hi[k] = shells.offsets[k] + 0.5f * after;
  }

  const FieldNetwork network(field.config);
  const int M = std::max(1, options.samples_per_slab);
  const size_t chunk = 256;
  const size_t chunks = (texels.size() + chunk - 1) / chunk;
  std::unique_ptr<ProgressBar> bar;
  if (options.progress)
    bar = std::make_unique<ProgressBar>("shell texels", std::max<size_t>(K * chunks, 1));
  std::mutex bar_mutex;
  size_t done = 0;
  std::vector<std::vector<bool>> covered(K, std::vector<bool>(size_t(width) * height, false));
  for (size_t k = 0; k < K; ++k) {
    Image& texture = shells.textures[k];
    std::fill(texture.pixels.begin(), texture.pixels.end(), vec4(0.0f));
    parallel_for(chunks, 1, [&](size_t begin, size_t end) {
      FieldBatch batch;
      batch.allocate(network, chunk * size_t(M) + 16, false);
      std::vector<vec3> points(chunk * M);
      for (size_t c = begin; c < end; ++c) {
        const size_t first = c * chunk, count = std::min(chunk, texels.size() - first);
        const size_t n = count * size_t(M);
        float *px = batch.positions.row(0), *py = batch.positions.row(1),
              *pz = batch.positions.row(2);
        float *dx = batch.directions.row(0), *dy = batch.directions.row(1),
              *dz = batch.directions.row(2);
        std::vector<float> seg(count);
        for (size_t i = 0; i < count; ++i) {
          const size_t at = texels[first + i];
          const size_t f = size_t(surface.triangle[at]);
          const vec3 b = surface.barycentric[at];
          vec3 p(0.0f), nrm(0.0f);
          for (int j = 0; j < 3; ++j) {
            const uint32_t v = base.indices[3 * f + j];
            p += b[j] * base.positions[v];
            nrm += b[j] * base.normals[v];  // unnormalised, as the renderer interpolates shells
          }
          const float length = glm::length(nrm);
          const vec3 dir = length > 1e-8f ? -nrm / length : vec3(0, 0, -1);
          seg[i] = (slab_hi[k] - slab_lo[k]) / float(M) * length;
          for (int s = 0; s < M; ++s) {
            // Outermost sample first: the ray looks into the surface along -n.
            const float o = slab_hi[k] - (float(s) + 0.5f) / float(M) * (slab_hi[k] - slab_lo[k]);
            const vec3 q = p + o * nrm;
            points[i * M + s] = q;
            const vec3 unit = glm::clamp(field.to_unit(q), vec3(0.0f), vec3(1.0f));
            px[i * M + s] = unit.x, py[i * M + s] = unit.y, pz[i * M + s] = unit.z;
            dx[i * M + s] = dir.x, dy[i * M + s] = dir.y, dz[i * M + s] = dir.z;
          }
        }
        network.forward_density(field.params.data(), batch, 0, n);
        network.forward_color(field.params.data(), batch, 0, n);
        const float* sigma = batch.sigma.row(0);
        const float *cr = batch.rgb.row(0), *cg = batch.rgb.row(1), *cb = batch.rgb.row(2);
        const OccupancyGrid& grid = field.occupancy;
        for (size_t i = 0; i < count; ++i) {
          float transmittance = 1.0f;
          vec3 color(0.0f), middle(0.0f);
          for (int s = 0; s < M; ++s) {
            const size_t j = i * M + s;
            const vec3 unit = field.to_unit(points[j]);
            float density = sigma[j];
            if (glm::any(glm::lessThan(unit, vec3(0.0f))) ||
                glm::any(glm::greaterThan(unit, vec3(1.0f)))) {
              density = 0.0f;
            } else if (grid.resolution > 0 && !grid.bits.empty()) {
              const glm::ivec3 cell = glm::clamp(glm::ivec3(unit * float(grid.resolution)),
                                                 glm::ivec3(0), glm::ivec3(grid.resolution - 1));
              if (!grid.occupied(grid.cell_index(cell.x, cell.y, cell.z))) density = 0.0f;
            }
            const float a = 1.0f - std::exp(-std::max(density, 0.0f) * seg[i]);
            const vec3 rgb(cr[j], cg[j], cb[j]);
            color += transmittance * a * rgb;
            transmittance *= 1.0f - a;
            if (s == M / 2) middle = rgb;
          }
          const float alpha = 1.0f - transmittance;
          // Premultiplied: the slab's colour is its volume-rendered colour; a nearly empty slab
          // keeps the field's colour at its middle (useful once a fit makes it visible).
          const vec4 texel = alpha > 1e-6f ? vec4(color, alpha) : vec4(middle * alpha, alpha);
          const size_t at = texels[first + i];
          texture.pixels[at] = texel;
          covered[k][at] = true;
        }
        if (bar) {
          const std::lock_guard<std::mutex> lock(bar_mutex);
          bar->update(++done);
        }
      }
    });
  }
  if (bar) bar->finish();
  for (size_t k = 0; k < K; ++k) dilate_texels(shells.textures[k], covered[k], options.dilate);
}

}  // namespace strata
