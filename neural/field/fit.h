// The whole fitting run behind `strata fit field`: load a dataset, create (or resume) a field,
// train for a number of steps or minutes with checkpoints written atomically, optionally score
// the test views along the way (a PSNR-against-time curve), and save the result. A stop flag
// (set by a SIGINT handler, or a test) ends the run after the current step with a checkpoint.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neural/field/field_network.h"
#include "neural/field/radiance_field.h"
#include "neural/field/trainer.h"

namespace strata {

struct FitOptions {
  std::string data;                // dataset folder or transforms*.json (dataset.h)
  std::string out;                 // the .field to write (also the checkpoint)
  int steps = 0;                   // train until this many steps in total (0: see minutes)
  double minutes = 0.0;            // or train this long (training time, evaluation excluded)
  int downscale = 1;               // dataset image downscale (>= 1)
  int test_every = 8;              // split rule for single-file datasets
  bool resume = false;             // continue from `out` (its weights and optimiser state)
  double checkpoint_seconds = 60;  // write a checkpoint this often (wall time; 0: never)
  int checkpoint_steps = 0;        // and/or every this many steps (0: never)
  double eval_seconds = 0.0;       // score the test views every this much training time (0: never)
  int eval_steps = 0;              // and/or every this many steps (0: never)
  int eval_views = 0;              // how many test views those scores use (0: all)
  float learning_rate = 1e-2f;     // Adam's step size before the decay
  float final_learning_rate = 1e-3f;  // reached at the end of the run (geometric decay)
  float decay_start = 0.5f;           // fraction of the run after which the decay starts
  FieldConfig config;                 // architecture; the bounds are fitted to the dataset
  int grid_resolution = 0;            // occupancy grid cells per axis; 0: 64 for object boxes,
                                      // 128 for larger scenes (cone-traced)
  TrainerOptions trainer;             // seed, batch sizes, occupancy-grid schedule
  bool progress = true;               // progress bar and messages on stderr
};

// One point of the PSNR-against-time curve.
struct CurvePoint {
  double seconds = 0.0;  // training time
  uint64_t step = 0;
  double psnr = 0.0;  // mean over the scored test views, dB (white background)
  double ssim = 0.0;
};

struct FitReport {
  uint64_t steps = 0;             // total steps done (resumed ones included)
  double train_seconds = 0.0;     // training time of this run
  bool stopped = false;           // ended by the stop flag
  double rays_per_second = 0.0;   // training rays per second over this run
  double samples_per_ray = 0.0;   // mean samples reaching the colour network per ray
  double marched_per_ray = 0.0;   // mean samples whose density was evaluated per ray
  double last_mse = 0.0;          // mean squared error of the last steps (per channel)
  PhaseTimes times;               // where the training time went
  std::vector<CurvePoint> curve;  // eval_seconds > 0
  std::string summary;            // dataset, box rule and sizes (also printed at the start)
};

// Runs a fit (see FitOptions). Throws InputError for bad options or data (including --resume
// without a readable `out`). `stop`: checked after every step; when set, the run writes a
// checkpoint and returns with stopped = true. `after_step` (optional) is called after every step
// with the number of steps done.
FitReport fit_field(const FitOptions& options, const std::atomic<bool>* stop = nullptr,
                    const std::function<void(uint64_t)>& after_step = {});

// The training loop of fit_field, on views given in memory (a conversion's teacher renders, say):
// trains `field` on `views` for o.steps or o.minutes with the learning-rate decay, checkpoints into
// o.out, and scores `test_frames` every o.eval_seconds. `resume`: the optimiser state to continue
// from (null: fresh). `summary_head` starts the report's summary (what was loaded). o.data,
// o.downscale, o.resume and o.config are not read (the field is already made).
FitReport train_field(RadianceField& field, std::vector<TrainView> views,
                      const TrainerState* resume, const std::vector<DatasetFrame>& test_frames,
                      const FitOptions& o, const std::string& summary_head,
                      const std::atomic<bool>* stop = nullptr,
                      const std::function<void(uint64_t)>& after_step = {});

}  // namespace strata
