// Math shared by the CPU reference and (later) CUDA kernels: glm types plus a host/device
// macro, written once (tiny-cuda-nn's TCNN_HOST_DEVICE habit).
#pragma once

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>

#if defined(__CUDACC__)
#define STRATA_HOST_DEVICE __host__ __device__
#else
#define STRATA_HOST_DEVICE
#endif

namespace strata {

using glm::ivec2;
using glm::mat3;
using glm::mat4;
using glm::quat;
using glm::vec2;
using glm::vec3;
using glm::vec4;

constexpr float kPi = 3.14159265358979323846f;

// True when every component is a finite number (no NaN, no infinity).
STRATA_HOST_DEVICE inline bool all_finite(const vec3& v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}
bool all_finite(const mat4& m);

// Axis-aligned box; empty() until a point is added.
struct Bounds3 {
  vec3 lo{1e30f};   // minimum corner, metres
  vec3 hi{-1e30f};  // maximum corner, metres
  bool empty() const { return lo.x > hi.x; }
  void add(const vec3& p) {
    lo = glm::min(lo, p);
    hi = glm::max(hi, p);
  }
  void add(const Bounds3& b) {
    if (!b.empty()) {
      add(b.lo);
      add(b.hi);
    }
  }
  vec3 center() const { return 0.5f * (lo + hi); }
  vec3 extent() const { return hi - lo; }
};

}  // namespace strata
