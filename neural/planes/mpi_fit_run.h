// The whole run behind `strata fit planes|smpi` and `strata convert --to planes|smpi`: views (a
// dataset's photographs, or a teacher scene's renders around the dataset's cameras or along a
// camera path), the reference camera, the layout (a fronto-parallel MPI, or a structural MPI
// from the depth of a radiance field fitted to the photographs first, or of the teacher), the
// closed-form start (field -> MPI when the teacher is one radiance field), the fit
// (neural/fit/fit_loop.h), the result written to a planes.json folder (also the checkpoint), and
// the held-out scores.
#pragma once

#include <string>
#include <vector>

#include "neural/fit/fit_loop.h"
#include "neural/planes/mpi_fit.h"
#include "neural/planes/smpi.h"

namespace strata {

enum class PlanesLayout {
  kMpi,         // fronto-parallel planes at the reference camera
  kStructural,  // posed planes on the scene's dominant planes + fronto-parallel ones
};

struct PlanesRunOptions {
  PlanesLayout layout = PlanesLayout::kMpi;
  std::string data;           // dataset folder or transforms*.json (fit: the photographs; convert:
                              // the cameras, and the test photographs that score the result)
  std::string teacher;        // convert: the scene whose renders are fitted (empty: fit)
  std::string camera_path;    // convert: render the teacher along this path.json instead
  std::string out;            // folder for planes.json + PNGs (also the checkpoint)
  int downscale = 1;          // dataset image downscale
  int test_every = 8;         // split rule for single-file datasets
  int views = 64;             // convert: teacher views (around the cameras, or along the path)
  int planes = 32;            // MPI planes; S-MPI: fronto-parallel planes for the rest
  int reference_camera = -1;  // training view index (-1: nearest the centre of all of them)
  float near_angle_deg = 25.0f;  // views whose viewing direction is within this of the
                                 // reference's are "near" it (convert: teacher views, scores)
  DepthRange range;         // 0: estimated (plane sweep over the photographs, or teacher depth)
  float padding = 0.15f;    // MPI textures grow by this share of the view on every side
  bool closed_form = true;  // convert from one radiance field: start from field_to_mpi
  SmpiOptions smpi;         // S-MPI layout
  float depth_field_share = 0.3f;     // S-MPI fit from photographs: share of the minutes (or, of
                                      // --steps, that many field steps, at least 400 or all of
                                      // --steps when fewer) spent on the
                                      // radiance field whose depth the dominant planes are found in
  float color_learning_rate = 0.05f;  // Adam step sizes of the texture logits
  float alpha_learning_rate = 0.05f;
  FitLoopOptions loop;   // steps/minutes, loss, schedule, checkpoints...
  bool progress = true;  // progress bars and messages on stderr
};

struct PlanesRunReport {
  FitLoopReport fit;                          // the main fit (the S-MPI's, not its first MPI's)
  std::string summary;                        // views, reference camera, layout, sizes (for people)
  int planes = 0;                             // planes in the result
  int structural_planes = 0;                  // of which posed on the scene's planes
  DepthRange range;                           // the (fronto-parallel) planes' depth range
  int reference_index = -1;                   // the reference training view (-1: given by a path)
  std::vector<ViewScore> teacher_scores;      // convert with test photographs: the teacher's own
                                              // scores on the same views as fit.held_out
  std::vector<ViewScore> closed_form_scores;  // field -> MPI: the closed-form start's scores
};

// Runs a fit or a conversion (see PlanesRunOptions). Throws InputError for bad data, teacher
// files that hold no scene, cameras that do not see the teacher, or options that cannot work.
// A NaN stops the fit: report.fit.stopped_on_nan is set and `out` holds the last checkpoint.
PlanesRunReport run_planes_fit(const PlanesRunOptions& options);

// Throws InputError naming `where` unless at least one camera sees a point of `bounds` (its
// centre or a corner projects into the image in front of the camera).
void check_cameras_see(const Bounds3& bounds, const std::vector<Camera>& cameras,
                       const std::string& where);

}  // namespace strata
