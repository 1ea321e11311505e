// Shared by the dataset readers; not part of the public API.
#pragma once

#include <string>
#include <vector>

#include "neural/core/json_io.h"
#include "neural/dataset/dataset.h"

namespace strata {

// A camera-to-world matrix from JSON, checked: finite, bottom row [0 0 0 1], rotation part not
// singular; a rotation with scale or shear is orthonormalised (Gram-Schmidt on x, then y).
mat4 checked_pose(const JsonView& view);
// Orthonormalises the rotation part of `m` in place; returns false when it is singular.
bool orthonormalise_pose(mat4& m);
// Intrinsics for images downscaled by an integer factor with a box filter.
Camera scale_camera(const Camera& camera, int factor);

Dataset load_transforms_json(const std::vector<std::string>& train_files,
                             const std::vector<std::string>& test_files, const std::string& source,
                             const DatasetOptions& options);
Dataset load_transforms_json_single(const std::string& file, const DatasetOptions& options);
Dataset load_llff(const std::string& folder, const DatasetOptions& options);

}  // namespace strata
