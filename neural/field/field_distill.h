// Conversion to a radiance field (PVD's distillation into a field): any teacher representation
// is rendered at a dataset's training cameras and at random blends of them (or along a camera
// path), and a fresh field, boxed by the dataset's rule (field_bounds.h), is trained on those
// renders with the field's own trainer. The held-out table compares the field with the dataset's
// test photographs, the teacher with the same photographs, and the field with the teacher's
// renders of those views.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "neural/core/metrics.h"
#include "neural/field/fit.h"

namespace strata {

struct FieldConvertOptions {
  std::string teacher;  // the scene to convert: anything load_scene reads
  std::string data;     // dataset: cameras to render the teacher at, the box; test views score
  std::string path;     // optional camera path (path.json): views along it instead
  int views = 100;      // teacher views at random blends of the training cameras (or along path)
  float jitter = 0.1f;  // eye jitter of the blended cameras (x the cameras' spacing)
  FitOptions fit;       // out, steps/minutes, downscale, learning rates, architecture, trainer
};

struct FieldConvertReport {
  FitReport fit;                      // the training run
  std::string summary;                // what was fitted to what
  std::vector<ViewScore> field;       // the field against the test photographs
  std::vector<ViewScore> teacher;     // the teacher against the same photographs
  std::vector<ViewScore> vs_teacher;  // the field against the teacher's renders of them
};

// Runs the conversion (see the file comment); the field is written to options.fit.out (also the
// checkpoint, atomically). Throws InputError for a teacher that cannot be read as a scene or holds
// nothing, a dataset whose cameras do not see the teacher's bounds, and bad options. `stop` ends
// the training early (with a checkpoint), as for fit_field.
FieldConvertReport convert_to_field(const FieldConvertOptions& options,
                                    const std::atomic<bool>* stop = nullptr);

}  // namespace strata
