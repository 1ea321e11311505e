// GaussianCloud: the 3D Gaussians of 3D Gaussian splatting, in the parameterisation that the
// Inria PLY stores and that fitting optimises (log scales, logit opacities, raw quaternions).
//
// Plain CPU data, struct of arrays, one entry per Gaussian in every array (the GPU renderers
// upload these arrays; see gaussian_render.h for the projection they all share).
//   - Positions are in the file's world frame, not reoriented (cameras are posed in the same
//     frame). All readers decode to the Inria PLY's convention (SPZ is converted, see
//     gaussian_io.h).
//   - The covariance is R diag(exp(2 log_scale)) R^T with R the rotation of the normalised
//     quaternion (the renderer normalises, so an optimiser may leave them unnormalised).
//   - SH colour: coefficient k of Gaussian i for (r, g, b) is sh[i * sh_coefficients() + k];
//     k = 0 is DC (colour = 0.5 + 0.2820948 * dc), the basis is spherical_harmonics.h's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/math.h"
#include "neural/gaussians/spherical_harmonics.h"

namespace strata {

struct GaussianCloud {
  int sh_degree = 0;                  // 0..3; sh holds (sh_degree + 1)^2 coefficients a Gaussian
  std::vector<vec3> positions;        // means, world frame, metres
  std::vector<vec3> log_scales;       // natural log of the standard deviation on each local axis
  std::vector<quat> rotations;        // (w, x, y, z), local-to-world; unit length after reading
  std::vector<float> opacity_logits;  // opacity = 1 / (1 + exp(-logit))
  std::vector<vec3> sh;               // size() * sh_coefficients(); rgb per coefficient, DC first
  std::vector<uint16_t> layers;       // layer id per Gaussian (0 unless the scene is layered)

  size_t size() const { return positions.size(); }
  bool empty() const { return positions.empty(); }
  // Coefficients per Gaussian and colour channel: (sh_degree + 1)^2.
  int sh_coefficients() const { return sh_coefficient_count(sh_degree); }
  // Resizes every array to n Gaussians; new ones are at the origin, unit scale, identity
  // rotation, opacity 0.5, black (all SH zero), layer 0.
  void resize(size_t n);
  // Changes the SH degree (0..3), keeping the coefficients of the bands both degrees share and
  // zeroing new ones.
  void set_sh_degree(int degree);
  // Appends all Gaussians of `other`; the result has the larger of the two SH degrees.
  void append(const GaussianCloud& other);
  // Keeps the Gaussians whose keep[i] is true, in order. keep.size() must equal size().
  void filter(const std::vector<bool>& keep);

  vec3& sh_at(size_t i, int k) { return sh[i * size_t(sh_coefficients()) + size_t(k)]; }
  const vec3& sh_at(size_t i, int k) const { return sh[i * size_t(sh_coefficients()) + size_t(k)]; }
  float opacity(size_t i) const;  // sigmoid of the logit, in (0, 1)
  vec3 scale(size_t i) const;     // exp of the log scales, metres
  vec3 dc_color(size_t i) const;  // 0.5 + C0 * DC: the view-independent colour (may leave 0..1)

  // Axis-aligned box around the means (not the footprints); empty for an empty cloud.
  Bounds3 bounds() const;
  // Throws std::logic_error when the arrays disagree in length or sh_degree is outside 0..3.
  // A programming error, not a user's: readers always produce consistent clouds.
  void check_consistent() const;
};

// Why a Gaussian cannot be rendered.
enum class GaussianDefect {
  kNone,
  kNaN,           // some parameter is NaN
  kInfinite,      // some parameter is +-infinity
  kZeroRotation,  // the quaternion has (numerically) zero length
};

// The first defect of Gaussian i (NaN before infinity before zero rotation) and, when not kNone,
// the name of the offending field in PLY terms ("x", "scale_1", "rot_2", "opacity", "f_dc_0",
// "f_rest_7"...) in `field`.
GaussianDefect find_defect(const GaussianCloud& cloud, size_t i, std::string* field = nullptr);

// Removes every Gaussian with a defect (NaN, infinity, zero-length quaternion) and, when any was
// removed, prints one warning naming `where` and the counts. Returns the number removed.
size_t drop_invalid(GaussianCloud& cloud, const std::string& where);

// Throws InputError naming `where`, the first defective Gaussian's index and field, when any
// Gaussian has a defect. Also checks consistency (as check_consistent, but as an InputError).
void validate(const GaussianCloud& cloud, const std::string& where);

// Statistics for `strata info`: count, SH degree, layers, bounds, opacity (sigmoid) and scale
// (exp, metres, all axes) minimum / median / maximum. Several lines, no trailing newline.
std::string describe(const GaussianCloud& cloud);

// Opacity from its logit (the logistic function, stable for large |logit|) and back
// (logit_from_opacity(0) = -inf, (1) = +inf).
float opacity_from_logit(float logit);
float logit_from_opacity(float opacity);

}  // namespace strata
