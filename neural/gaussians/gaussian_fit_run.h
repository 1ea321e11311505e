// The whole run behind `strata fit gaussians DATA`: load a dataset, start from random Gaussians
// in its bounds (3DGS's start for synthetic scenes), fit them to the training photographs with
// densification on the one fitting loop (neural/fit/fit_loop.h), save an Inria PLY (also the
// checkpoint) and score the held-out views. Also what `strata convert --to gaussians` shares.
#pragma once

#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/metrics.h"
#include "neural/fit/fit_loop.h"
#include "neural/gaussians/gaussian_fittable.h"

namespace strata {

struct GaussianDatasetFitOptions {
  std::string data;              // dataset folder or transforms*.json (dataset.h)
  std::string out;               // the .ply to write (also the checkpoint)
  int downscale = 1;             // dataset image downscale (>= 1)
  int test_every = 8;            // split rule for single-file datasets
  size_t seed_points = 10000;    // random Gaussians in the dataset's bounds to start from
  GaussianFitOptions gaussians;  // learning rates, densification (scene_extent is set here)
  FitLoopOptions loop;           // steps or minutes, loss, background, checkpoints
};

// What a Gaussian fit (to photographs or to a teacher) reports.
struct GaussianRunReport {
  std::string summary;             // what was fitted to what (printed at the start)
  size_t seeded = 0;               // Gaussians at the start
  size_t gaussians = 0;            // Gaussians at the end
  FitLoopReport fit;               // the loop's report; fit.held_out: against the test photographs
  double steps_per_second = 0;     // optimiser steps per second of fitting time
  std::vector<ViewScore> teacher;  // conversion only: the teacher on the same held-out views
  std::vector<ViewScore> vs_teacher;  // conversion only: the Gaussians against the teacher's
                                      // renders of those views
};

// Runs `strata fit gaussians` (see the file comment). Throws InputError for bad data or options
// (including cameras that do not see the dataset's bounds). On a NaN the report says so
// (fit.stopped_on_nan) and `out` holds the last good checkpoint, if any.
GaussianRunReport fit_gaussians_to_dataset(const GaussianDatasetFitOptions& options);

// 3DGS's scene extent: 1.1 x the largest distance of a camera centre from their mean (at least a
// small positive size). Precondition: cameras not empty.
float camera_extent(const std::vector<Camera>& cameras);

// Scales a densification schedule written for 3DGS's 30k steps to `steps` (clamped so that a
// few densifications happen): densify_from/until/every and the opacity reset interval.
void scale_schedule(int steps, GaussianFitOptions* options);

// The steps a run will take: loop.steps, or for a timed run (loop.minutes) an estimate from the
// speed of a forward and backward pass of `seed` on a few of `train`'s views (the cloud grows,
// so the estimate errs long and densification ends a little early). At least 200.
int planned_steps(const GaussianCloud& seed, const GaussianFitOptions& gaussians,
                  const std::vector<FitView>& train, const FitLoopOptions& loop);

// The held-out table: one line per view (PSNR, SSIM; the teacher's and the Gaussians-vs-teacher
// columns when present) and the means last. Several lines, no trailing newline.
std::string held_out_table(const GaussianRunReport& report);

}  // namespace strata
