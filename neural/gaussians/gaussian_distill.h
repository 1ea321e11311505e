// Conversion to 3D Gaussians (PVD's distillation): any teacher representation is rendered at
// cameras taken from a dataset (its training cameras and random blends of them) or along a
// camera path, a closed-form seed is taken from the teacher's surfaces (a radiance field's
// surface points, or any teacher's depth maps), and the Gaussians are fitted to the teacher's
// views with densification on the one fitting loop. The held-out table compares the Gaussians
// with the dataset's test photographs, the teacher with the same photographs, and the Gaussians
// with the teacher's renders of those views.
#pragma once

#include <string>

#include "neural/fit/fit_loop.h"
#include "neural/gaussians/gaussian_fit_run.h"
#include "neural/gaussians/gaussian_fittable.h"
#include "neural/gaussians/gaussian_seed.h"

namespace strata {

struct GaussianConvertOptions {
  std::string teacher;       // the scene to convert: anything load_scene reads (.field, ...)
  std::string data;          // dataset: cameras to render the teacher at; its test views score
  std::string path;          // optional camera path (path.json): training views along it instead
                             // of around the dataset's cameras
  std::string out;           // the .ply to write (also the checkpoint)
  int downscale = 1;         // dataset image downscale (>= 1)
  int test_every = 8;        // split rule for single-file datasets
  int views = 100;           // extra teacher views at random blends of the training cameras (or,
                             // with `path`, the number of views along it)
  float jitter = 0.1f;       // eye jitter of the blended cameras (x the cameras' spacing)
  int seed_views = 24;       // training cameras (spread over them) the seed is taken from
  GaussianSeedOptions seed;  // back-projection of the teacher's renders
  GaussianFitOptions gaussians;  // learning rates, densification (scene_extent is set here)
  FitLoopOptions loop;           // steps or minutes, loss, background, checkpoints
};

// Runs the conversion (see the file comment). Throws InputError for a teacher that cannot be
// read as a scene, a dataset whose cameras do not see the teacher's bounds, a teacher that
// shows nothing at the seed cameras, and bad options. On a NaN the report says so
// (fit.stopped_on_nan) and `out` holds the last good checkpoint, if any.
GaussianRunReport convert_to_gaussians(const GaussianConvertOptions& options);

}  // namespace strata
