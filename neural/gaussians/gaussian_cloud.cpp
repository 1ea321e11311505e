#include "neural/gaussians/gaussian_cloud.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "neural/core/error.h"

namespace strata {

float opacity_from_logit(float logit) {
  // exp of a large positive argument overflows; use the form whose exp argument is <= 0.
  if (logit >= 0.0f) return 1.0f / (1.0f + std::exp(-logit));
  const float e = std::exp(logit);
  return e / (1.0f + e);
}

float logit_from_opacity(float opacity) {
  return std::log(opacity / (1.0f - opacity));
}

void GaussianCloud::resize(size_t n) {
  positions.resize(n, vec3(0.0f));
  log_scales.resize(n, vec3(0.0f));
  rotations.resize(n, quat(1.0f, 0.0f, 0.0f, 0.0f));
  opacity_logits.resize(n, 0.0f);
  sh.resize(n * size_t(sh_coefficients()), vec3(0.0f));
  layers.resize(n, 0);
}

void GaussianCloud::set_sh_degree(int degree) {
  if (degree < 0 || degree > kMaxShDegree)
    throw std::logic_error("GaussianCloud::set_sh_degree: degree outside 0..3");
  if (degree == sh_degree) return;
  const size_t n = size();
  const int old_k = sh_coefficients(), new_k = sh_coefficient_count(degree);
  std::vector<vec3> out(n * size_t(new_k), vec3(0.0f));
  const int shared = std::min(old_k, new_k);
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < shared; ++k) out[i * new_k + k] = sh[i * old_k + k];
  sh = std::move(out);
  sh_degree = degree;
}

void GaussianCloud::append(const GaussianCloud& other) {
  other.check_consistent();
  if (other.sh_degree > sh_degree) set_sh_degree(other.sh_degree);
  const size_t n0 = size();
  resize(n0 + other.size());
  std::copy(other.positions.begin(), other.positions.end(), positions.begin() + n0);
  std::copy(other.log_scales.begin(), other.log_scales.end(), log_scales.begin() + n0);
  std::copy(other.rotations.begin(), other.rotations.end(), rotations.begin() + n0);
  std::copy(other.opacity_logits.begin(), other.opacity_logits.end(), opacity_logits.begin() + n0);
  std::copy(other.layers.begin(), other.layers.end(), layers.begin() + n0);
  const int k_other = other.sh_coefficients();
  for (size_t i = 0; i < other.size(); ++i)
    for (int k = 0; k < k_other; ++k) sh_at(n0 + i, k) = other.sh_at(i, k);
}

void GaussianCloud::filter(const std::vector<bool>& keep) {
  check_consistent();
  if (keep.size() != size()) throw std::logic_error("GaussianCloud::filter: keep has wrong size");
  const int k_count = sh_coefficients();
  size_t out = 0;
  for (size_t i = 0; i < size(); ++i) {
    if (!keep[i]) continue;
    if (out != i) {
      positions[out] = positions[i];
      log_scales[out] = log_scales[i];
      rotations[out] = rotations[i];
      opacity_logits[out] = opacity_logits[i];
      layers[out] = layers[i];
      for (int k = 0; k < k_count; ++k) sh[out * k_count + k] = sh[i * k_count + k];
    }
    ++out;
  }
  positions.resize(out);
  log_scales.resize(out);
  rotations.resize(out);
  opacity_logits.resize(out);
  layers.resize(out);
  sh.resize(out * size_t(k_count));
}

float GaussianCloud::opacity(size_t i) const {
  return opacity_from_logit(opacity_logits[i]);
}

vec3 GaussianCloud::scale(size_t i) const {
  return glm::exp(log_scales[i]);
}

vec3 GaussianCloud::dc_color(size_t i) const {
  return vec3(0.5f) + float(kShC0) * sh_at(i, 0);
}

Bounds3 GaussianCloud::bounds() const {
  Bounds3 b;
  for (const vec3& p : positions) b.add(p);
  return b;
}

void GaussianCloud::check_consistent() const {
  const size_t n = size();
  if (sh_degree < 0 || sh_degree > kMaxShDegree)
    throw std::logic_error("GaussianCloud: sh_degree outside 0..3");
  if (log_scales.size() != n || rotations.size() != n || opacity_logits.size() != n ||
      layers.size() != n || sh.size() != n * size_t(sh_coefficients()))
    throw std::logic_error("GaussianCloud: arrays of different lengths");
}

namespace {

// 0 finite, 1 infinite, 2 NaN: NaN is reported before infinity.
int rank(float v) {
  return std::isnan(v) ? 2 : (std::isinf(v) ? 1 : 0);
}

std::string sh_field(int k, int channel, int k_count) {
  if (k == 0) return "f_dc_" + std::to_string(channel);
  // Inria's f_rest layout is channel-major: all of red's rest coefficients, then green's...
  return "f_rest_" + std::to_string(channel * (k_count - 1) + (k - 1));
}

}  // namespace

GaussianDefect find_defect(const GaussianCloud& c, size_t i, std::string* field) {
  const int k_count = c.sh_coefficients();
  const vec3 p = c.positions[i], s = c.log_scales[i];
  const quat q = c.rotations[i];
  const float values[] = {p.x, p.y, p.z, s.x, s.y, s.z, q.w, q.x, q.y, q.z, c.opacity_logits[i]};
  static const char* kNames[] = {"x",     "y",     "z",     "scale_0", "scale_1", "scale_2",
                                 "rot_0", "rot_1", "rot_2", "rot_3",   "opacity"};
  int worst = 0;
  for (float v : values) worst = std::max(worst, rank(v));
  for (int k = 0; k < k_count; ++k) {
    const vec3 v = c.sh_at(i, k);
    worst = std::max({worst, rank(v.r), rank(v.g), rank(v.b)});
  }
  if (worst > 0) {
    const GaussianDefect d = worst == 2 ? GaussianDefect::kNaN : GaussianDefect::kInfinite;
    if (!field) return d;
    for (int j = 0; j < 11; ++j)
      if (rank(values[j]) == worst) {
        *field = kNames[j];
        return d;
      }
    for (int k = 0; k < k_count; ++k)
      for (int ch = 0; ch < 3; ++ch)
        if (rank(c.sh_at(i, k)[ch]) == worst) {
          *field = sh_field(k, ch, k_count);
          return d;
        }
    return d;
  }
  // Zero length, judged on the largest component (a squared norm would underflow first).
  const float largest = std::max({std::abs(q.w), std::abs(q.x), std::abs(q.y), std::abs(q.z)});
  if (!(largest > 1e-20f)) {
    if (field) *field = "rot_0..rot_3";
    return GaussianDefect::kZeroRotation;
  }
  return GaussianDefect::kNone;
}

size_t drop_invalid(GaussianCloud& cloud, const std::string& where) {
  cloud.check_consistent();
  size_t nan = 0, inf = 0, zero = 0;
  std::vector<bool> keep(cloud.size(), true);
  for (size_t i = 0; i < cloud.size(); ++i) {
    switch (find_defect(cloud, i)) {
      case GaussianDefect::kNone:
        continue;
      case GaussianDefect::kNaN:
        ++nan;
        break;
      case GaussianDefect::kInfinite:
        ++inf;
        break;
      case GaussianDefect::kZeroRotation:
        ++zero;
        break;
    }
    keep[i] = false;
  }
  const size_t removed = nan + inf + zero;
  if (removed == 0) return 0;
  cloud.filter(keep);
  std::ostringstream m;
  if (!where.empty()) m << where << ": ";
  m << "dropped " << removed << " of " << (cloud.size() + removed) << " Gaussians that cannot be "
    << "rendered (" << nan << " with NaN, " << inf << " with infinite values, " << zero
    << " with a zero-length quaternion)";
  warn(m.str());
  return removed;
}

void validate(const GaussianCloud& cloud, const std::string& where) {
  try {
    cloud.check_consistent();
  } catch (const std::logic_error& e) {
    throw InputError(where, "", e.what());
  }
  for (size_t i = 0; i < cloud.size(); ++i) {
    std::string field;
    const GaussianDefect d = find_defect(cloud, i, &field);
    if (d == GaussianDefect::kNone) continue;
    const char* what = d == GaussianDefect::kNaN        ? "is NaN"
                       : d == GaussianDefect::kInfinite ? "is infinite"
                                                        : "is a quaternion of zero length";
    throw InputError(where, field,
                     "Gaussian " + std::to_string(i) + ": " + what + " (expected finite numbers " +
                         "and a rotation quaternion of non-zero length)");
  }
}

namespace {

struct Summary {
  float lo = 0, median = 0, hi = 0;
};

Summary summarise(std::vector<float> v) {
  Summary s;
  if (v.empty()) return s;
  const auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  s.median = *mid;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  s.lo = *lo;
  s.hi = *hi;
  return s;
}

std::string format(const char* fmt, double a, double b, double c) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), fmt, a, b, c);
  return buf;
}

}  // namespace

std::string describe(const GaussianCloud& cloud) {
  cloud.check_consistent();
  std::ostringstream out;
  out << "Gaussians: " << cloud.size() << "\n";
  out << "SH degree: " << cloud.sh_degree << " (" << cloud.sh_coefficients()
      << " coefficients per channel)\n";
  uint16_t max_layer = 0;
  for (uint16_t l : cloud.layers) max_layer = std::max(max_layer, l);
  std::vector<size_t> per_layer(size_t(max_layer) + 1, 0);
  for (uint16_t l : cloud.layers) ++per_layer[l];
  const size_t used =
      size_t(std::count_if(per_layer.begin(), per_layer.end(), [](size_t n) { return n > 0; }));
  out << "layers: " << used << " (";
  bool first = true;
  for (size_t l = 0; l < per_layer.size(); ++l) {
    if (per_layer[l] == 0) continue;
    out << (first ? "" : ", ") << "layer " << l << ": " << per_layer[l];
    first = false;
  }
  out << ")\n";
  if (cloud.empty()) {
    out << "bounds: empty";
    return out.str();
  }
  Bounds3 b = cloud.bounds();
  b.lo += 0.0f, b.hi += 0.0f;  // -0 prints as 0
  out << format("bounds: min (%.4g, %.4g, %.4g)", b.lo.x, b.lo.y, b.lo.z)
      << format(" max (%.4g, %.4g, %.4g)\n", b.hi.x, b.hi.y, b.hi.z);
  std::vector<float> opacities(cloud.size()), scales;
  scales.reserve(cloud.size() * 3);
  for (size_t i = 0; i < cloud.size(); ++i) {
    opacities[i] = cloud.opacity(i);
    const vec3 s = cloud.scale(i);
    scales.insert(scales.end(), {s.x, s.y, s.z});
  }
  const Summary o = summarise(std::move(opacities)), s = summarise(std::move(scales));
  out << format("opacity: min %.4g, median %.4g, max %.4g\n", o.lo, o.median, o.hi);
  out << format("scale (m, all axes): min %.4g, median %.4g, max %.4g", s.lo, s.median, s.hi);
  return out.str();
}

}  // namespace strata
