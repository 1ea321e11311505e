#include "neural/shells/shell_render.h"

#include <algorithm>
#include <cmath>

#include "neural/core/error.h"
#include "neural/core/parallel.h"

namespace strata {

namespace {

constexpr int kTile = 16;

// A vertex after projection: pixel position and the attributes that interpolate linearly in
// screen space (1/w and uv/w: perspective-correct interpolation).
struct ScreenVertex {
  vec2 pixel;      // x right, y down, pixels
  float inv_w;     // 1 / z-depth
  vec2 uv_over_w;  // uv / z-depth
};

ScreenVertex project(const Camera& camera, vec3 q, vec2 uv) {
  const float w = -q.z;
  return ScreenVertex{vec2(camera.cx + camera.fx * q.x / w, camera.cy - camera.fy * q.y / w),
                      1.0f / w, uv / w};
}

// The triangle (camera space positions, uvs) clipped at z = -near and projected: 0, 3 or 4
// vertices (a convex polygon, fan-triangulated by the caller).
int clip_and_project(const Camera& camera, const vec3 q[3], const vec2 uv[3], ScreenVertex out[4]) {
  const float near = kShellNearDepth;
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    const int j = (i + 1) % 3;
    const float di = -q[i].z - near, dj = -q[j].z - near;  // >= 0: in front
    if (di >= 0.0f) out[n++] = project(camera, q[i], uv[i]);
    if ((di >= 0.0f) != (dj >= 0.0f)) {
      const float s = di / (di - dj);
      out[n++] = project(camera, glm::mix(q[i], q[j], s), glm::mix(uv[i], uv[j], s));
    }
  }
  return n;
}

// 2D edge function of the edge a->b at p, computed from the endpoints in a canonical order so
// that the same edge seen from its two triangles gives exactly opposite values (watertight).
inline float edge_function(vec2 a, vec2 b, vec2 p, bool* top_left) {
  const bool swap = (a.x > b.x) || (a.x == b.x && a.y > b.y);
  const vec2 e0 = swap ? b : a, e1 = swap ? a : b;
  const float value = (e1.x - e0.x) * (p.y - e0.y) - (e1.y - e0.y) * (p.x - e0.x);
  const vec2 d = b - a;
  // Antisymmetric tie rule: of the two directions of an edge exactly one owns its pixels.
  *top_left = d.y < 0.0f || (d.y == 0.0f && d.x > 0.0f);
  return swap ? -value : value;
}

struct TileFragment {
  uint32_t pixel;  // index inside the tile
  float depth;
  uint32_t order;  // shell * triangles + triangle: the tie-break, for determinism
  float u, v;
};

// Rasterises one projected triangle into the tile [x0,x1)x[y0,y1).
void raster_triangle(const ScreenVertex& a, ScreenVertex b, ScreenVertex c, int x0, int y0, int x1,
                     int y1, uint32_t order, std::vector<TileFragment>& out) {
  // Most triangles of a fine mesh cover no pixel centre of the tile: leave before the set-up.
  const vec2 lo = glm::min(a.pixel, glm::min(b.pixel, c.pixel));
  const vec2 hi = glm::max(a.pixel, glm::max(b.pixel, c.pixel));
  if (!(lo.x <= hi.x && lo.y <= hi.y)) return;  // not finite
  const int px0 = std::max(x0, int(std::ceil(std::max(lo.x - 0.5f, -1.0f))));
  const int py0 = std::max(y0, int(std::ceil(std::max(lo.y - 0.5f, -1.0f))));
  const int px1 = std::min(x1 - 1, int(std::floor(std::min(hi.x - 0.5f, 1e8f))));
  const int py1 = std::min(y1 - 1, int(std::floor(std::min(hi.y - 0.5f, 1e8f))));
  if (px0 > px1 || py0 > py1) return;
  bool unused;
  float area = edge_function(a.pixel, b.pixel, c.pixel, &unused);
  if (area == 0.0f || !std::isfinite(area)) return;
  if (area < 0.0f) {
    std::swap(b, c);
    area = -area;
  }
  const float inv_area = 1.0f / area;
  for (int y = py0; y <= py1; ++y)
    for (int x = px0; x <= px1; ++x) {
      const vec2 p(x + 0.5f, y + 0.5f);
      bool tl0, tl1, tl2;
      // Sub-areas opposite each vertex: e_bc for a, e_ca for b, e_ab for c.
      const float ea = edge_function(b.pixel, c.pixel, p, &tl0);
      const float eb = edge_function(c.pixel, a.pixel, p, &tl1);
      const float ec = edge_function(a.pixel, b.pixel, p, &tl2);
      if (ea < 0.0f || eb < 0.0f || ec < 0.0f) continue;
      if ((ea == 0.0f && !tl0) || (eb == 0.0f && !tl1) || (ec == 0.0f && !tl2)) continue;
      const float la = ea * inv_area, lb = eb * inv_area, lc = ec * inv_area;
      const float inv_w = la * a.inv_w + lb * b.inv_w + lc * c.inv_w;
      if (!(inv_w > 0.0f)) continue;
      const vec2 uv = (la * a.uv_over_w + lb * b.uv_over_w + lc * c.uv_over_w) / inv_w;
      out.push_back(
          TileFragment{uint32_t((y - y0) * kTile + (x - x0)), 1.0f / inv_w, order, uv.x, uv.y});
    }
}

}  // namespace

void bilinear_taps(int width, int height, float s, float t, int index[4], float weight[4]) {
  const float x = s * float(width) - 0.5f;
  const float y = t * float(height) - 0.5f;
  const float fx = std::floor(x), fy = std::floor(y);
  const float ax = x - fx, ay = y - fy;
  const int x0 = std::clamp(int(fx), 0, width - 1), x1 = std::clamp(int(fx) + 1, 0, width - 1);
  const int y0 = std::clamp(int(fy), 0, height - 1), y1 = std::clamp(int(fy) + 1, 0, height - 1);
  index[0] = y0 * width + x0;
  index[1] = y0 * width + x1;
  index[2] = y1 * width + x0;
  index[3] = y1 * width + x1;
  weight[0] = (1.0f - ax) * (1.0f - ay);
  weight[1] = ax * (1.0f - ay);
  weight[2] = (1.0f - ax) * ay;
  weight[3] = ax * ay;
}

RenderOutput render_shells(const ShellVolume& shells, const Camera& camera, ShellRenderTrace* trace,
                           bool want_layers) {
  if (camera.projection != Projection::kPinhole)
    throw InputError("", "camera", "shells render with pinhole cameras only");
  const int width = camera.width, height = camera.height;
  RenderOutput out{Image(width, height), ScalarImage(width, height)};
  if (want_layers) out.layer.assign(size_t(width) * height, -1);
  const TriangleMesh& base = shells.base;
  const size_t vertices = base.vertex_count(), faces = base.triangle_count();
  const size_t shell_count = shells.shell_count();
  const mat4 world_to_camera = glm::inverse(camera.camera_to_world);

  // Camera-space positions of every shell's vertices, and their projections when in front of the
  // near plane (a triangle with its three corners there needs no clipping: the common case).
  std::vector<vec3> q(vertices * shell_count);
  std::vector<ScreenVertex> projected(q.size());
  parallel_for(q.size(), 4096, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      q[i] = vec3(world_to_camera * vec4(shells.shell_vertex(i / vertices, i % vertices), 1.0f));
      // inv_w = 0 marks a vertex behind the near plane (in front, 1/w > 0).
      projected[i] = -q[i].z - kShellNearDepth >= 0.0f
                         ? project(camera, q[i], base.uvs[i % vertices])
                         : ScreenVertex{vec2(0.0f), 0.0f, vec2(0.0f)};
    }
  });
  // The triangle's screen polygon (0, 3 or 4 vertices), as clip_and_project gives it.
  auto screen_polygon = [&](size_t k, size_t f, ScreenVertex s[4]) {
    const uint32_t* corner = &base.indices[3 * f];
    const size_t first = k * vertices;
    for (int j = 0; j < 3; ++j) s[j] = projected[first + corner[j]];
    if (s[0].inv_w > 0.0f && s[1].inv_w > 0.0f && s[2].inv_w > 0.0f) return 3;
    vec3 v[3];
    vec2 uv[3];
    for (int j = 0; j < 3; ++j) {
      v[j] = q[first + corner[j]];
      uv[j] = base.uvs[corner[j]];
    }
    return clip_and_project(camera, v, uv, s);
  };

  // Tile rectangle of every triangle (empty when culled), then tile lists in triangle order.
  const int tiles_x = (width + kTile - 1) / kTile, tiles_y = (height + kTile - 1) / kTile;
  const size_t triangles = faces * shell_count;
  std::vector<glm::i16vec4> rects(triangles);
  parallel_for(triangles, 2048, [&](size_t begin, size_t end) {
    for (size_t tri = begin; tri < end; ++tri) {
      rects[tri] = glm::i16vec4(0, 0, -1, -1);
      ScreenVertex s[4];
      const int n = screen_polygon(tri / faces, tri % faces, s);
      if (n < 3) continue;
      vec2 lo(1e30f), hi(-1e30f);
      for (int i = 0; i < n; ++i) {
        lo = glm::min(lo, s[i].pixel);
        hi = glm::max(hi, s[i].pixel);
      }
      if (!(hi.x >= 0.0f && hi.y >= 0.0f && lo.x <= float(width) && lo.y <= float(height)))
        continue;
      lo = glm::clamp(lo, vec2(0.0f), vec2(float(width - 1), float(height - 1)));
      hi = glm::clamp(hi, vec2(0.0f), vec2(float(width - 1), float(height - 1)));
      rects[tri] =
          glm::i16vec4(int(lo.x) / kTile, int(lo.y) / kTile, int(hi.x) / kTile, int(hi.y) / kTile);
    }
  });
  std::vector<uint32_t> tile_begin(size_t(tiles_x) * tiles_y + 1, 0);
  for (const auto& r : rects)
    for (int ty = r.y; ty <= r.w; ++ty)
      for (int tx = r.x; tx <= r.z; ++tx) ++tile_begin[size_t(ty) * tiles_x + tx + 1];
  for (size_t i = 1; i < tile_begin.size(); ++i) tile_begin[i] += tile_begin[i - 1];
  std::vector<uint32_t> tile_list(tile_begin.back());
  {
    std::vector<uint32_t> cursor(tile_begin.begin(), tile_begin.end() - 1);
    for (size_t tri = 0; tri < triangles; ++tri) {
      const auto& r = rects[tri];
      for (int ty = r.y; ty <= r.w; ++ty)
        for (int tx = r.x; tx <= r.z; ++tx)
          tile_list[cursor[size_t(ty) * tiles_x + tx]++] = uint32_t(tri);
    }
  }

  // Per tile: rasterise, sort each pixel's fragments, composite. Composited fragments are kept
  // per tile for the trace.
  const size_t tile_count = size_t(tiles_x) * tiles_y;
  std::vector<std::vector<ShellFragment>> kept(trace ? tile_count : 0);
  std::vector<uint32_t> pixel_count(trace ? size_t(width) * height : 0);
  parallel_for(tile_count, 1, [&](size_t begin, size_t end) {
    std::vector<TileFragment> fragments, sorted;
    std::vector<uint32_t> pixel_start(kTile * kTile + 1), pixel_cursor(kTile * kTile);
    // Per shell, the summed weight T*a at the current pixel (a closed shell is met twice).
    std::vector<float> shell_weight(want_layers ? shell_count : 0);
    for (size_t tile = begin; tile < end; ++tile) {
      const int x0 = int(tile % tiles_x) * kTile, y0 = int(tile / tiles_x) * kTile;
      const int x1 = std::min(x0 + kTile, width), y1 = std::min(y0 + kTile, height);
      fragments.clear();
      for (uint32_t i = tile_begin[tile]; i < tile_begin[tile + 1]; ++i) {
        const uint32_t tri = tile_list[i];
        ScreenVertex s[4];
        const int n = screen_polygon(tri / faces, tri % faces, s);
        for (int j = 1; j + 1 < n; ++j)
          raster_triangle(s[0], s[j], s[j + 1], x0, y0, x1, y1, tri, fragments);
      }
      // Bucket by pixel (counting sort, stable), then sort each pixel's few fragments by depth:
      // the order of one sort by (pixel, depth, order), at a fraction of its cost.
      std::fill(pixel_start.begin(), pixel_start.end(), 0u);
      for (const TileFragment& f : fragments) ++pixel_start[f.pixel + 1];
      for (size_t p = 1; p < pixel_start.size(); ++p) pixel_start[p] += pixel_start[p - 1];
      sorted.resize(fragments.size());
      std::copy(pixel_start.begin(), pixel_start.end() - 1, pixel_cursor.begin());
      for (const TileFragment& f : fragments) sorted[pixel_cursor[f.pixel]++] = f;
      for (size_t p = 0; p + 1 < pixel_start.size(); ++p)
        std::sort(sorted.begin() + pixel_start[p], sorted.begin() + pixel_start[p + 1],
                  [](const TileFragment& a, const TileFragment& b) {
                    if (a.depth != b.depth) return a.depth < b.depth;
                    return a.order < b.order;
                  });
      fragments.swap(sorted);
      size_t i = 0;
      while (i < fragments.size()) {
        const uint32_t pixel = fragments[i].pixel;
        const int x = x0 + int(pixel % kTile), y = y0 + int(pixel / kTile);
        vec4 color(0.0f);
        float transmittance = 1.0f, depth_sum = 0.0f, weight_sum = 0.0f;
        uint32_t composited = 0;
        std::fill(shell_weight.begin(), shell_weight.end(), 0.0f);
        for (; i < fragments.size() && fragments[i].pixel == pixel; ++i) {
          if (transmittance < 1e-4f) continue;
          const TileFragment& f = fragments[i];
          const uint32_t k = f.order / uint32_t(faces);
          const vec4 c = shells.textures[k].sample_bilinear(f.u, f.v);
          const float w = transmittance * c.a;
          color += transmittance * c;
          depth_sum += w * f.depth;
          weight_sum += w;
          if (want_layers) shell_weight[k] += w;
          transmittance *= 1.0f - c.a;
          if (trace) kept[tile].push_back(ShellFragment{f.depth, f.u, f.v, k});
          ++composited;
        }
        out.color.at(x, y) = color;
        out.depth.at(x, y) = weight_sum > 0.0f ? depth_sum / weight_sum : 0.0f;
        if (trace) pixel_count[size_t(y) * width + x] = composited;
        if (want_layers) {
          float best = 0.0f;
          for (size_t k = 0; k < shell_count; ++k)
            if (shell_weight[k] > best)
              best = shell_weight[k], out.layer[size_t(y) * width + x] = int32_t(k);
        }
      }
    }
  });

  if (trace) {
    trace->width = width;
    trace->height = height;
    trace->pixel_begin.assign(size_t(width) * height + 1, 0);
    for (size_t p = 0; p < pixel_count.size(); ++p)
      trace->pixel_begin[p + 1] = trace->pixel_begin[p] + pixel_count[p];
    trace->fragments.resize(trace->pixel_begin.back());
    // Tiles hold their pixels in row-major order inside the tile: copy each run into place.
    parallel_for(tile_count, 1, [&](size_t begin, size_t end) {
      for (size_t tile = begin; tile < end; ++tile) {
        const int x0 = int(tile % tiles_x) * kTile, y0 = int(tile / tiles_x) * kTile;
        const int x1 = std::min(x0 + kTile, width), y1 = std::min(y0 + kTile, height);
        size_t from = 0;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            const size_t p = size_t(y) * width + x;
            for (uint32_t j = 0; j < pixel_count[p]; ++j)
              trace->fragments[trace->pixel_begin[p] + j] = kept[tile][from++];
          }
      }
    });
  }
  return out;
}

}  // namespace strata
