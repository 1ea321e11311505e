// Fits a RadianceField to posed images: each step draws a batch of random pixels (rays), marches
// them through the occupancy grid, renders them, and takes one Adam step on the squared colour
// error. RGBA images are composited on a random background colour per ray so that transparency
// is learnt as emptiness. The occupancy grid is refreshed every few steps.
// Multithreaded over chunks of rays; every random draw is a pure function of (seed, step, ray) and
// every reduction runs in a fixed order, so results depend only on the seed (not on threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/dataset/dataset.h"
#include "neural/optim/adam.h"
#include "neural/field/field_network.h"
#include "neural/field/radiance_field.h"

namespace strata {

// One training photograph.
struct TrainView {
  Camera camera;  // pose and intrinsics at the image's size
  Image image;    // premultiplied RGBA, camera.width x camera.height
};

struct TrainerOptions {
  uint64_t seed = 1;                      // every random draw derives from it
  int target_samples_per_step = 1 << 16;  // rays per step adapt to give about this many samples
  int min_rays_per_step = 256;            // bounds of that adaptation
  int max_rays_per_step = 1 << 14;
  int rays_per_chunk = 64;               // unit of parallel work
  int max_samples_per_ray = 1024;        // a ray stops after this many (rest = background)
  AdamConfig adam;                       // lr here is the default for step()
  int occupancy_interval = 16;           // steps between occupancy-grid updates
  int occupancy_warmup = 256;            // steps of the young field's frequent updates
  int occupancy_warmup_cells = 1 << 20;  // cells evaluated per update during the warm-up (all
                                         // cells if fewer; else a rotating 1/k of them)
  int occupancy_cells = 1 << 17;         // cells evaluated per update after it
  float occupancy_decay = 0.95f;         // running-max decay of a cell's density per update
  bool random_background = true;         // false: composite on `background`
  vec3 background{1.0f};                 // straight rgb, when random_background is false
};

// The optimiser's state beyond the field itself, saved in checkpoints (field_io.h).
struct TrainerState {
  uint64_t step = 0;                  // optimisation steps done
  uint64_t adam_steps = 0;            // Adam's step count (bias correction)
  std::vector<float> adam_m, adam_v;  // Adam's moments, one per parameter
  int rays_per_step = 0;              // current batch size (adapts to samples per ray)
  uint64_t occupancy_updates = 0;     // occupancy updates done
};

// What one step did.
struct StepStats {
  size_t rays = 0;       // rays in the batch
  size_t samples = 0;    // samples that reached the colour network (compacted)
  size_t marched = 0;    // samples whose density was evaluated
  double mse = 0.0;      // mean squared colour error over the batch (per channel)
  double seconds = 0.0;  // wall time of the step
};

class FieldTrainer {
 public:
  // Trains `field` (kept by reference; must outlive the trainer) on `views` (at least one, each
  // image matching its camera; throws InputError otherwise). A fresh trainer marks the occupancy
  // cells that no view sees as permanently empty, unless `resume` gives a saved state.
  FieldTrainer(RadianceField& field, std::vector<TrainView> views, const TrainerOptions& options,
               const TrainerState* resume = nullptr);
  ~FieldTrainer();
  FieldTrainer(const FieldTrainer&) = delete;
  FieldTrainer& operator=(const FieldTrainer&) = delete;

  // One optimisation step at learning rate `learning_rate` (< 0: options.adam.learning_rate).
  StepStats step(float learning_rate = -1.0f);

  uint64_t steps_done() const { return step_; }
  // A copy of the state for a checkpoint.
  TrainerState state() const;
  // Seconds per phase since construction, summed over threads.
  const PhaseTimes& times() const { return times_; }
  const RadianceField& field() const { return field_; }

 private:
  struct ChunkResult;
  struct TrainRay;

  RadianceField& field_;
  std::vector<TrainView> views_;
  TrainerOptions options_;
  FieldNetwork network_;
  Adam adam_;
  std::vector<float> gradients_;  // whole buffer, zeroed by Adam after each step
  uint64_t step_ = 0;
  int rays_per_step_ = 0;
  uint64_t occupancy_updates_ = 0;
  PhaseTimes times_;
  std::vector<ChunkResult> chunks_;
  // Work buffers, handed to whichever thread runs a chunk (contents never leak into results).
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<FieldBatch>> pool_;

  std::unique_ptr<FieldBatch> take_batch(bool training);
  void give_batch(std::unique_ptr<FieldBatch> batch);
  void run_chunk(size_t first_ray, size_t ray_count, size_t total_rays, ChunkResult& out);
  void mark_unseen_cells();
  void update_occupancy();
};

// The training views of a set of dataset frames, images loaded (InputError for unreadable ones).
std::vector<TrainView> load_train_views(const std::vector<DatasetFrame>& frames);

}  // namespace strata
