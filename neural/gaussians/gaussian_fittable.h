// GaussianFittable: a GaussianCloud as a Fittable (neural/fit/fittable.h), so that the one fitting
// loop fits 3D Gaussian splatting (Kerbl et al. 2023) on the CPU, densification included.
//
// Flat parameter buffer, one group per block (3DGS's parameter groups and learning rates):
//   [positions 3N | log scales 3N | rotations (w,x,y,z) 4N | opacity logits N | SH DC 3N |
//    SH rest 3N(K-1)]     (K = (sh_degree + 1)^2; Gaussian-major inside each block)
// The SH bands are switched on one at a time (every sh_increase_every steps, as 3DGS does); the
// bands not yet on render as zero and get no gradient.
// after_step: quaternions normalised; every densify_every steps in [densify_from, densify_until)
// Gaussians whose mean view-space positional gradient (|dL/d mean| in NDC units, averaged over
// the views that saw them) exceeds the threshold are cloned (small ones) or split in two samples
// of themselves with scales / 1.6 (large ones), then Gaussians with opacity < min_opacity or a
// too large footprint (world or screen) are pruned; the count never exceeds max_gaussians (the
// largest gradients win). Every opacity_reset_every steps opacities are clamped to <= 0.01.
// The returned remap lets the optimiser moments follow the Gaussians (clones and split halves
// start fresh, as in 3DGS).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "neural/fit/fittable.h"
#include "neural/gaussians/gaussian_cloud.h"
#include "neural/gaussians/gaussian_render.h"

namespace strata {

struct GaussianFitOptions {
  int sh_degree = 3;             // SH degree fitted (0..3); the seed's coefficients are kept
  int sh_increase_every = 1000;  // steps between switching on the next SH band (0: all at once)
  float scene_extent = 1.0f;     // metres: the scene's radius (3DGS: 1.1 x the cameras' radius);
                                 // scales the position learning rate and the size thresholds
  float position_lr = 1.6e-4f;   // per metre of scene_extent (3DGS)
  float scale_lr = 5e-3f;        // log scales
  float rotation_lr = 1e-3f;     // quaternion components
  float opacity_lr = 2.5e-2f;    // opacity logits
  float sh_dc_lr = 2.5e-3f;      // SH DC
  float sh_rest_lr = 1.25e-4f;   // higher SH bands (3DGS: DC rate / 20)
  int densify_from = 500;        // first step that may densify
  int densify_until = 15000;     // no densification (nor opacity reset) from this step on
  int densify_every = 100;       // steps between densifications
  float densify_grad_threshold = 2e-4f;  // mean |dL/d mean| in NDC units (3DGS)
  float percent_dense = 0.01f;  // largest scale (x extent) of a Gaussian that is cloned, not split
  int opacity_reset_every = 3000;     // steps between opacity resets (0: never)
  float min_opacity = 0.005f;         // pruned below this opacity
  float max_world_scale = 0.1f;       // pruned when its largest scale exceeds this x extent (only
                                      // after the first opacity reset, as 3DGS)
  float max_screen_fraction = 0.25f;  // pruned when its footprint radius exceeded this fraction of
                                      // a view's larger side (same condition; 0: never)
  size_t max_gaussians = 200000;      // densification never grows the cloud beyond this
  uint64_t seed = 1;                  // split sampling
  GaussianRenderOptions render;       // background must stay transparent (the Fittable contract)
};

// What densification did at its last run (for logs and tests).
struct DensifyStats {
  int step = 0;       // step of the last densification (0: none yet)
  size_t cloned = 0;  // Gaussians copied
  size_t split = 0;   // Gaussians replaced by two samples each
  size_t pruned = 0;  // Gaussians removed or not made (split originals not counted):
                      // after = before + cloned + split - pruned
  size_t capped = 0;  // candidates skipped because of max_gaussians
  size_t before = 0;  // count before
  size_t after = 0;   // count after
};

class GaussianFittable : public Fittable {
 public:
  // Takes `seed` (consistent, at least one Gaussian; InputError when empty) as the start; its SH
  // degree is raised to options.sh_degree. Quaternions are normalised.
  GaussianFittable(const GaussianCloud& seed, const GaussianFitOptions& options);

  std::vector<float>& parameters() override { return params_; }
  std::vector<ParameterGroup> groups() const override;
  const Image& forward(const Camera& camera) override;
  void backward(const Image& dL_dimage, std::vector<float>& gradients) override;
  std::vector<long> after_step(int step) override;
  // Writes an Inria PLY (binary) of the current cloud, all fitted SH bands.
  void save(const std::string& path) const override;
  std::string describe() const override;

  // The current parameters as a cloud.
  GaussianCloud cloud() const;
  size_t size() const { return count_; }
  int active_sh_degree() const { return active_degree_; }
  const DensifyStats& last_densify() const { return last_densify_; }
  const GaussianFitOptions& options() const { return options_; }
  // Whether the fit has diverged: a non-finite parameter, a mean beyond 10^6 scene extents or a
  // scale above e^30 m. backward() then writes a NaN gradient (the loop's NaN guard stops).
  bool diverged() const;
  // Runs one densification now (what after_step does at its schedule), returning the remap.
  // `step` decides whether the size prunes apply (after the first opacity reset).
  std::vector<long> densify_and_prune(int step);
  // Clamps every opacity to <= 0.01 (3DGS's reset); returns the remap (opacity state fresh).
  std::vector<long> reset_opacity();

 private:
  struct Layout {  // offsets of the blocks of the flat buffer for n Gaussians
    size_t n = 0, k = 1;
    size_t positions() const { return 0; }
    size_t log_scales() const { return 3 * n; }
    size_t rotations() const { return 6 * n; }
    size_t opacities() const { return 10 * n; }
    size_t sh_dc() const { return 11 * n; }
    size_t sh_rest() const { return 14 * n; }
    size_t total() const { return 14 * n + 3 * n * (k - 1); }
  };
  Layout layout() const { return Layout{count_, size_t(coefficients_)}; }
  void write_cloud(GaussianCloud* cloud) const;  // parameters -> cloud (all bands)
  void read_cloud(const GaussianCloud& cloud);   // cloud -> parameters, count_ from the cloud
  void normalise_rotations();
  // Rebuilds the buffer from `source[j]` (old Gaussian index of new Gaussian j) with the given
  // per-Gaussian parameters; returns the per-parameter remap (fresh[j]: new state).
  std::vector<long> remap(const GaussianCloud& next, const std::vector<size_t>& source,
                          const std::vector<bool>& fresh);

  GaussianFitOptions options_;
  int coefficients_ = 1;       // SH coefficients a Gaussian, (sh_degree + 1)^2
  int active_degree_ = 0;      // SH bands rendered so far
  size_t count_ = 0;           // Gaussians
  std::vector<float> params_;  // the flat buffer (see the file comment)
  std::mt19937_64 rng_;

  // Forward state (for backward) and densification statistics.
  GaussianCloud rendered_;            // the cloud of the last forward
  Camera camera_;                     // its camera
  GaussianRasterState state_;         // its intermediates
  Image image_;                       // its render
  std::vector<float> grad_accum_;     // per Gaussian: sum of |dL/d mean2d| (NDC units)
  std::vector<uint32_t> grad_views_;  // per Gaussian: views that saw it since the last densify
  std::vector<float> max_radius_;     // per Gaussian: largest footprint radius / view size
  DensifyStats last_densify_;
};

}  // namespace strata
