#include "neural/planes/fronto_parallel_mpi.h"

#include <cstdio>
#include <stdexcept>

namespace strata {

std::vector<float> inverse_depth_spacing(float near_depth, float far_depth, int count) {
  if (!(near_depth > 0.0f && far_depth > near_depth) || count < 1)
    throw std::invalid_argument("inverse_depth_spacing: need 0 < near < far and count >= 1");
  std::vector<float> depths(static_cast<size_t>(count));
  const float inv_far = 1.0f / far_depth, inv_near = 1.0f / near_depth;
  for (int i = 0; i < count; ++i) {
    const float a = count == 1 ? 0.5f : float(i) / float(count - 1);
    depths[size_t(i)] = 1.0f / (inv_far + a * (inv_near - inv_far));
  }
  return depths;
}

Plane fronto_parallel_plane(const Camera& camera, float depth, float padding) {
  const mat3 rotation = mat3(camera.camera_to_world);
  const vec3 corner((-padding - camera.cx) / camera.fx * depth,
                    (camera.cy + padding) / camera.fy * depth, -depth);
  Plane p;
  p.origin = vec3(camera.camera_to_world * vec4(corner, 1.0f));
  p.u_axis =
      rotation * vec3((float(camera.width) + 2.0f * padding) / camera.fx * depth, 0.0f, 0.0f);
  p.v_axis =
      rotation * vec3(0.0f, -(float(camera.height) + 2.0f * padding) / camera.fy * depth, 0.0f);
  return p;
}

PlaneSet make_fronto_parallel_mpi(const Camera& reference, float near_depth, float far_depth,
                                  int count, int texture_width, int texture_height) {
  PlaneSet set;
  set.reference_camera = reference;
  const std::vector<float> depths = inverse_depth_spacing(near_depth, far_depth, count);
  for (size_t i = 0; i < depths.size(); ++i) {
    Plane p = fronto_parallel_plane(reference, depths[i]);
    char name[32];
    std::snprintf(name, sizeof(name), "mpi_%02zu", i);
    p.name = name;
    p.texture = Image(texture_width, texture_height);
    set.planes.push_back(std::move(p));
  }
  return set;
}

}  // namespace strata
