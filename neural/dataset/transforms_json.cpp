// transforms.json readers: the Blender/NeRF-synthetic layout (camera_angle_x, file paths without
// an extension), instant-ngp's (fl_x fl_y cx cy w h, k1 k2 p1 p2, aabb_scale) and nerfstudio's
// (camera_model, per-frame intrinsics). Poses are camera-to-world in OpenGL axes already.
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/dataset/dataset.h"
#include "neural/dataset/dataset_internal.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

// Finds the image a frame names: as written, or with a .png/.jpg extension added (Blender
// datasets omit it). Returns "" when no file exists.
std::string resolve_image(const fs::path& folder, const std::string& file_path) {
  const fs::path base = folder / file_path;
  std::error_code ec;
  if (fs::is_regular_file(base, ec)) return base.lexically_normal().string();
  for (const char* extension : {".png", ".jpg", ".jpeg", ".JPG", ".PNG"}) {
    fs::path candidate = base;
    candidate += extension;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
  }
  return "";
}

// Intrinsics that may be given at the top level and overridden per frame (nerfstudio).
struct Intrinsics {
  std::optional<double> angle_x, angle_y, fl_x, fl_y, cx, cy, w, h;
  Distortion distortion;

  void read(const JsonView& v) {
    auto get = [&](const char* key, std::optional<double>& out) {
      if (v.has(key)) out = v.at(key).number();
    };
    get("camera_angle_x", angle_x);
    get("camera_angle_y", angle_y);
    get("fl_x", fl_x);
    get("fl_y", fl_y);
    get("cx", cx);
    get("cy", cy);
    get("w", w);
    get("h", h);
    distortion.k1 = float(v.number_or("k1", distortion.k1));
    distortion.k2 = float(v.number_or("k2", distortion.k2));
    distortion.p1 = float(v.number_or("p1", distortion.p1));
    distortion.p2 = float(v.number_or("p2", distortion.p2));
    if (v.has("camera_model")) {
      const std::string model = v.at("camera_model").string();
      if (model != "OPENCV" && model != "PINHOLE" && model != "SIMPLE_PINHOLE")
        v.at("camera_model")
            .fail("camera model \"" + model + "\" is not supported; expected PINHOLE or OPENCV");
    }
  }
};

struct ParsedFrame {
  std::string sort_key;
  std::string split;  // "", "train" or "test"
  DatasetFrame frame;
};

// Reads every frame of one transforms file; frames with a missing image are counted, not read.
std::vector<ParsedFrame> read_frames(const std::string& file, int downscale, int* skipped,
                                     float* aabb_scale) {
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  if (!json.is_object()) root.fail("expected a JSON object");
  Intrinsics global;
  global.read(root);
  if (root.has("aabb_scale")) {
    *aabb_scale = float(root.at("aabb_scale").number());
    if (!(*aabb_scale > 0.0f)) root.at("aabb_scale").fail("expected a positive number");
  }
  const JsonView frames = root.at("frames");
  const fs::path folder = fs::path(file).parent_path();
  std::vector<ParsedFrame> out;
  for (size_t i = 0; i < frames.array_size(); ++i) {
    const JsonView f = frames.at(i);
    const std::string file_path = f.at("file_path").string();
    const mat4 pose = checked_pose(f.at("transform_matrix"));
    const std::string image = resolve_image(folder, file_path);
    if (image.empty()) {
      ++*skipped;
      continue;
    }
    Intrinsics in = global;
    in.read(f);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info(image.c_str(), &w, &h, &channels))
      throw InputError(image, "", "cannot read the image header (expected PNG or JPG)");
    if (in.w && int(*in.w) != w)
      throw InputError(file, f.path() + ".file_path",
                       image + " is " + std::to_string(w) +
                           " pixels wide but the camera says w = " + std::to_string(int(*in.w)) +
                           " (images of mixed sizes)");
    if (in.h && int(*in.h) != h)
      throw InputError(file, f.path() + ".file_path",
                       image + " is " + std::to_string(h) +
                           " pixels high but the camera says h = " + std::to_string(int(*in.h)) +
                           " (images of mixed sizes)");
    Camera c;
    c.width = w;
    c.height = h;
    if (in.fl_x) {
      c.fx = float(*in.fl_x);
    } else if (in.angle_x) {
      c.fx = float(0.5 * w / std::tan(0.5 * *in.angle_x));
    } else {
      f.fail("no focal length: expected fl_x or camera_angle_x, at the top level or in the frame");
    }
    if (in.fl_y) {
      c.fy = float(*in.fl_y);
    } else if (in.angle_y && !in.fl_x) {
      c.fy = float(0.5 * h / std::tan(0.5 * *in.angle_y));
    } else {
      c.fy = c.fx;
    }
    c.cx = in.cx ? float(*in.cx) : 0.5f * float(w);
    c.cy = in.cy ? float(*in.cy) : 0.5f * float(h);
    c.distortion = in.distortion;
    c.camera_to_world = pose;
    ParsedFrame parsed;
    parsed.sort_key = file_path;
    parsed.split = f.string_or("split", "");
    parsed.frame = DatasetFrame{image, scale_camera(c, downscale), downscale};
    out.push_back(std::move(parsed));
  }
  return out;
}

}  // namespace

Dataset load_transforms_json(const std::vector<std::string>& train_files,
                             const std::vector<std::string>& test_files, const std::string& source,
                             const DatasetOptions& options) {
  Dataset d;
  d.source = source;
  d.downscale = options.downscale;
  for (const auto& file : train_files)
    for (auto& p : read_frames(file, options.downscale, &d.skipped_frames, &d.aabb_scale))
      d.train.push_back(p.frame);
  for (const auto& file : test_files)
    for (auto& p : read_frames(file, options.downscale, &d.skipped_frames, &d.aabb_scale))
      d.test.push_back(p.frame);
  return d;
}

Dataset load_transforms_json_single(const std::string& file, const DatasetOptions& options) {
  Dataset d;
  d.source = file;
  d.downscale = options.downscale;
  std::vector<ParsedFrame> frames =
      read_frames(file, options.downscale, &d.skipped_frames, &d.aabb_scale);
  const bool has_split = std::any_of(frames.begin(), frames.end(),
                                     [](const ParsedFrame& p) { return !p.split.empty(); });
  std::stable_sort(frames.begin(), frames.end(), [](const ParsedFrame& a, const ParsedFrame& b) {
    return a.sort_key < b.sort_key;
  });
  for (size_t i = 0; i < frames.size(); ++i) {
    const bool test = has_split ? frames[i].split == "test"
                                : (options.test_every > 0 && i % size_t(options.test_every) == 0);
    (test ? d.test : d.train).push_back(frames[i].frame);
  }
  return d;
}

}  // namespace strata
