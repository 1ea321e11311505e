// Where the views a fit matches come from: a dataset's photographs, or renders of a teacher
// representation (conversion, PVD's distillation) at cameras sampled around a dataset's cameras
// or along a camera path; and the reference camera of an MPI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/dataset/dataset.h"
#include "neural/fit/fit_view.h"
#include "neural/path/camera_path.h"
#include "neural/scene/scene.h"

namespace strata {

// Loads the dataset a plane or shell fit uses (cameras, photographs, test split). Throws
// InputError when it has no training views, or when a training camera is not a pinhole one
// ("expected pinhole cameras for <representation>").
Dataset load_pinhole_dataset(const std::string& path, int downscale, int test_every,
                             const std::string& representation);

// The frames' photographs as fit views (at the dataset's downscale; names are the file stems).
// Shows a progress bar when `progress`. Throws InputError for unreadable images.
std::vector<FitView> dataset_views(const std::vector<DatasetFrame>& frames, bool progress = true);

// The cameras of `frames`, in order.
std::vector<Camera> frame_cameras(const std::vector<DatasetFrame>& frames);

// Index of the camera nearest the centre (mean position) of all of them: an MPI's reference
// camera. Precondition: `cameras` is not empty.
int reference_camera_index(const std::vector<Camera>& cameras);

// `count` cameras sampled around `cameras` (not empty): each blends the pose of a random camera
// with one of its 6 nearest others by a random weight (rotations by slerp; positions along the
// sphere about the point the cameras look at when they orbit one, else linearly), then moves the
// eye by a random offset of `jitter` times the mean distance between neighbouring cameras (RMS);
// intrinsics and size are the first camera's (scaled to `width` x `height` when both > 0).
// Deterministic for a `seed`.
std::vector<Camera> cameras_around(const std::vector<Camera>& cameras, int count, float jitter,
                                   uint64_t seed, int width = 0, int height = 0);

// `count` cameras along `path` (CameraPath::sample) at width x height.
std::vector<Camera> cameras_along_path(const CameraPath& path, int count, int width, int height);

// The cameras a conversion renders its teacher at: `train_cameras` (not empty) and `views` blends
// of them (cameras_around with `jitter` and `seed`), or, when `path_file` is set, `views` (at
// least 1) cameras along that path.json at the training cameras' size. Throws InputError for an
// unreadable path.
std::vector<Camera> conversion_cameras(const std::vector<Camera>& train_cameras,
                                       const std::string& path_file, int views, float jitter,
                                       uint64_t seed);

// Renders `teacher` (CPU reference renderer, neural/scene/scene_render.h) at each camera: the
// views a student fits in a conversion. Names are "<prefix>_N". Shows a progress bar when
// `progress`.
std::vector<FitView> teacher_views(const Scene& teacher, const std::vector<Camera>& cameras,
                                   const std::string& prefix = "teacher", bool progress = true);

}  // namespace strata
