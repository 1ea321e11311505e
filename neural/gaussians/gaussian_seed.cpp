// Closed-form starts for a Gaussian fit (see gaussian_seed.h).
#include "neural/gaussians/gaussian_seed.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/field/field_render.h"
#include "neural/scene/scene_render.h"

namespace strata {

namespace {

// Integer cell of p in a grid of cell size h.
glm::ivec3 cell_of(const vec3& p, const vec3& origin, float h) {
  return glm::ivec3(glm::floor((p - origin) / h));
}

uint64_t cell_key(const glm::ivec3& c) {
  // 21 bits per axis (cells are offsets from the box corner, so non-negative).
  return (uint64_t(uint32_t(c.x) & 0x1FFFFF) << 42) | (uint64_t(uint32_t(c.y) & 0x1FFFFF) << 21) |
         uint64_t(uint32_t(c.z) & 0x1FFFFF);
}

// A point with a straight colour, before it becomes a Gaussian.
struct ColoredPoint {
  vec3 position;  // world, metres
  vec3 color;     // straight rgb
};

GaussianCloud cloud_from_points(const std::vector<ColoredPoint>& points, float opacity,
                                float scale_factor) {
  GaussianCloud cloud;
  cloud.resize(points.size());
  const float logit = logit_from_opacity(std::clamp(opacity, 1e-4f, 0.9999f));
  for (size_t i = 0; i < points.size(); ++i) {
    cloud.positions[i] = points[i].position;
    cloud.opacity_logits[i] = logit;
    cloud.sh[i] = (points[i].color - vec3(0.5f)) / float(kShC0);
  }
  set_scales_from_neighbours(&cloud, scale_factor);
  return cloud;
}

}  // namespace

void set_scales_from_neighbours(GaussianCloud* cloud, float scale_factor) {
  const size_t n = cloud->size();
  if (n == 0) return;
  const Bounds3 box = cloud->bounds();
  const float diagonal = glm::length(box.extent());
  if (n == 1 || !(diagonal > 0.0f)) {
    const float s = diagonal > 0.0f ? diagonal : 0.01f;
    for (vec3& l : cloud->log_scales) l = vec3(std::log(s * scale_factor));
    return;
  }
  // Cells of about the spacing of points on a surface through the box (points of a seed lie on
  // surfaces), at least a few points a cell.
  const float h = std::max(diagonal / std::sqrt(float(n)) * 2.0f, diagonal * 1e-5f);
  const vec3 origin = box.lo;
  std::unordered_map<uint64_t, std::vector<uint32_t>> grid;
  grid.reserve(n);
  for (size_t i = 0; i < n; ++i)
    grid[cell_key(cell_of(cloud->positions[i], origin, h))].push_back(uint32_t(i));
  const glm::ivec3 max_cell = cell_of(box.hi, origin, h);
  const int max_ring = std::max(max_cell.x, std::max(max_cell.y, max_cell.z)) + 1;
  parallel_for(n, 1024, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const vec3 p = cloud->positions[i];
      const glm::ivec3 c = cell_of(p, origin, h);
      float best[3] = {1e30f, 1e30f, 1e30f};  // squared distances, ascending
      // Rings of cells until 3 neighbours are found and no nearer one can lie further out.
      for (int ring = 0; ring <= max_ring; ++ring) {
        for (int dz = -ring; dz <= ring; ++dz)
          for (int dy = -ring; dy <= ring; ++dy)
            for (int dx = -ring; dx <= ring; ++dx) {
              if (std::max(std::abs(dx), std::max(std::abs(dy), std::abs(dz))) != ring) continue;
              const glm::ivec3 q = c + glm::ivec3(dx, dy, dz);
              if (glm::any(glm::lessThan(q, glm::ivec3(0))) ||
                  glm::any(glm::greaterThan(q, max_cell)))
                continue;
              const auto it = grid.find(cell_key(q));
              if (it == grid.end()) continue;
              for (uint32_t j : it->second) {
                if (j == i) continue;
                const vec3 d = cloud->positions[j] - p;
                float d2 = glm::dot(d, d);
                if (d2 >= best[2]) continue;
                best[2] = d2;
                if (best[2] < best[1]) std::swap(best[2], best[1]);
                if (best[1] < best[0]) std::swap(best[1], best[0]);
              }
            }
        // Every point within ring * h of p has been seen.
        if (best[2] <= (float(ring) * h) * (float(ring) * h)) break;
      }
      float sum = 0.0f;
      int found = 0;
      for (float b : best)
        if (b < 1e29f) sum += b, ++found;
      // 3DGS: sqrt of the mean squared distance to the 3 nearest neighbours, at least 1e-7.
      const float mean_d2 = found > 0 ? sum / float(found) : h * h;
      const float s = std::max(std::sqrt(std::max(mean_d2, 1e-14f)), 1e-7f) * scale_factor;
      cloud->log_scales[i] = vec3(std::log(s));
    }
  });
}

GaussianCloud seed_from_depth_views(const std::vector<Camera>& cameras,
                                    const std::vector<Image>& images,
                                    const std::vector<ScalarImage>& depths,
                                    const GaussianSeedOptions& options) {
  if (images.size() != cameras.size() || depths.size() != cameras.size())
    throw std::invalid_argument("seed_from_depth_views: one image and depth per camera");
  const int stride = std::max(1, options.stride);
  std::vector<ColoredPoint> points;
  std::vector<float> footprints;  // pixel footprint of each point, metres
  for (size_t v = 0; v < cameras.size(); ++v) {
    const Camera& cam = cameras[v];
    const Image& image = images[v];
    const ScalarImage& depth = depths[v];
    if (image.width != cam.width || image.height != cam.height || depth.width != cam.width ||
        depth.height != cam.height)
      throw std::invalid_argument("seed_from_depth_views: image or depth size != camera size");
    for (int y = stride / 2; y < cam.height; y += stride)
      for (int x = stride / 2; x < cam.width; x += stride) {
        const vec4 c = image.at(x, y);
        const float d = depth.at(x, y);
        if (!(c.a >= options.min_alpha) || !(d > 0.0f) || !std::isfinite(d)) continue;
        const vec2 pixel(float(x) + 0.5f, float(y) + 0.5f);
        const vec3 dir_cam = cam.direction_in_camera(pixel);
        // Invert Camera::depth_of_hit: z-depth (pinhole) or distance (equirect) -> distance t.
        const float t =
            cam.projection == Projection::kPinhole ? d / std::max(-dir_cam.z, 1e-6f) : d;
        const Ray ray = cam.ray(pixel);
        const vec3 straight = glm::clamp(vec3(c) / c.a, vec3(0.0f), vec3(1.0f));
        points.push_back({ray.origin + t * ray.direction, straight});
        const float angle = cam.projection == Projection::kPinhole
                                ? 1.0f / cam.fx
                                : 2.0f * 3.14159265f / float(cam.width);
        footprints.push_back(t * angle * float(stride));
      }
  }
  if (points.empty()) return GaussianCloud{};
  // Merge points of one voxel (several views see the same surface): mean position and colour.
  float voxel = options.voxel;
  if (!(voxel > 0.0f)) {
    std::vector<float> sorted = footprints;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    voxel = sorted[sorted.size() / 2];
  }
  if (cameras.size() > 1 || options.voxel > 0.0f) {
    Bounds3 box;
    for (const ColoredPoint& p : points) box.add(p.position);
    struct Sum {
      vec3 position{0.0f}, color{0.0f};
      uint32_t count = 0;
      uint32_t first = 0;  // first point (keeps the output in input order: deterministic)
    };
    std::unordered_map<uint64_t, Sum> voxels;
    voxels.reserve(points.size());
    const float h = std::max(voxel, glm::length(box.extent()) / float(1 << 20));
    for (size_t i = 0; i < points.size(); ++i) {
      auto [it, inserted] = voxels.try_emplace(cell_key(cell_of(points[i].position, box.lo, h)));
      if (inserted) it->second.first = uint32_t(i);
      it->second.position += points[i].position;
      it->second.color += points[i].color;
      it->second.count += 1;
    }
    std::vector<const Sum*> order;
    order.reserve(voxels.size());
    for (const auto& [key, sum] : voxels) order.push_back(&sum);
    std::sort(order.begin(), order.end(),
              [](const Sum* a, const Sum* b) { return a->first < b->first; });
    std::vector<ColoredPoint> merged;
    merged.reserve(order.size());
    for (const Sum* s : order)
      merged.push_back({s->position / float(s->count), s->color / float(s->count)});
    points = std::move(merged);
  }
  if (options.max_points > 0 && points.size() > options.max_points) {
    std::mt19937_64 rng(options.seed);
    std::shuffle(points.begin(), points.end(), rng);
    points.resize(options.max_points);
  }
  return cloud_from_points(points, options.opacity, options.scale_factor);
}

GaussianCloud seed_from_depth(const Camera& camera, const Image& image, const ScalarImage& depth,
                              const GaussianSeedOptions& options) {
  return seed_from_depth_views({camera}, {image}, {depth}, options);
}

namespace {

std::vector<Camera> resized_cameras(const std::vector<Camera>& cameras,
                                    const GaussianSeedOptions& options) {
  std::vector<Camera> out = cameras;
  if (options.render_width > 0 && options.render_height > 0)
    for (Camera& c : out) c = c.resized(options.render_width, options.render_height);
  return out;
}

}  // namespace

GaussianCloud seed_from_field(const RadianceField& field, const std::vector<Camera>& cameras,
                              const GaussianSeedOptions& options) {
  const std::vector<Camera> views = resized_cameras(cameras, options);
  std::vector<Image> images;
  std::vector<ScalarImage> depths;
  for (const Camera& camera : views) {
    RenderOutput out = render_field(field, camera);  // no background: alpha = 1 - T
    images.push_back(std::move(out.color));
    depths.push_back(std::move(out.depth));
  }
  return seed_from_depth_views(views, images, depths, options);
}

GaussianCloud seed_from_scene(const Scene& teacher, const std::vector<Camera>& cameras,
                              const GaussianSeedOptions& options) {
  const std::vector<Camera> views = resized_cameras(cameras, options);
  const PreparedScene prepared = prepare_scene(teacher);
  std::vector<Image> images;
  std::vector<ScalarImage> depths;
  for (const Camera& camera : views) {
    RenderOutput out = render_scene(prepared, camera);
    images.push_back(std::move(out.color));
    depths.push_back(std::move(out.depth));
  }
  return seed_from_depth_views(views, images, depths, options);
}

GaussianCloud seed_random(const Bounds3& box, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<ColoredPoint> points(count);
  for (ColoredPoint& p : points) {
    p.position = box.lo + vec3(unit(rng), unit(rng), unit(rng)) * box.extent();
    p.color = vec3(0.5f) + float(kShC0) * vec3(unit(rng), unit(rng), unit(rng)) / 255.0f;
  }
  GaussianCloud cloud = cloud_from_points(points, 0.1f, 1.0f);
  return cloud;
}

void check_cameras_see(const std::vector<Camera>& cameras, const Bounds3& box,
                       const std::string& where) {
  if (box.empty()) throw InputError(where, "bounds", "the scene to fit is empty");
  constexpr int kSamples = 9;  // points per axis of the box tested
  for (const Camera& camera : cameras)
    for (int k = 0; k < kSamples; ++k)
      for (int j = 0; j < kSamples; ++j)
        for (int i = 0; i < kSamples; ++i) {
          const vec3 f = vec3(float(i), float(j), float(k)) / float(kSamples - 1);
          const vec3 p = box.lo + f * box.extent();
          vec2 pixel;
          float depth = 0.0f;
          if (camera.project(p, &pixel, &depth) && depth > 0.0f && pixel.x >= 0.0f &&
              pixel.y >= 0.0f && pixel.x <= float(camera.width) && pixel.y <= float(camera.height))
            return;
        }
  char box_text[160];
  std::snprintf(box_text, sizeof(box_text), "[%.3g, %.3g, %.3g] .. [%.3g, %.3g, %.3g]", box.lo.x,
                box.lo.y, box.lo.z, box.hi.x, box.hi.y, box.hi.z);
  throw InputError(where, "frames",
                   std::string("none of the ") + std::to_string(cameras.size()) +
                       " cameras sees the scene's bounds " + box_text +
                       "; expected cameras looking at the scene (check transform_matrix)");
}

}  // namespace strata
