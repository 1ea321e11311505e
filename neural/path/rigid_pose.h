// Internal to neural/path: checking camera-to-world matrices and reducing them to rigid poses
// (a unit quaternion and a position), shared by the interpolation, the readers and the
// generators. Not part of the public API.
#pragma once

#include <string>

#include "neural/core/math.h"

namespace strata::path_internal {

// Why `m` cannot be a camera pose, or "" when it can. Rejected: NaN or infinity, a last row other
// than [0 0 0 1], and an upper 3x3 that is degenerate (a zero column, columns nearly parallel) or
// mirrored (determinant < 0, which would flip the image). Scale and shear are accepted: they are
// removed by nearest_rotation().
std::string pose_problem(const mat4& m);
// The rotation nearest to the upper 3x3 of `m` (the orthogonal factor of its polar
// decomposition, so uniform or per-axis scale and shear are dropped), as a unit quaternion.
// Precondition: pose_problem(m) is empty.
glm::dquat nearest_rotation(const mat4& m);
// Largest |element| of R^T R - I for the upper 3x3 R of `m`: 0 for a rotation.
double orthonormality_error(const mat4& m);
// Camera-to-world matrix with rotation `q` (unit) and position `position` (metres).
mat4 pose_matrix(const glm::dquat& q, const glm::dvec3& position);
// `m` with its upper 3x3 replaced by its nearest rotation; the translation is kept.
// Precondition: pose_problem(m) is empty.
mat4 rigid_pose(const mat4& m);

}  // namespace strata::path_internal
