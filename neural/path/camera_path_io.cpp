// Camera path files: strata's path.json (read and write), nerfstudio's camera_path.json and
// instant-ngp's base_cam.json (read). The kind is detected from the content.
//
// path.json (strata), version 1:
//   {
//     "version": 1,                     // required; other versions are rejected
//     "kind": "camera_path",            // required; identifies the file
//     "interpolation": "smooth",        // "smooth" (default) or "linear"
//     "loop": false,                    // default false; a loop closes back to the first keyframe
//                                       // after one mean keyframe spacing
//     "width": 1280, "height": 720,     // preferred output size; both 0 or absent = caller picks
//     "keyframes": [                    // at least one, times strictly increasing
//       {"time": 0.0,                   // seconds
//        "fov_y_deg": 50,               // vertical field of view, degrees in (0, 180)
//        "camera_to_world": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]}
//     ]                                 // 4 rows of 4 (transforms.json layout), OpenGL camera
//   }                                   // axes: x right, y up, looking down -z
// A camera_to_world with scale or shear is replaced by its nearest rotation (polar decomposition,
// translation kept) with a warning; a mirrored or degenerate 3x3, or a last row other than
// [0 0 0 1], is an error. Writing then reading gives the same path exactly: numbers are written
// with the shortest text that reads back to the same float.
//
// nerfstudio camera_path.json (written by the viewer's render panel, read by ns-render's
// get_path_from_json in nerfstudio/cameras/camera_paths.py):
//   {"camera_type": "perspective", "render_width": W, "render_height": H, "fps": 30,
//    "seconds": 4, "is_cycle": false,
//    "camera_path": [{"camera_to_world": [16 numbers, row-major 4x4], "fov": deg, "aspect": a}]}
//   - camera_to_world: OpenGL camera axes, as strata; in nerfstudio's world frame (the
//     dataparser-transformed, scaled frame its models are trained in), used as is.
//   - fov: vertical, degrees (ns-render turns it into fy = H / 2 / tan(fov / 2)).
//   - Each entry is one rendered frame; strata keeps each as a keyframe at time
//     i * seconds / N (nerfstudio renders frame i at i / N of the duration), or i / fps without
//     "seconds", or i seconds without either. is_cycle sets loop; with it the loop's period is
//     exactly "seconds". Other camera types (fisheye, equirectangular) are rejected; "aspect",
//     "keyframes" (the editor's control points) and "render_time" are ignored.
//
// instant-ngp base_cam.json (CameraPath::save in instant-ngp's src/camera_path.cu):
//   {"loop": false, "time": 0.5,
//    "path": [{"R": [x, y, z, w], "T": [x, y, z], "fov": deg, "scale": .., "slice": ..,
//              "aperture_size": ..}]}
//   - R is the camera rotation as quaternion coefficients in Eigen's storage order x, y, z, w
//     (CameraKeyframe::R is an Eigen::Vector4f filled from Quaternionf::coeffs()); T is the camera
//     position. Both are in instant-ngp's NGP space, whose camera looks down +z with y down in the
//     image, with the axes cycled from the NeRF frame (NGP (x, y, z) = NeRF (y, z, x)).
//   - Converted back as instant-ngp's NerfDataset::ngp_matrix_to_nerf does, with the default
//     dataset scale 0.33 and offset [0.5, 0.5, 0.5] (NERF_SCALE and load_nerf's defaults): rows
//     cycled back, the y and z columns negated, position = (T_cycled - offset) / scale. A dataset
//     whose transforms.json sets its own "scale"/"offset" puts its poses elsewhere; strata cannot
//     know that from base_cam.json alone.
//   - fov: degrees along instant-ngp's fov axis, which is vertical (axis 1) unless the user
//     changed it in its GUI; strata reads it as vertical.
//   - Keyframes are evenly spaced in instant-ngp's timeline: strata puts them 1 s apart. "loop"
//     sets loop; "time" (the playback position) and scale/slice/aperture/glow are ignored.
//     instant-ngp plays its keyframes through a uniform cubic B-spline, which approximates rather
//     than passes through the inner keyframes; strata's spline passes through them, so the motion
//     differs slightly from instant-ngp's.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/json_io.h"
#include "neural/path/camera_path.h"
#include "neural/path/rigid_pose.h"

namespace strata {

namespace {

constexpr int kPathVersion = 1;
const char* const kNotACameraPath =
    "not a camera path (expected strata path.json, nerfstudio camera_path.json or instant-ngp "
    "base_cam.json)";

// instant-ngp's default NeRF-to-NGP transform (nerf_loader.h NERF_SCALE, load_nerf's offset).
constexpr double kNgpScale = 0.33;
constexpr double kNgpOffset = 0.5;

// Checks a pose read from `view` and returns it rigid (see the format notes above).
mat4 checked_pose(const mat4& m, const JsonView& view) {
  const std::string problem = path_internal::pose_problem(m);
  if (!problem.empty()) view.fail(problem);
  const double error = path_internal::orthonormality_error(m);
  // Rigid to float precision: kept bit for bit, so path.json round trips exactly.
  if (error <= 1e-6) return m;
  if (error > 1e-3)
    warn(view.file() + ": field '" + view.path() +
         "' has scale or shear; using the nearest rotation");
  return path_internal::rigid_pose(m);
}

float checked_fov(const JsonView& view) {
  const double fov = view.number();
  if (!(fov > 0.0 && fov < 180.0))
    view.fail("expected a vertical field of view in degrees in (0, 180), got " +
              std::to_string(fov));
  return float(fov);
}

void read_size(const JsonView& root, const char* width_key, const char* height_key,
               CameraPath* path) {
  path->width = root.integer_or(width_key, 0);
  path->height = root.integer_or(height_key, 0);
  if (path->width < 0 || path->width > 32768)
    root.at(width_key).fail("expected 0 (caller chooses) or a width in 1..32768 pixels");
  if (path->height < 0 || path->height > 32768)
    root.at(height_key).fail("expected 0 (caller chooses) or a height in 1..32768 pixels");
  if ((path->width == 0) != (path->height == 0))
    root.fail(std::string("expected both '") + width_key + "' and '" + height_key + "' or neither");
}

CameraPath read_strata(const JsonView& root) {
  CameraPath path;
  const JsonView version = root.at("version");
  if (version.integer() != kPathVersion)
    version.fail("expected version " + std::to_string(kPathVersion) + ", found " +
                 std::to_string(version.integer()));
  const std::string interpolation = root.string_or("interpolation", "smooth");
  if (interpolation == "smooth") {
    path.interpolation = PathInterpolation::kSmooth;
  } else if (interpolation == "linear") {
    path.interpolation = PathInterpolation::kLinear;
  } else {
    root.at("interpolation")
        .fail("expected \"smooth\" or \"linear\", found \"" + interpolation + "\"");
  }
  path.loop = root.boolean_or("loop", false);
  read_size(root, "width", "height", &path);

  const JsonView keys = root.at("keyframes");
  const size_t n = keys.array_size();
  if (n == 0) keys.fail("expected at least one keyframe");
  for (size_t i = 0; i < n; ++i) {
    const JsonView key = keys.at(i);
    Keyframe k;
    const JsonView time = key.at("time");
    k.time = time.number();
    if (i > 0 && !(k.time > path.keyframes.back().time))
      time.fail("expected times strictly increasing: " + std::to_string(k.time) +
                " s is not after the previous keyframe's " +
                std::to_string(path.keyframes.back().time) + " s");
    const JsonView pose = key.at("camera_to_world");
    k.camera_to_world = checked_pose(pose.matrix4(), pose);
    k.fov_y_deg = checked_fov(key.at("fov_y_deg"));
    path.keyframes.push_back(k);
  }
  return path;
}

// nerfstudio's camera_to_world: 16 numbers, row-major (a 4x4 list of rows is accepted too).
mat4 nerfstudio_matrix(const JsonView& view) {
  const Json& raw = view.raw();
  if (raw.is_array() && raw.size() == 16) {
    mat4 m(1.0f);
    for (size_t i = 0; i < 16; ++i) m[int(i % 4)][int(i / 4)] = float(view.at(i).number());
    return m;
  }
  if (raw.is_array() && raw.size() == 4 && raw[0].is_array()) return view.matrix4();
  view.fail("expected 16 numbers (a row-major 4x4 matrix)");
}

CameraPath read_nerfstudio(const JsonView& root) {
  CameraPath path;
  const std::string camera_type = root.string_or("camera_type", "perspective");
  if (camera_type != "perspective")
    root.at("camera_type")
        .fail("only perspective camera paths are supported, found \"" + camera_type + "\"");
  read_size(root, "render_width", "render_height", &path);
  path.loop = root.boolean_or("is_cycle", false);
  path.interpolation = PathInterpolation::kSmooth;

  const JsonView frames = root.at("camera_path");
  const size_t n = frames.array_size();
  if (n == 0) frames.fail("expected at least one camera");
  double spacing = 1.0;  // seconds between entries
  if (root.has("seconds")) {
    const JsonView seconds = root.at("seconds");
    if (!(seconds.number() > 0.0)) seconds.fail("expected a positive duration in seconds");
    spacing = seconds.number() / double(n);
  } else if (root.has("fps")) {
    const JsonView fps = root.at("fps");
    if (!(fps.number() > 0.0)) fps.fail("expected a positive frame rate");
    spacing = 1.0 / fps.number();
  }
  for (size_t i = 0; i < n; ++i) {
    const JsonView frame = frames.at(i);
    Keyframe k;
    k.time = double(i) * spacing;
    const JsonView pose = frame.at("camera_to_world");
    k.camera_to_world = checked_pose(nerfstudio_matrix(pose), pose);
    k.fov_y_deg = checked_fov(frame.at("fov"));
    path.keyframes.push_back(k);
  }
  return path;
}

// NGP (x, y, z) holds NeRF (y, z, x); this takes an NGP vector back to NeRF axes.
glm::dvec3 ngp_to_nerf_axes(const glm::dvec3& v) {
  return glm::dvec3(v.z, v.x, v.y);
}

CameraPath read_instant_ngp(const JsonView& root) {
  CameraPath path;
  path.loop = root.boolean_or("loop", false);
  path.interpolation = PathInterpolation::kSmooth;
  const JsonView keys = root.at("path");
  const size_t n = keys.array_size();
  if (n == 0) keys.fail("expected at least one keyframe");
  for (size_t i = 0; i < n; ++i) {
    const JsonView key = keys.at(i);
    const JsonView r = key.at("R");
    if (r.array_size() != 4) r.fail("expected a quaternion of 4 numbers [x, y, z, w]");
    glm::dquat q;
    q.x = r.at(0).number();
    q.y = r.at(1).number();
    q.z = r.at(2).number();
    q.w = r.at(3).number();
    const double norm = glm::length(q);
    if (!(norm > 1e-9) || !std::isfinite(norm))
      r.fail("expected a non-zero quaternion [x, y, z, w]");
    const glm::dmat3 ngp = glm::mat3_cast(q / norm);
    const glm::dvec3 t = glm::dvec3(key.at("T").vector3());

    // ngp_matrix_to_nerf: cycle the rows back, flip the camera's y (down -> up) and z
    // (forward -> back) columns, undo the scale and offset.
    glm::dmat3 nerf;
    nerf[0] = ngp_to_nerf_axes(ngp[0]);
    nerf[1] = -ngp_to_nerf_axes(ngp[1]);
    nerf[2] = -ngp_to_nerf_axes(ngp[2]);
    const glm::dvec3 position = (ngp_to_nerf_axes(t) - glm::dvec3(kNgpOffset)) / kNgpScale;

    Keyframe k;
    k.time = double(i);
    k.camera_to_world = path_internal::pose_matrix(glm::quat_cast(nerf), position);
    k.fov_y_deg = checked_fov(key.at("fov"));
    path.keyframes.push_back(k);
  }
  return path;
}

// Shortest text that reads back (through a double, as JSON readers do) to exactly `value`.
std::string number_text(float value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, result.ptr);
  if (float(std::strtod(text.c_str(), nullptr)) != value) {
    // Rare: the shortest float text lies so close to a rounding boundary that going through a
    // double lands on the neighbour; write the float's exact double value instead.
    const auto exact = std::to_chars(buffer, buffer + sizeof(buffer), double(value));
    text.assign(buffer, exact.ptr);
  }
  return text;
}

std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// path.json by hand rather than Json::dump, so that the fields keep a readable order and each
// matrix row stays on one line.
std::string path_json_text(const CameraPath& path) {
  std::string s = "{\n";
  s += "  \"version\": " + std::to_string(kPathVersion) + ",\n";
  s += "  \"kind\": \"camera_path\",\n";
  s += std::string("  \"interpolation\": \"") +
       (path.interpolation == PathInterpolation::kLinear ? "linear" : "smooth") + "\",\n";
  s += std::string("  \"loop\": ") + (path.loop ? "true" : "false") + ",\n";
  s += "  \"width\": " + std::to_string(path.width) + ",\n";
  s += "  \"height\": " + std::to_string(path.height) + ",\n";
  s += "  \"keyframes\": [\n";
  for (size_t i = 0; i < path.keyframes.size(); ++i) {
    const Keyframe& k = path.keyframes[i];
    s += "    {\n";
    s += "      \"time\": " + number_text(k.time) + ",\n";
    s += "      \"fov_y_deg\": " + number_text(k.fov_y_deg) + ",\n";
    s += "      \"camera_to_world\": [\n";
    for (int r = 0; r < 4; ++r) {
      s += "        [";
      for (int c = 0; c < 4; ++c) s += (c ? ", " : "") + number_text(k.camera_to_world[c][r]);
      s += r < 3 ? "],\n" : "]\n";
    }
    s += "      ]\n";
    s += i + 1 < path.keyframes.size() ? "    },\n" : "    }\n";
  }
  s += "  ]\n}\n";
  return s;
}

}  // namespace

CameraPath read_camera_path(const std::string& path) {
  const Json json = read_json_file(path);
  const JsonView root(json, path);
  if (!json.is_object()) throw InputError(path, "", kNotACameraPath);
  CameraPath result;
  if (json.contains("kind")) {
    if (!(json["kind"].is_string() && json["kind"] == "camera_path"))
      throw InputError(path, "kind",
                       std::string(kNotACameraPath) + "; found kind " + json["kind"].dump());
    result = read_strata(root);
  } else if (json.contains("camera_path") && json["camera_path"].is_array()) {
    result = read_nerfstudio(root);
  } else if (json.contains("path") && json["path"].is_array() &&
             (json["path"].empty() ||
              (json["path"][0].is_object() &&
               (json["path"][0].contains("R") || json["path"][0].contains("T"))))) {
    result = read_instant_ngp(root);
  } else {
    throw InputError(path, "", kNotACameraPath);
  }
  result.validate(path);
  return result;
}

void write_camera_path(const std::string& path, const CameraPath& camera_path) {
  camera_path.validate(path);
  write_text_atomically(path, path_json_text(camera_path));
}

}  // namespace strata
