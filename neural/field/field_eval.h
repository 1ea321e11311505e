// Scoring a radiance field on held-out views: PSNR and SSIM per view, as the NeRF papers compute
// them (colours composited on white for RGBA datasets, SSIM with an 11x11 Gaussian window of
// sigma 1.5, k1 = 0.01, k2 = 0.03, over the valid region, averaged over RGB).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "neural/core/image.h"
#include "neural/core/metrics.h"
#include "neural/dataset/dataset.h"
#include "neural/field/radiance_field.h"

namespace strata {

struct EvalOptions {
  vec3 background{1.0f};   // composited behind the field and the ground truth (white: NeRF)
  std::string output_dir;  // when set: <name>_render.png, <name>_gt.png, <name>_diff.png (|error|
                           // x4) and <name>_depth.png (16-bit, millimetres) per view
};

struct EvalResult {
  std::vector<ViewScore> views;  // in the order of the frames
  double mean_psnr = 0.0;        // mean of the per-view PSNRs (the NeRF convention)
  double mean_ssim = 0.0;
  double rays_per_second = 0.0;  // rendering throughput over all views
};

// Renders every frame with render_field and scores it against its image. `on_view` (optional)
// is called after each view (for progress output). Throws InputError for unreadable images.
EvalResult evaluate_field(const RadianceField& field, const std::vector<DatasetFrame>& frames,
                          const EvalOptions& options = {},
                          const std::function<void(const ViewScore&)>& on_view = {});

}  // namespace strata
