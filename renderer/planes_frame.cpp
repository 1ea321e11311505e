#include "renderer/planes_frame.h"

#include <algorithm>
#include <cmath>

namespace strata {

std::vector<gpu::GpuPlane> prepare_gpu_planes(const PlaneSet& set,
                                              const std::vector<gpu::GpuPlane>& statics,
                                              const Camera& camera) {
  const vec3 eye = camera.position();
  std::vector<gpu::GpuPlane> prepared(set.planes.size());
  for (size_t i = 0; i < set.planes.size(); ++i) {
    const Plane& p = set.planes[i];
    gpu::GpuPlane g = statics[i];
    // As in neural/planes/plane_set_render.cpp (prepare): dual basis for exact texture
    // coordinates on non-orthogonal axes.
    const vec3 n = glm::cross(p.u_axis, p.v_axis);
    const vec3 normal = glm::normalize(n);
    const vec3 u_perp = glm::cross(p.v_axis, n), v_perp = glm::cross(n, p.u_axis);
    const vec3 u_dual = u_perp / glm::dot(p.u_axis, u_perp);
    const vec3 v_dual = v_perp / glm::dot(p.v_axis, v_perp);
    g.normal = vec4(normal, glm::dot(normal, p.origin - eye));
    g.u_dual = vec4(u_dual, glm::dot(eye - p.origin, u_dual));
    g.v_dual = vec4(v_dual, glm::dot(eye - p.origin, v_dual));
    prepared[i] = g;
  }
  return prepared;
}

uint32_t plane_index_bits(size_t count) {
  uint32_t bits = 0;
  while ((size_t(1) << bits) < count) ++bits;
  return bits;
}

uint32_t tile_record_uints(size_t plane_count) {
  return 1 + uint32_t(std::min<size_t>(plane_count, gpu::kPlanesTileList));
}

gpu::PlanesPush make_planes_push(const Camera& camera, size_t plane_count) {
  gpu::PlanesPush push{};
  push.rotation0 = vec4(vec3(camera.camera_to_world[0]), 0.0f);
  push.rotation1 = vec4(vec3(camera.camera_to_world[1]), 0.0f);
  push.rotation2 = vec4(vec3(camera.camera_to_world[2]), 0.0f);
  push.intrinsics = vec4(camera.fx, camera.fy, camera.cx, camera.cy);
  const uint32_t tile = gpu::kPlanesTile;
  push.image =
      glm::uvec4(uint32_t(camera.width), uint32_t(camera.height),
                 camera.projection == Projection::kEquirectangular ? gpu::kProjectionEquirectangular
                                                                   : gpu::kProjectionPinhole,
                 uint32_t(plane_count));
  push.tiles = glm::uvec4((uint32_t(camera.width) + tile - 1) / tile,
                          (uint32_t(camera.height) + tile - 1) / tile,
                          tile_record_uints(plane_count), plane_index_bits(plane_count));
  return push;
}

}  // namespace strata
