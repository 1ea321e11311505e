// The one fitting loop every representation shares (PVD: any representation fitted to posed
// photographs, or to another representation's renders). Per step: pick random views (random
// square patches of them, through cropped pinhole cameras), render with Fittable::forward,
// composite render and target over the background, take the loss (L1 or L2, optionally mixed
// with D-SSIM), back-propagate through Fittable::backward and take one Adam step with each
// parameter group's learning rate (exponential decay over the run). Held-out views are scored
// every N steps and at the end; checkpoints go through Fittable::save. A NaN guard stops the run
// before a non-finite loss or gradient reaches the parameters.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neural/core/math.h"
#include "neural/core/metrics.h"
#include "neural/fit/fit_view.h"
#include "neural/fit/fittable.h"
#include "neural/scene/scene.h"

namespace strata {

enum class FitLoss {
  kL1,  // mean |render - target| over RGB
  kL2,  // mean (render - target)^2 over RGB
};

struct FitLoopOptions {
  int steps = 0;           // stop after this many steps (0: use `minutes`; both 0: 1000 steps)
  double minutes = 0.0;    // or after this much fitting time (evaluation and checkpoints excluded)
  int patch_size = 0;      // side of the random square crop fitted per view and step, pixels
                           // (0 or larger than the view: the whole view)
  int views_per_step = 1;  // views (patches) whose gradients add up in one step
  FitLoss loss = FitLoss::kL1;
  float dssim_weight = 0.0f;  // lambda of (1 - lambda) * loss + lambda * (1 - SSIM) (3DGS: 0.2)
  float final_learning_rate_factor = 0.1f;  // each group's rate decays exponentially from its
                                            // ParameterGroup::learning_rate to this fraction of it
  float beta1 = 0.9f;                       // Adam first-moment decay
  float beta2 = 0.999f;                     // Adam second-moment decay
  float epsilon = 1e-15f;                   // Adam epsilon
  bool sparse_adam = true;  // a parameter whose gradient is exactly 0 in a step is left alone
                            // (moments included): texels and Gaussians outside the patch
  vec3 background{0.0f};    // straight RGB behind render and target for the loss and scores
  bool random_background = false;  // training only: a random background colour per step (makes
                                   // transparent targets constrain alpha); scores use `background`
  int eval_every = 0;  // score the held-out views every this many steps (0: at the end only)
  int eval_views = 0;  // how many held-out views the periodic scores use (0: all)
  std::string checkpoint_path;  // when set: Fittable::save(checkpoint_path) every
                                // checkpoint_every steps and at the end (never a non-finite state)
  int checkpoint_every = 0;     // steps between checkpoints (0: only at the end)
  uint64_t seed = 1;            // view, patch and background choice (same seed, same run)
  bool progress = true;         // progress bar on stderr (steps, loss, training PSNR)
  const std::atomic<bool>* stop = nullptr;  // optional: checked after each step; ends the run
                                            // (with a final checkpoint) when set
  std::function<void(int step, double loss)> on_step;  // optional, after each step
};

// One held-out score of the run's curve.
struct FitCurvePoint {
  int step = 0;
  double seconds = 0.0;  // fitting time so far
  double psnr = 0.0;     // mean over the scored held-out views, dB
  double ssim = 0.0;
};

struct FitLoopReport {
  int steps = 0;                    // optimiser steps taken
  double seconds = 0.0;             // fitting time (evaluation and checkpoints excluded)
  double final_loss = 0.0;          // mean training loss over the last (up to 50) steps
  double final_train_psnr = 0.0;    // training PSNR over the same steps, dB (from the MSE)
  std::vector<ViewScore> held_out;  // every held-out view at the end, in order (empty: no test)
  double mean_psnr = 0.0;           // mean of held_out's PSNRs (the NeRF convention), dB
  double mean_ssim = 0.0;
  std::vector<FitCurvePoint> curve;  // eval_every > 0: the periodic scores
  bool stopped = false;              // ended by the stop flag
  bool stopped_on_nan = false;       // a non-finite loss or gradient ended the run: the step was
                                     // not applied; the Fittable holds the parameters that gave
                                     // it (do not save them), the checkpoint the last good state
  int last_checkpoint_step = -1;     // step of the last checkpoint written (-1: none)
  std::string message;               // stopped_on_nan: what went wrong, for the user
};

// Fits `model` to `train` (at least one view), scoring `test` (may be empty). Throws
// InputError for empty training views or bad options (patch size < 0, ...). Never throws on a
// NaN: it sets stopped_on_nan and returns.
FitLoopReport fit_to_views(Fittable& model, const std::vector<FitView>& train,
                           const std::vector<FitView>& test, const FitLoopOptions& options);

// Scores `model` on `views` (whole images, over `background`): PSNR and SSIM per view.
std::vector<ViewScore> score_views(Fittable& model, const std::vector<FitView>& views,
                                   vec3 background);
// Scores a scene (a conversion's teacher) the same way, rendered by the CPU reference.
std::vector<ViewScore> score_scene(const Scene& scene, const std::vector<FitView>& views,
                                   vec3 background);

// A pinhole camera showing the pixel rectangle [x0, x0 + width) x [y0, y0 + height) of
// `camera`'s image (the principal point shifted); pixel (i, j) of the crop is pixel
// (x0 + i, y0 + j) of the original.
Camera crop_camera(const Camera& camera, int x0, int y0, int width, int height);
// The same rectangle of an image.
Image crop_image(const Image& image, int x0, int y0, int width, int height);

}  // namespace strata
