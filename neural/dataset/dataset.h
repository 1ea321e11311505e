// Dataset: posed photographs with their cameras, split into train and test views.
// Readers: transforms.json (Blender/NeRF-synthetic, instant-ngp and nerfstudio variants) and
// LLFF's poses_bounds.npy.
#pragma once

#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"

namespace strata {

struct DatasetFrame {
  std::string image_path;  // absolute or relative to the working folder; exists on disk
  Camera camera;           // intrinsics at the (downscaled) image size, pose, distortion
  int downscale = 1;       // the file is this many times larger than camera.width x height
};

struct Dataset {
  std::string source;               // the file or folder it was read from
  std::vector<DatasetFrame> train;  // views to fit
  std::vector<DatasetFrame> test;   // held-out views to evaluate
  float aabb_scale = 1.0f;          // instant-ngp's scene extent multiplier (1 when absent)
  float near_depth = 0.0f;          // LLFF depth bounds over all views, metres (0 when unknown)
  float far_depth = 0.0f;
  int downscale = 1;       // images and intrinsics are divided by this
  int skipped_frames = 0;  // frames whose image file is missing
};

struct DatasetOptions {
  int downscale = 1;   // integer factor >= 1: images box-filtered, intrinsics scaled
  int test_every = 8;  // one file holding all frames: every n-th frame (0, n, 2n...) is a test view
};

// Reads a dataset from a folder (transforms_train.json + transforms_test.json [+ _val], or
// transforms.json, or poses_bounds.npy) or a transforms*.json file.
// Split rule for a single transforms.json or poses_bounds.npy: frames are ordered by file name
// and every `test_every`-th frame (the first included) is a test view (the LLFF / mip-NeRF 360
// convention); a transforms.json whose frames carry a "split" field of "train"/"test" uses it.
// Frames whose image is missing are skipped with one warning counting them.
// Throws InputError naming the file and the field for malformed JSON, a frame without
// transform_matrix, a singular or non-finite matrix, images of mixed sizes (within one camera
// model), missing intrinsics, and a dataset without any usable frame.
Dataset load_dataset(const std::string& path, const DatasetOptions& options = {});

// Reads a frame's image at the dataset's scale (premultiplied RGBA; alpha 1 for JPGs).
// Throws InputError if its size disagrees with the frame's camera.
Image load_frame_image(const DatasetFrame& frame);

}  // namespace strata
