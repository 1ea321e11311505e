// What the planes shaders need for one frame, computed on the host (no Vulkan): each plane's
// eye-relative intersection constants (the CPU reference's formulas, so both agree to rounding)
// and the push constants.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/planes/plane_set.h"
#include "shaders/planes_shared.h"

namespace strata {

// `statics[i]` holds plane i's texture fields (texture, blocks); the result is every plane,
// in the same order, with its intersection fields (normal, u_dual, v_dual) filled for `camera`.
std::vector<gpu::GpuPlane> prepare_gpu_planes(const PlaneSet& planes,
                                              const std::vector<gpu::GpuPlane>& statics,
                                              const Camera& camera);

// Bits of plane index in a sort key for `count` planes: ceil(log2(count)). Even
// gpu::kPlanesMaxPlanes planes (12 bits) leave 11 bits of distance mantissa, ordering hits to
// 5e-4 relative distance.
uint32_t plane_index_bits(size_t count);

// Push constants for drawing `plane_count` planes seen by `camera`.
gpu::PlanesPush make_planes_push(const Camera& camera, size_t plane_count);

// Uints per tile record for `plane_count` planes (header + list).
uint32_t tile_record_uints(size_t plane_count);

}  // namespace strata
