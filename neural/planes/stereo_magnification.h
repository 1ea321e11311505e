// Import of Stereo Magnification result folders (mpi_rgb_XX.png + mpi_alpha_XX.png, layer 00
// the farthest) as a fronto-parallel PlaneSet.
#pragma once

#include <string>

#include "neural/planes/plane_set.h"

namespace strata {

struct StereoMagnificationOptions {
  float near_depth = 1.0f;        // depth of the nearest plane (the last one), metres
  float far_depth = 2.0f;         // depth of the farthest plane (layer 00), metres
  float focal_fraction = 2.857f;  // fx = fy = focal_fraction * rendered image width
  int padding = 8;                // pixels of MPI border beyond the rendered image, each side
  bool back_layer_opaque =
      true;  // the farthest layer renders with alpha 1, as the paper's renderer does
};

// True when `folder` holds mpi_rgb_00.png.
bool is_stereo_magnification_folder(const std::string& folder);

// Reads every mpi_rgb_XX / mpi_alpha_XX pair in `folder`. The reference camera looks down -z
// from the origin and has the MPI's size less the padding. Throws InputError naming the file
// for a missing alpha, mismatched sizes, or a padding that leaves no image.
PlaneSet import_stereo_magnification(const std::string& folder,
                                     const StereoMagnificationOptions& options = {});

}  // namespace strata
