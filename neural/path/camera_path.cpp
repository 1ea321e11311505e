// CameraPath interpolation.
//
// Positions and fov: a cubic Hermite spline whose tangents are those of the non-uniform
// (Barry-Goldman) Catmull-Rom spline with the keyframe times as knots,
//   m_i = (dt_i * d_{i-1} + dt_{i-1} * d_i) / (dt_{i-1} + dt_i),  d_i = (p_{i+1} - p_i) / dt_i,
// so unequal spacing gives no speed jumps and the velocity (per second) is the same on both sides
// of a keyframe: C1. Open ends use the "natural" condition (zero second derivative).
//
// Rotations: the cumulative cubic Hermite curve on unit quaternions (Kim, Kim & Shin 1995,
// "A general construction scheme for unit quaternion curves"):
//   q(s) = q_a exp(b1(s) w1) exp(b2(s) w2) exp(b3(s) w3),
//   w1 = W_a dt / 3,  w3 = W_b dt / 3,  w2 = log(exp(-w1) q_a^-1 q_b exp(-w3)),
//   b1 = 1 - (1 - s)^3,  b2 = 3s^2 - 2s^3,  b3 = s^3,
// where W is the body-frame angular velocity (rad/s) at a keyframe, built from the relative
// rotations of its neighbours exactly as the position tangents are. The angular velocity at each
// keyframe is W on both sides (C1), the curve passes through every keyframe, and with equal W it
// is slerp. Every relative rotation goes through log() of the quaternion in the w >= 0
// hemisphere, so a keyframe pair whose quaternions have a negative dot product still turns the
// short way.
#include "neural/path/camera_path.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "neural/core/error.h"
#include "neural/path/rigid_pose.h"

namespace strata {

using glm::dmat3;
using glm::dquat;
using glm::dvec3;

// ---- rigid poses ----------------------------------------------------------------------------

namespace path_internal {

namespace {

double frobenius(const dmat3& m) {
  double s = 0.0;
  for (int c = 0; c < 3; ++c) s += glm::dot(m[c], m[c]);
  return std::sqrt(s);
}

}  // namespace

std::string pose_problem(const mat4& m) {
  if (!all_finite(m)) return "expected finite numbers (found NaN or infinity)";
  constexpr float kRowTolerance = 1e-6f;
  if (std::abs(m[0][3]) > kRowTolerance || std::abs(m[1][3]) > kRowTolerance ||
      std::abs(m[2][3]) > kRowTolerance || std::abs(m[3][3] - 1.0f) > kRowTolerance)
    return "expected a rigid camera-to-world matrix whose last row is [0, 0, 0, 1]";
  const dmat3 r{mat3(m)};
  const double l0 = glm::length(r[0]), l1 = glm::length(r[1]), l2 = glm::length(r[2]);
  if (!(l0 > 1e-12 && l1 > 1e-12 && l2 > 1e-12))
    return "expected a rotation in the upper 3x3 (found a zero column)";
  // Determinant over the product of the column lengths: 1 for orthogonal columns, near 0 when
  // they are nearly parallel, negative for a mirrored (left-handed) basis.
  const double normalized_det = glm::determinant(r) / (l0 * l1 * l2);
  if (normalized_det < 0.0)
    return "expected a rotation in the upper 3x3 (found a mirrored basis, determinant < 0)";
  if (normalized_det < 1e-3)
    return "expected a rotation in the upper 3x3 (found a degenerate basis: columns nearly "
           "parallel)";
  return "";
}

dquat nearest_rotation(const mat4& m) {
  // Scaled Newton iteration for the polar decomposition, X <- (g X + X^-T / g) / 2 (Higham):
  // converges quadratically to the orthogonal factor; a rotation is a fixed point.
  dmat3 x{mat3(m)};
  for (int i = 0; i < 50; ++i) {
    const dmat3 inverse = glm::inverse(x);
    const double g = std::sqrt(frobenius(inverse) / frobenius(x));
    const dmat3 next = 0.5 * (g * x + glm::transpose(inverse) / g);
    const double change = frobenius(next - x);
    x = next;
    if (change < 1e-15) break;
  }
  return glm::normalize(glm::quat_cast(x));
}

double orthonormality_error(const mat4& m) {
  const dmat3 r{mat3(m)};
  const dmat3 e = glm::transpose(r) * r - dmat3(1.0);
  double worst = 0.0;
  for (int c = 0; c < 3; ++c)
    for (int row = 0; row < 3; ++row) worst = std::max(worst, std::abs(e[c][row]));
  return worst;
}

mat4 pose_matrix(const dquat& q, const dvec3& position) {
  const dmat3 r = glm::mat3_cast(glm::normalize(q));
  mat4 m(1.0f);
  for (int c = 0; c < 3; ++c) m[c] = vec4(vec3(r[c]), 0.0f);
  m[3] = vec4(vec3(position), 1.0f);
  return m;
}

mat4 rigid_pose(const mat4& m) {
  return pose_matrix(nearest_rotation(m), dvec3(vec3(m[3])));
}

}  // namespace path_internal

// ---- interpolation --------------------------------------------------------------------------

namespace {

using path_internal::nearest_rotation;
using path_internal::pose_matrix;

// The quaternion of the same rotation with w >= 0: its log() is the short way round.
dquat shortest(const dquat& q) {
  return q.w < 0.0 ? -q : q;
}

// Rotation vector (axis times angle, radians) to unit quaternion.
dquat exp_map(const dvec3& v) {
  const double angle = glm::length(v);
  // sin(angle / 2) / angle, with its Taylor series near 0.
  const double k = angle < 1e-6 ? 0.5 - angle * angle / 48.0 : std::sin(0.5 * angle) / angle;
  dquat q;
  q.w = std::cos(0.5 * angle);
  q.x = k * v.x;
  q.y = k * v.y;
  q.z = k * v.z;
  return q;
}

// Unit quaternion to rotation vector, taking the short way (angle in [0, pi]).
dvec3 log_map(const dquat& rotation) {
  const dquat q = shortest(rotation);
  const dvec3 v(q.x, q.y, q.z);
  const double s = glm::length(v);
  if (s < 1e-12) return 2.0 * v;
  return v * (2.0 * std::atan2(s, q.w) / s);
}

// Relative rotation from a to b (b = a * rel), as a rotation vector in a's (and b's) frame.
dvec3 relative(const dquat& a, const dquat& b) {
  return log_map(glm::conjugate(a) * b);
}

struct Node {
  double time = 0.0;
  dvec3 position{0.0};
  dquat rotation{1.0, 0.0, 0.0, 0.0};
  double fov = 50.0;
};

// The period of a looping path: its span plus one mean keyframe spacing for the segment from
// the last keyframe back to the first.
double loop_period(const std::vector<Keyframe>& k) {
  const size_t n = k.size();
  if (n < 2) return 0.0;
  const double span = k.back().time - k.front().time;
  return span + span / double(n - 1);
}

// The keyframes around one segment [i, i + 1] as nodes i - 1 .. i + 2; indices outside
// [0, n) wrap (shifted by the period) when looping and do not exist otherwise.
class Window {
 public:
  Window(const CameraPath& path, long segment) : first_(segment - 1) {
    const long n = long(path.keyframes.size());
    const double period = loop_period(path.keyframes);
    for (long j = 0; j < 4; ++j) {
      const long k = first_ + j;
      long index = k, wraps = 0;
      if (path.loop) {
        wraps = k >= 0 ? k / n : -((-k + n - 1) / n);
        index = k - wraps * n;
      }
      exists_[j] = index >= 0 && index < n;
      if (!exists_[j]) continue;
      const Keyframe& key = path.keyframes[size_t(index)];
      nodes_[j].time = key.time + double(wraps) * period;
      nodes_[j].position = dvec3(vec3(key.camera_to_world[3]));
      nodes_[j].rotation = nearest_rotation(key.camera_to_world);
      nodes_[j].fov = key.fov_y_deg;
    }
  }
  bool exists(long k) const { return k >= first_ && k < first_ + 4 && exists_[size_t(k - first_)]; }
  const Node& operator[](long k) const { return nodes_[size_t(k - first_)]; }

 private:
  long first_;
  std::array<Node, 4> nodes_{};
  std::array<bool, 4> exists_{};
};

// Velocity (units per second) at node k of a value in a linear space: Barry-Goldman Catmull-Rom
// inside, natural (zero second derivative) at an open end, the chord slope for two keyframes.
template <class T, class Get>
T linear_tangent(const Window& w, long k, Get get) {
  const bool has_prev = w.exists(k - 1), has_next = w.exists(k + 1);
  if (has_prev && has_next) {
    const double dp = w[k].time - w[k - 1].time, dn = w[k + 1].time - w[k].time;
    const T sp = (get(w[k]) - get(w[k - 1])) / dp, sn = (get(w[k + 1]) - get(w[k])) / dn;
    return (dn * sp + dp * sn) / (dp + dn);
  }
  if (has_next) {
    const T d = (get(w[k + 1]) - get(w[k])) / (w[k + 1].time - w[k].time);
    if (!w.exists(k + 2)) return d;
    return (3.0 * d - linear_tangent<T>(w, k + 1, get)) / 2.0;
  }
  const T d = (get(w[k]) - get(w[k - 1])) / (w[k].time - w[k - 1].time);
  if (!w.exists(k - 2)) return d;
  return (3.0 * d - linear_tangent<T>(w, k - 1, get)) / 2.0;
}

// Body-frame angular velocity (rad/s) at node k, built like linear_tangent from the relative
// rotations of the neighbours.
dvec3 rotation_tangent(const Window& w, long k) {
  const bool has_prev = w.exists(k - 1), has_next = w.exists(k + 1);
  if (has_prev && has_next) {
    const double dp = w[k].time - w[k - 1].time, dn = w[k + 1].time - w[k].time;
    const dvec3 sp = relative(w[k - 1].rotation, w[k].rotation) / dp;
    const dvec3 sn = relative(w[k].rotation, w[k + 1].rotation) / dn;
    return (dn * sp + dp * sn) / (dp + dn);
  }
  if (has_next) {
    const dvec3 d = relative(w[k].rotation, w[k + 1].rotation) / (w[k + 1].time - w[k].time);
    if (!w.exists(k + 2)) return d;
    // The neighbour's angular velocity, moved from its body frame into this one.
    const dquat r = glm::conjugate(w[k].rotation) * w[k + 1].rotation;
    return (3.0 * d - r * rotation_tangent(w, k + 1)) / 2.0;
  }
  const dvec3 d = relative(w[k - 1].rotation, w[k].rotation) / (w[k].time - w[k - 1].time);
  if (!w.exists(k - 2)) return d;
  const dquat r = glm::conjugate(w[k - 1].rotation) * w[k].rotation;
  return (3.0 * d - glm::conjugate(r) * rotation_tangent(w, k - 1)) / 2.0;
}

// Fov stays inside (0, 180) degrees even where the cubic overshoots between keyframes.
double clamp_fov(double fov) {
  return std::clamp(fov, 0.01, 179.99);
}

Node interpolate(const Window& w, long i, double s, PathInterpolation mode) {
  const Node& a = w[i];
  const Node& b = w[i + 1];
  Node out;
  out.time = a.time + s * (b.time - a.time);
  if (mode == PathInterpolation::kLinear) {
    out.position = glm::mix(a.position, b.position, s);
    out.fov = a.fov + s * (b.fov - a.fov);
    out.rotation = a.rotation * exp_map(s * relative(a.rotation, b.rotation));
    return out;
  }
  const double dt = b.time - a.time;
  const double s2 = s * s, s3 = s2 * s;
  const double h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s, h01 = -2 * s3 + 3 * s2,
               h11 = s3 - s2;
  auto position = [](const Node& n) { return n.position; };
  auto fov = [](const Node& n) { return n.fov; };
  out.position = h00 * a.position + h10 * dt * linear_tangent<dvec3>(w, i, position) +
                 h01 * b.position + h11 * dt * linear_tangent<dvec3>(w, i + 1, position);
  out.fov = clamp_fov(h00 * a.fov + h10 * dt * linear_tangent<double>(w, i, fov) + h01 * b.fov +
                      h11 * dt * linear_tangent<double>(w, i + 1, fov));

  const dvec3 w1 = rotation_tangent(w, i) * (dt / 3.0);
  const dvec3 w3 = rotation_tangent(w, i + 1) * (dt / 3.0);
  const dvec3 w2 = log_map(exp_map(-w1) * glm::conjugate(a.rotation) * b.rotation * exp_map(-w3));
  const double b1 = 1.0 - (1.0 - s) * (1.0 - s) * (1.0 - s), b2 = 3 * s2 - 2 * s3, b3 = s3;
  out.rotation = a.rotation * exp_map(b1 * w1) * exp_map(b2 * w2) * exp_map(b3 * w3);
  return out;
}

void require_keyframes(const CameraPath& path) {
  if (path.keyframes.empty()) throw InputError("", "keyframes", "the camera path has no keyframes");
}

}  // namespace

double CameraPath::start_time() const {
  return keyframes.empty() ? 0.0 : keyframes.front().time;
}

double CameraPath::end_time() const {
  if (keyframes.empty()) return 0.0;
  return loop ? start_time() + loop_period(keyframes) : keyframes.back().time;
}

Keyframe CameraPath::evaluate(double time) const {
  require_keyframes(*this);
  const size_t n = keyframes.size();
  if (n == 1) {
    Keyframe k = keyframes[0];
    k.camera_to_world = path_internal::rigid_pose(k.camera_to_world);
    return k;
  }
  const double t0 = keyframes.front().time, t_last = keyframes.back().time;
  double u = std::isfinite(time) ? time : t0;
  if (loop) {
    const double period = loop_period(keyframes);
    u = std::fmod(u - t0, period);
    if (u < 0.0) u += period;
    u += t0;
  } else {
    u = std::clamp(u, t0, t_last);
  }
  // Segment i runs from keyframe i to i + 1; when looping, segment n - 1 closes the loop.
  const auto after = std::upper_bound(keyframes.begin(), keyframes.end(), u,
                                      [](double t, const Keyframe& k) { return t < k.time; });
  long i = long(after - keyframes.begin()) - 1;
  i = std::clamp(i, 0L, loop ? long(n) - 1 : long(n) - 2);
  const Window w(*this, i);
  const double s = std::clamp((u - w[i].time) / (w[i + 1].time - w[i].time), 0.0, 1.0);
  const Node node = interpolate(w, i, s, interpolation);

  Keyframe out;
  out.time = u;
  out.camera_to_world = pose_matrix(node.rotation, node.position);
  out.fov_y_deg = float(node.fov);
  return out;
}

std::vector<Camera> CameraPath::sample(int frames, int width, int height) const {
  if (frames < 1)
    throw InputError("", "frames", "expected at least 1 frame, got " + std::to_string(frames));
  if (width <= 0 || height <= 0)
    throw InputError("", "width/height",
                     "expected a positive frame size, got " + std::to_string(width) + "x" +
                         std::to_string(height));
  require_keyframes(*this);
  const double t0 = start_time(), t1 = end_time();
  std::vector<Camera> cameras;
  cameras.reserve(size_t(frames));
  for (int f = 0; f < frames; ++f) {
    // A loop's end is its start again, so its frames stop one step short of it.
    double t = t0;
    if (loop)
      t = t0 + (t1 - t0) * double(f) / double(frames);
    else if (frames > 1)
      t = t0 + (t1 - t0) * double(f) / double(frames - 1);
    const Keyframe k = evaluate(t);
    cameras.push_back(
        Camera::pinhole_fov_y(width, height, glm::radians(k.fov_y_deg), k.camera_to_world));
  }
  return cameras;
}

void CameraPath::validate(const std::string& where) const {
  if (width < 0 || height < 0 || (width == 0) != (height == 0) || width > 32768 || height > 32768)
    throw InputError(where, "width/height",
                     "expected both 0 (the caller chooses) or both in 1..32768, got " +
                         std::to_string(width) + "x" + std::to_string(height));
  if (keyframes.empty()) throw InputError(where, "keyframes", "expected at least one keyframe");
  for (size_t i = 0; i < keyframes.size(); ++i) {
    const Keyframe& k = keyframes[i];
    const std::string field = "keyframes[" + std::to_string(i) + "]";
    if (!std::isfinite(k.time))
      throw InputError(where, field + ".time", "expected a finite time in seconds");
    if (i > 0 && !(k.time > keyframes[i - 1].time))
      throw InputError(where, field + ".time",
                       "expected times strictly increasing: " + std::to_string(k.time) +
                           " s is not after the previous keyframe's " +
                           std::to_string(keyframes[i - 1].time) + " s");
    const std::string problem = path_internal::pose_problem(k.camera_to_world);
    if (!problem.empty()) throw InputError(where, field + ".camera_to_world", problem);
    if (!(std::isfinite(k.fov_y_deg) && k.fov_y_deg > 0.0f && k.fov_y_deg < 180.0f))
      throw InputError(where, field + ".fov_y_deg",
                       "expected a vertical field of view in degrees in (0, 180), got " +
                           std::to_string(k.fov_y_deg));
  }
}

}  // namespace strata
