// One shells run, as `strata fit shells` and `strata convert INPUT --to shells` do it: cameras and
// views (a dataset's photographs, or renders of a teacher scene around the dataset's cameras or,
// without a dataset, around the teacher), the base mesh (the user's, or a radiance field's own
// surface), shells built around it, a bake from the field when the teacher is one (the closed-form
// start; `fit --bake` starts photographs' fits from it too), the fit through the shared loop
// (neural/fit/fit_loop.h) and held-out scores.
#pragma once

#include <string>
#include <vector>

#include "neural/core/metrics.h"
#include "neural/fit/fit_loop.h"
#include "neural/shells/shell_from_field.h"

namespace strata {

struct ShellRunOptions {
  std::string data;               // dataset (fit: required; convert: optional cameras + test views)
  std::string mesh;               // base mesh (.obj/.glb/.gltf); empty: the teacher field's surface
  std::string teacher;            // convert: the scene whose renders are fitted (empty: fit photos)
  std::string bake_field;         // fit: a radiance field whose bake starts the fit (and whose
                                  // surface is the base mesh when `mesh` is empty)
  int field_views = 0;            // fit with bake_field: renders of it at this many blends of
                                  // the training cameras join the photographs
  std::string out;                // folder for shells.json + base.obj + PNGs (also the checkpoint)
  std::string resume;             // a shells folder (a checkpoint) to start from instead of new
                                  // shells (its base mesh, atlas and textures)
  int downscale = 1;              // dataset image downscale
  int test_every = 8;             // split rule for single-file datasets
  int views = 100;                // convert: teacher views
  int view_size = 256;            // convert without a dataset: teacher views' side, pixels
  float view_scale = 2.0f;        // convert: teacher views rendered at this times the cameras'
                                  // resolution: a view then constrains 4x the texels (on
                                  // nerf_toys the best shells: docs/QUALITY.md)
  ShellsFromFieldOptions shells;  // shells, thickness, texture size, field mesh and bake options
  bool bake = true;               // convert from one radiance field: start from the bake
  float color_learning_rate = 0.02f;  // Adam step of the straight colours
  float alpha_learning_rate = 0.1f;   // Adam step of the alpha logits
  float distortion = 0.0f;            // weight of the distortion loss (ShellFitRates)
  FitLoopOptions loop;                // steps/minutes, loss, background, checkpoints...
  bool progress = true;               // progress bars and messages on stderr
};

struct ShellRunReport {
  FitLoopReport fit;                      // the fit (held-out scores at the end)
  std::string summary;                    // views, mesh and shells (for people)
  std::vector<ViewScore> baked_scores;    // the bake's held-out scores before the fit
  std::vector<ViewScore> teacher_scores;  // with test photographs: the teacher's (convert) or
                                          // the bake field's (fit --bake) own scores
  std::string teacher_name = "teacher";   // what teacher_scores score: "teacher" or "field"
};

// Runs the whole thing; the result is in options.out. Throws InputError for bad options, a
// missing mesh when fitting photographs, unreadable inputs.
ShellRunReport run_shells_fit(const ShellRunOptions& options);

// `count` pinhole cameras (width x width, 40 degree field of view) on a sphere around `bounds`
// looking at its centre, spread evenly (Fibonacci), from 15 degrees below the equator up.
std::vector<Camera> cameras_around_bounds(const Bounds3& bounds, int count, int width);

}  // namespace strata
