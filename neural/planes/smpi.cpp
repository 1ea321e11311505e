#include "neural/planes/smpi.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "neural/core/error.h"
#include "neural/planes/mpi_fit.h"

namespace strata {

namespace {

using glm::dvec3;

// Least-squares plane through points[indices]: the centroid and the normal of the smallest
// spread (the axis whose 2x2 minor of the covariance has the largest determinant).
bool fit_plane(const std::vector<vec3>& points, const std::vector<size_t>& indices,
               DetectedPlane* plane) {
  if (indices.size() < 3) return false;
  dvec3 centroid(0.0);
  for (size_t i : indices) centroid += dvec3(points[i]);
  centroid /= double(indices.size());
  double xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
  for (size_t i : indices) {
    const dvec3 d = dvec3(points[i]) - centroid;
    xx += d.x * d.x;
    xy += d.x * d.y;
    xz += d.x * d.z;
    yy += d.y * d.y;
    yz += d.y * d.z;
    zz += d.z * d.z;
  }
  const double det_x = yy * zz - yz * yz, det_y = xx * zz - xz * xz, det_z = xx * yy - xy * xy;
  const double best = std::max({det_x, det_y, det_z});
  if (!(best > 0.0)) return false;
  dvec3 n;
  if (best == det_x)
    n = dvec3(det_x, xz * yz - xy * zz, xy * yz - xz * yy);
  else if (best == det_y)
    n = dvec3(xz * yz - xy * zz, det_y, xy * xz - yz * xx);
  else
    n = dvec3(xy * yz - xz * yy, xy * xz - yz * xx, det_z);
  n = glm::normalize(n);
  plane->normal = vec3(n);
  plane->offset = float(glm::dot(n, centroid));
  return true;
}

// Points close to a plane (and, with normals, facing its way).
struct InlierTest {
  const std::vector<vec3>& points;
  const std::vector<vec3>* normals;  // optional
  float threshold;                   // distance, metres
  float cos_normal;                  // |cos| of the largest normal deviation
  bool operator()(size_t i, vec3 normal, float offset) const {
    if (!(std::abs(glm::dot(normal, points[i]) - offset) < threshold)) return false;
    return !normals || std::abs(glm::dot((*normals)[i], normal)) >= cos_normal;
  }
};

std::vector<size_t> inliers_of(const InlierTest& test, const std::vector<size_t>& pool, vec3 normal,
                               float offset) {
  std::vector<size_t> out;
  for (size_t i : pool)
    if (test(i, normal, offset)) out.push_back(i);
  return out;
}

float percentile(std::vector<float> v, float q) {
  const size_t k = std::min(v.size() - 1, size_t(q * float(v.size() - 1) + 0.5f));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

// Marks the texels within `radius` texels of each point's position in the plane.
void splat_alpha(Plane& plane, const std::vector<vec3>& points, const std::vector<size_t>& which,
                 float alpha, int radius) {
  const vec3 n = glm::cross(plane.u_axis, plane.v_axis);
  const vec3 u_dual =
      glm::cross(plane.v_axis, n) / glm::dot(plane.u_axis, glm::cross(plane.v_axis, n));
  const vec3 v_dual =
      glm::cross(n, plane.u_axis) / glm::dot(plane.v_axis, glm::cross(n, plane.u_axis));
  Image& tex = plane.texture;
  for (size_t i : which) {
    const vec3 d = points[i] - plane.origin;
    const int x = int(std::floor(glm::dot(d, u_dual) * float(tex.width)));
    const int y = int(std::floor(glm::dot(d, v_dual) * float(tex.height)));
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx) {
        const int xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= tex.width || yy >= tex.height) continue;
        tex.at(xx, yy) = vec4(alpha * vec3(0.5f), alpha);
      }
  }
}

}  // namespace

std::vector<DetectedPlane> ransac_planes(const std::vector<vec3>& points, const RansacOptions& o,
                                         const std::vector<vec3>* normals) {
  std::vector<DetectedPlane> found;
  const InlierTest test{points, normals, o.threshold, std::cos(glm::radians(o.normal_degrees))};
  std::vector<size_t> remaining;
  for (size_t i = 0; i < points.size(); ++i)
    if (!normals || glm::length((*normals)[i]) > 0.5f) remaining.push_back(i);
  const size_t min_inliers =
      std::max<size_t>(3, size_t(std::ceil(o.min_fraction * float(points.size()))));
  std::mt19937_64 rng(o.seed);
  while (int(found.size()) < o.max_planes && remaining.size() >= min_inliers) {
    size_t best_count = 0;
    vec3 best_normal(0.0f);
    float best_offset = 0.0f;
    for (int it = 0; it < o.iterations; ++it) {
      const vec3 a = points[remaining[rng() % remaining.size()]];
      const vec3 b = points[remaining[rng() % remaining.size()]];
      const vec3 c = points[remaining[rng() % remaining.size()]];
      const vec3 cr = glm::cross(b - a, c - a);
      const float len = glm::length(cr);
      if (!(len > 1e-9f)) continue;
      const vec3 n = cr / len;
      const float off = glm::dot(n, a);
      size_t count = 0;
      for (size_t i : remaining) count += test(i, n, off);
      if (count > best_count) {
        best_count = count;
        best_normal = n;
        best_offset = off;
      }
    }
    if (best_count < min_inliers) break;
    DetectedPlane plane;
    plane.normal = best_normal;
    plane.offset = best_offset;
    plane.inliers = inliers_of(test, remaining, best_normal, best_offset);
    // Least-squares refinement, twice (the inlier set moves with the plane).
    for (int refine = 0; refine < 2; ++refine) {
      DetectedPlane refined;
      if (!fit_plane(points, plane.inliers, &refined)) break;
      const auto again = inliers_of(test, remaining, refined.normal, refined.offset);
      if (again.size() < plane.inliers.size()) break;
      plane.normal = refined.normal;
      plane.offset = refined.offset;
      plane.inliers = again;
    }
    if (plane.inliers.size() < min_inliers) break;
    std::vector<size_t> rest;
    size_t k = 0;
    for (size_t i : remaining) {
      while (k < plane.inliers.size() && plane.inliers[k] < i) ++k;
      if (k < plane.inliers.size() && plane.inliers[k] == i) continue;
      rest.push_back(i);
    }
    remaining.swap(rest);
    found.push_back(std::move(plane));
  }
  return found;
}

std::vector<DetectedPlane> merge_planes(const std::vector<DetectedPlane>& planes,
                                        const std::vector<vec3>& points, float max_angle,
                                        float max_offset) {
  std::vector<const DetectedPlane*> order;
  for (const DetectedPlane& p : planes) order.push_back(&p);
  std::sort(order.begin(), order.end(), [](const DetectedPlane* a, const DetectedPlane* b) {
    return a->inliers.size() > b->inliers.size();
  });
  const float cos_max = std::cos(max_angle);
  std::vector<DetectedPlane> merged;
  for (const DetectedPlane* p : order) {
    bool joined = false;
    for (DetectedPlane& m : merged) {
      const float c = glm::dot(m.normal, p->normal);
      const float offset = c < 0.0f ? -p->offset : p->offset;
      if (std::abs(c) < cos_max || std::abs(offset - m.offset) > max_offset) continue;
      m.inliers.insert(m.inliers.end(), p->inliers.begin(), p->inliers.end());
      std::sort(m.inliers.begin(), m.inliers.end());
      m.inliers.erase(std::unique(m.inliers.begin(), m.inliers.end()), m.inliers.end());
      DetectedPlane refit;
      if (fit_plane(points, m.inliers, &refit)) {
        m.normal = glm::dot(refit.normal, m.normal) < 0.0f ? -refit.normal : refit.normal;
        m.offset = glm::dot(m.normal, refit.normal) < 0.0f ? -refit.offset : refit.offset;
      }
      joined = true;
      break;
    }
    if (!joined) merged.push_back(*p);
  }
  std::sort(merged.begin(), merged.end(), [](const DetectedPlane& a, const DetectedPlane& b) {
    return a.inliers.size() > b.inliers.size();
  });
  return merged;
}

SmpiLayout build_smpi_layout(const Camera& reference, const std::vector<DepthView>& views,
                             const SmpiOptions& o) {
  if (reference.projection != Projection::kPinhole)
    throw InputError("", "reference camera", "expected a pinhole reference camera");
  // Back-projected points, per view.
  // Each point's normal comes from its neighbours a few pixels away (zero where they are unknown).
  std::vector<vec3> points, normals;
  std::vector<std::pair<size_t, size_t>> view_ranges;
  for (const DepthView& v : views) {
    const size_t first = points.size();
    const mat3 rotation = mat3(v.camera.camera_to_world);
    auto point_at = [&](int x, int y, vec3* p) {
      if (x < 0 || y < 0 || x >= v.depth.width || y >= v.depth.height) return false;
      const float z = v.depth.at(x, y);
      if (!(z > 0.0f) || v.weight.at(x, y) < 0.9f) return false;
      const vec3 d = v.camera.direction_in_camera(vec2(x + 0.5f, y + 0.5f));
      *p = v.camera.position() + (z / -d.z) * (rotation * d);
      return true;
    };
    const int s = o.pixel_stride;
    const int nb = std::max(4, 2 * s);  // a wider baseline: rendered depth is noisy per pixel
    for (int y = 0; y < v.depth.height; y += s)
      for (int x = 0; x < v.depth.width; x += s) {
        vec3 p, side, other;
        if (!point_at(x, y, &p)) continue;
        vec3 n(0.0f);
        // Neighbours `nb` pixels right (else left) and down (else up); the sign of the normal
        // does not matter.
        const bool has_side = point_at(x + nb, y, &side) || point_at(x - nb, y, &side);
        const bool has_other = point_at(x, y + nb, &other) || point_at(x, y - nb, &other);
        if (has_side && has_other) {
          // Across a depth edge the normal is meaningless; such points match no plane's
          // normal and distance at once, so they stay outliers.
          const vec3 c = glm::cross(side - p, other - p);
          if (glm::length(c) > 0.0f) n = glm::normalize(c);
        }
        points.push_back(p);
        normals.push_back(n);
      }
    view_ranges.emplace_back(first, points.size());
  }
  if (points.size() < 100)
    throw InputError("", "depth", "too few confident depth samples to find the scene's planes");
  SmpiLayout layout;
  layout.points = points.size();
  const vec3 eye = reference.position();
  const vec3 forward = reference.forward();
  std::vector<float> depths;
  for (const vec3& p : points) depths.push_back(glm::dot(p - eye, forward));
  const float median_depth = std::max(1e-3f, percentile(depths, 0.5f));
  const float threshold = o.threshold_fraction * median_depth;

  // RANSAC per view, planes merged across views.
  std::vector<DetectedPlane> per_view;
  RansacOptions ransac;
  ransac.threshold = threshold;
  ransac.min_fraction = o.min_fraction;
  ransac.max_planes = o.structural_planes + 2;
  ransac.seed = o.seed;
  for (const auto& [first, last] : view_ranges) {
    if (last - first < 50) continue;
    const std::vector<vec3> local(points.begin() + long(first), points.begin() + long(last));
    const std::vector<vec3> local_normals(normals.begin() + long(first),
                                          normals.begin() + long(last));
    for (DetectedPlane p : ransac_planes(local, ransac, &local_normals)) {
      for (size_t& i : p.inliers) i += first;
      per_view.push_back(std::move(p));
    }
  }
  std::vector<DetectedPlane> merged =
      merge_planes(per_view, points, glm::radians(o.merge_angle_deg), 2.0f * threshold);
  // Every point within the threshold of a merged plane is its inlier (views together).
  const InlierTest test{points, &normals, threshold, std::cos(glm::radians(ransac.normal_degrees))};
  std::vector<size_t> all(points.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<DetectedPlane> chosen;
  std::vector<bool> explained(points.size(), false);
  for (DetectedPlane& m : merged) {
    if (int(chosen.size()) >= o.structural_planes) break;
    m.inliers = inliers_of(test, all, m.normal, m.offset);
    size_t fresh = 0;
    for (size_t i : m.inliers) fresh += !explained[i];
    if (float(fresh) < o.min_fraction * float(points.size())) continue;
    for (size_t i : m.inliers) explained[i] = true;
    chosen.push_back(m);
  }

  // Structural planes: extents from the inliers' rectangle, texels about a reference pixel.
  const vec3 right = vec3(reference.camera_to_world[0]);
  const vec3 down = -vec3(reference.camera_to_world[1]);
  int index = 0;
  for (const DetectedPlane& m : chosen) {
    vec3 u = right - glm::dot(right, m.normal) * m.normal;
    if (glm::length(u) < 0.2f) u = down - glm::dot(down, m.normal) * m.normal;
    u = glm::normalize(u);
    vec3 v = glm::normalize(glm::cross(m.normal, u));
    if (glm::dot(v, down) < 0.0f) v = -v;
    std::vector<float> a, b, distance;
    for (size_t i : m.inliers) {
      a.push_back(glm::dot(points[i], u));
      b.push_back(glm::dot(points[i], v));
      distance.push_back(glm::distance(points[i], eye));
    }
    float a_lo = percentile(a, 0.01f), a_hi = percentile(a, 0.99f);
    float b_lo = percentile(b, 0.01f), b_hi = percentile(b, 0.99f);
    const float grow_a = 0.05f * (a_hi - a_lo), grow_b = 0.05f * (b_hi - b_lo);
    a_lo -= grow_a;
    a_hi += grow_a;
    b_lo -= grow_b;
    b_hi += grow_b;
    const float texel = percentile(distance, 0.5f) / (reference.fx * o.texel_scale);
    Plane p;
    char name[32];
    std::snprintf(name, sizeof name, "structural_%02d", index++);
    p.name = name;
    p.origin = m.offset * m.normal + a_lo * u + b_lo * v;
    p.u_axis = (a_hi - a_lo) * u;
    p.v_axis = (b_hi - b_lo) * v;
    const int tw = std::clamp(int(std::ceil((a_hi - a_lo) / texel)), 8, o.max_texture_size);
    const int th = std::clamp(int(std::ceil((b_hi - b_lo) / texel)), 8, o.max_texture_size);
    p.texture = Image(tw, th, vec4(0.05f * vec3(0.5f), 0.05f));
    splat_alpha(p, points, m.inliers, 0.9f, 2);
    layout.planes.planes.push_back(std::move(p));
  }
  layout.structural = int(chosen.size());
  for (bool e : explained) layout.explained += e;

  // Fronto-parallel planes over the depth range of the unexplained points (all points when
  // nearly everything is explained).
  std::vector<size_t> rest;
  for (size_t i = 0; i < points.size(); ++i)
    if (!explained[i] && glm::dot(points[i] - eye, forward) > 0.0f) rest.push_back(i);
  if (rest.size() < points.size() / 100) rest = all;
  std::vector<float> inverse;
  for (size_t i : rest)
    inverse.push_back(1.0f / std::max(1e-4f, glm::dot(points[i] - eye, forward)));
  float inv_near = percentile(inverse, 0.98f), inv_far = percentile(inverse, 0.02f);
  if (!(inv_near > inv_far)) inv_near = inv_far * 1.5f;
  const float span = inv_near - inv_far;
  inv_near += 0.1f * span;
  inv_far = std::max(inv_far - 0.1f * span, 0.5f * inv_far);
  layout.near_depth = 1.0f / inv_near;
  layout.far_depth = 1.0f / inv_far;
  if (o.fronto_range.near_depth > 0.0f && o.fronto_range.far_depth > o.fronto_range.near_depth) {
    layout.near_depth = o.fronto_range.near_depth;
    layout.far_depth = o.fronto_range.far_depth;
    inv_near = 1.0f / layout.near_depth;
    inv_far = 1.0f / layout.far_depth;
  }
  if (o.fronto_planes > 0) {
    PlaneSet fronto = make_mpi_to_fit(reference, DepthRange{layout.near_depth, layout.far_depth},
                                      o.fronto_planes, o.padding);
    // Even alpha, as an MPI starts: splatting the unexplained points of every view would mark
    // each plane at as many places as there are views (parallax), a wall of false occluders.
    set_even_alpha(fronto, eye, o.see_through);
    for (Plane& p : fronto.planes) {
      p.name = "fronto_" + p.name.substr(4);
      layout.planes.planes.push_back(std::move(p));
    }
  }
  layout.planes.reference_camera = reference;
  return layout;
}

}  // namespace strata
