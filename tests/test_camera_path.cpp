// CameraPath: interpolation (through the keyframes, C1, orthonormal, short way round, loops),
// sampling, path.json round trips, the nerfstudio and instant-ngp readers, bad input, and the
// orbit / spiral / wiggle generators.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "neural/core/error.h"
#include "neural/path/camera_path.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string dir = test::output_dir() + "/camera_path";
  fs::create_directories(dir);
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

mat4 pose(float angle_deg, vec3 axis, vec3 position) {
  mat4 m = glm::mat4_cast(glm::angleAxis(glm::radians(angle_deg), glm::normalize(axis)));
  m[3] = vec4(position, 1.0f);
  return m;
}

vec3 position_of(const mat4& m) {
  return vec3(m[3]);
}
vec3 forward_of(const mat4& m) {
  return -vec3(m[2]);
}

float max_abs_difference(const mat4& a, const mat4& b) {
  float worst = 0.0f;
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) worst = std::max(worst, std::abs(a[c][r] - b[c][r]));
  return worst;
}

// Rotation vector (axis * angle) of the rotation taking frame a to frame b, in a's frame.
glm::dvec3 rotation_vector(const mat4& a, const mat4& b) {
  const glm::dmat3 r = glm::transpose(glm::dmat3(mat3(a))) * glm::dmat3(mat3(b));
  const double cos_angle = std::clamp((r[0][0] + r[1][1] + r[2][2] - 1.0) / 2.0, -1.0, 1.0);
  const double angle = std::acos(cos_angle);
  const glm::dvec3 axis_sin(r[1][2] - r[2][1], r[2][0] - r[0][2], r[0][1] - r[1][0]);
  if (angle < 1e-9) return 0.5 * axis_sin;
  return axis_sin * (angle / (2.0 * std::sin(angle)));
}

// Angle between two directions, accurate near 0 (unlike acos of a float dot product).
double angle_between_deg(vec3 a, vec3 b) {
  const glm::dvec3 da(a), db(b);
  return glm::degrees(std::atan2(glm::length(glm::cross(da, db)), glm::dot(da, db)));
}

// Five keyframes with unequal spacing, turning about several axes, moving and zooming.
CameraPath uneven_path(PathInterpolation mode, bool loop) {
  CameraPath path;
  path.interpolation = mode;
  path.loop = loop;
  path.keyframes = {
      {0.0, pose(0, {0, 1, 0}, {0, 0, 4}), 50.0f},
      {0.5, pose(35, {0.2f, 1, 0}, {1.5f, 0.3f, 3.5f}), 45.0f},
      {2.0, pose(80, {0.1f, 1, 0.3f}, {3, 0.8f, 1}), 60.0f},
      {2.3, pose(120, {0, 1, 0.2f}, {3.2f, 1.0f, -0.5f}), 55.0f},
      {4.0, pose(170, {-0.1f, 1, 0}, {0.5f, 0.2f, -3}), 40.0f},
  };
  return path;
}

// Second-order one-sided velocities just before and just after time t.
struct Velocities {
  glm::dvec3 position_before, position_after;
  glm::dvec3 angular_before, angular_after;  // body frame of the pose at t, rad/s
  double fov_before, fov_after;
};

Velocities velocities_at(const CameraPath& path, double t, double h) {
  const Keyframe k0 = path.evaluate(t);
  const Keyframe a1 = path.evaluate(t + h), a2 = path.evaluate(t + 2 * h);
  const Keyframe b1 = path.evaluate(t - h), b2 = path.evaluate(t - 2 * h);
  const glm::dvec3 p0(position_of(k0.camera_to_world));
  const glm::dvec3 pa1(position_of(a1.camera_to_world)), pa2(position_of(a2.camera_to_world));
  const glm::dvec3 pb1(position_of(b1.camera_to_world)), pb2(position_of(b2.camera_to_world));
  Velocities v;
  v.position_after = (-3.0 * p0 + 4.0 * pa1 - pa2) / (2 * h);
  v.position_before = (3.0 * p0 - 4.0 * pb1 + pb2) / (2 * h);
  const mat4& m = k0.camera_to_world;
  v.angular_after =
      (4.0 * rotation_vector(m, a1.camera_to_world) - rotation_vector(m, a2.camera_to_world)) /
      (2 * h);
  v.angular_before =
      -(4.0 * rotation_vector(m, b1.camera_to_world) - rotation_vector(m, b2.camera_to_world)) /
      (2 * h);
  v.fov_after = (-3.0 * k0.fov_y_deg + 4.0 * a1.fov_y_deg - a2.fov_y_deg) / (2 * h);
  v.fov_before = (3.0 * k0.fov_y_deg - 4.0 * b1.fov_y_deg + b2.fov_y_deg) / (2 * h);
  return v;
}

// The largest velocity jump (position, angular, fov) across time t.
struct Jumps {
  double position, angular, fov;
};

Jumps jumps_at(const CameraPath& path, double t) {
  const Velocities v = velocities_at(path, t, 1e-3);
  return {glm::length(v.position_after - v.position_before),
          glm::length(v.angular_after - v.angular_before), std::abs(v.fov_after - v.fov_before)};
}

void check_rigid(const mat4& m) {
  const mat3 r(m);
  const mat3 e = glm::transpose(r) * r - mat3(1.0f);
  for (int c = 0; c < 3; ++c)
    for (int row = 0; row < 3; ++row) REQUIRE(std::abs(e[c][row]) < 1e-5f);
  REQUIRE(glm::determinant(r) == Approx(1.0f).margin(1e-5));
  REQUIRE(m[0][3] == 0.0f);
  REQUIRE(m[1][3] == 0.0f);
  REQUIRE(m[2][3] == 0.0f);
  REQUIRE(m[3][3] == 1.0f);
}

}  // namespace

TEST_CASE("camera path passes through its keyframes", "[camera_path]") {
  for (PathInterpolation mode : {PathInterpolation::kSmooth, PathInterpolation::kLinear})
    for (bool loop : {false, true}) {
      const CameraPath path = uneven_path(mode, loop);
      REQUIRE_NOTHROW(path.validate("test"));
      for (const Keyframe& key : path.keyframes) {
        const Keyframe k = path.evaluate(key.time);
        INFO("mode " << int(mode) << " loop " << loop << " time " << key.time);
        CHECK(k.time == Approx(key.time));
        CHECK(max_abs_difference(k.camera_to_world, key.camera_to_world) < 1e-5f);
        CHECK(k.fov_y_deg == Approx(key.fov_y_deg).margin(1e-4));
      }
    }
}

TEST_CASE("smooth paths are C1 across keyframes; linear paths are not", "[camera_path]") {
  const CameraPath smooth = uneven_path(PathInterpolation::kSmooth, false);
  const CameraPath linear = uneven_path(PathInterpolation::kLinear, false);
  for (size_t i = 1; i + 1 < smooth.keyframes.size(); ++i) {
    const double t = smooth.keyframes[i].time;
    INFO("keyframe " << i << " at " << t << " s");
    const Velocities v = velocities_at(smooth, t, 1e-3);
    // The velocities are of order 1-10 units/s: a kink would jump by that much.
    REQUIRE(glm::length(v.position_after) > 0.5);
    REQUIRE(glm::length(v.angular_after) > 0.1);
    const Jumps s = jumps_at(smooth, t);
    CHECK(s.position < 2e-3 * std::max(1.0, glm::length(v.position_after)));
    CHECK(s.angular < 2e-3 * std::max(1.0, glm::length(v.angular_after)));
    CHECK(s.fov < 0.05);  // float fov quantisation alone gives up to ~0.015
    // The same check finds the kinks of linear interpolation, so it can fail.
    const Jumps l = jumps_at(linear, t);
    CHECK(l.position > 0.1);
    CHECK(l.angular > 0.05);
    CHECK(l.fov > 1.0);
  }
  // Between keyframes the smooth path has no jumps either.
  const Jumps mid = jumps_at(smooth, 1.2);
  CHECK(mid.position < 1e-2);
  CHECK(mid.angular < 1e-2);
}

TEST_CASE("smooth paths with two or three keyframes", "[camera_path]") {
  // Two keyframes: the natural end conditions leave a straight line at constant speed and a
  // constant-rate turn, i.e. exactly the linear path.
  CameraPath smooth;
  smooth.keyframes = {{1.0, pose(10, {0, 1, 0.3f}, {0, 0, 4}), 40.0f},
                      {3.0, pose(100, {0.2f, 1, 0}, {2, 1, 0}), 60.0f}};
  CameraPath linear = smooth;
  linear.interpolation = PathInterpolation::kLinear;
  for (double t = 1.0; t <= 3.0; t += 0.125) {
    INFO("t = " << t);
    const Keyframe a = smooth.evaluate(t), b = linear.evaluate(t);
    CHECK(max_abs_difference(a.camera_to_world, b.camera_to_world) < 1e-5f);
    CHECK(a.fov_y_deg == Approx(b.fov_y_deg).margin(1e-4));
  }
  CHECK(position_of(linear.evaluate(2.0).camera_to_world) == vec3(1.0f, 0.5f, 2.0f));
  CHECK(linear.evaluate(2.0).fov_y_deg == 50.0f);

  // Three keyframes: through all of them, rigid, C1 at the middle one.
  smooth.keyframes.push_back({3.5, pose(120, {0, 1, 0}, {2.5f, 1, -1}), 55.0f});
  for (const Keyframe& key : smooth.keyframes)
    CHECK(max_abs_difference(smooth.evaluate(key.time).camera_to_world, key.camera_to_world) <
          1e-5f);
  for (int i = 0; i <= 50; ++i) check_rigid(smooth.evaluate(1.0 + 2.5 * i / 50.0).camera_to_world);
  const Jumps j = jumps_at(smooth, 3.0);
  CHECK(j.position < 1e-2);
  CHECK(j.angular < 1e-2);
}

TEST_CASE("interpolated rotations stay orthonormal", "[camera_path]") {
  for (PathInterpolation mode : {PathInterpolation::kSmooth, PathInterpolation::kLinear})
    for (bool loop : {false, true}) {
      const CameraPath path = uneven_path(mode, loop);
      const double t0 = path.start_time(), t1 = path.end_time();
      for (int i = 0; i <= 400; ++i)
        check_rigid(path.evaluate(t0 + (t1 - t0) * i / 400.0).camera_to_world);
    }
}

TEST_CASE("rotations turn the short way even when quaternions have a negative dot",
          "[camera_path]") {
  // Yaw 0 and yaw 200 degrees: as quaternions about +y their dot product is cos(100 deg) < 0,
  // and the short way is -160 degrees, through yaw -80 at the middle.
  const quat q0 = glm::angleAxis(0.0f, vec3(0, 1, 0));
  const quat q1 = glm::angleAxis(glm::radians(200.0f), vec3(0, 1, 0));
  REQUIRE(glm::dot(q0, q1) < 0.0f);
  for (PathInterpolation mode : {PathInterpolation::kSmooth, PathInterpolation::kLinear}) {
    INFO("mode " << int(mode));
    CameraPath path;
    path.interpolation = mode;
    path.keyframes = {{0.0, pose(0, {0, 1, 0}, {0, 0, 0}), 50.0f},
                      {1.0, pose(200, {0, 1, 0}, {0, 0, 0}), 50.0f}};
    const vec3 expected(std::sin(glm::radians(80.0f)), 0.0f, -std::cos(glm::radians(80.0f)));
    CHECK(angle_between_deg(forward_of(path.evaluate(0.5).camera_to_world), expected) < 0.01);
    // The total turn is 160 degrees, not 200.
    double turned = 0.0;
    for (int i = 0; i < 100; ++i)
      turned += glm::length(rotation_vector(path.evaluate(i / 100.0).camera_to_world,
                                            path.evaluate((i + 1) / 100.0).camera_to_world));
    CHECK(glm::degrees(turned) == Approx(160.0).margin(0.01));
  }
}

TEST_CASE("looping paths wrap around continuously", "[camera_path]") {
  const CameraPath path = uneven_path(PathInterpolation::kSmooth, true);
  const double t0 = path.start_time();
  // The closing segment lasts one mean keyframe spacing: 4 s / 4 segments.
  const double period = 4.0 + 1.0;
  REQUIRE(path.end_time() == Approx(t0 + period));
  CHECK(max_abs_difference(path.evaluate(t0 + period).camera_to_world,
                           path.evaluate(t0).camera_to_world) < 1e-5f);
  for (double t : {0.3, 1.7, 3.9, 4.6}) {
    INFO("t = " << t);
    CHECK(max_abs_difference(path.evaluate(t + period).camera_to_world,
                             path.evaluate(t).camera_to_world) < 1e-4f);
    CHECK(max_abs_difference(path.evaluate(t - period).camera_to_world,
                             path.evaluate(t).camera_to_world) < 1e-4f);
  }
  // The closing segment really moves: halfway, the camera is away from both ends.
  const vec3 halfway = position_of(path.evaluate(4.5).camera_to_world);
  CHECK(glm::length(halfway - position_of(path.keyframes.back().camera_to_world)) > 0.5f);
  CHECK(glm::length(halfway - position_of(path.keyframes.front().camera_to_world)) > 0.5f);
  // C1 at the wrap (the first keyframe) and at the last keyframe, now an inner one.
  for (double t : {t0, 4.0}) {
    INFO("t = " << t);
    const Velocities v = velocities_at(path, t, 1e-3);
    const Jumps j = jumps_at(path, t);
    CHECK(j.position < 2e-3 * std::max(1.0, glm::length(v.position_after)));
    CHECK(j.angular < 2e-3 * std::max(1.0, glm::length(v.angular_after)));
    CHECK(j.fov < 0.05);
  }
  // Not looping, the same keyframes stop at the last one.
  const CameraPath open = uneven_path(PathInterpolation::kSmooth, false);
  CHECK(open.end_time() == 4.0);
  CHECK(max_abs_difference(open.evaluate(7.0).camera_to_world,
                           open.keyframes.back().camera_to_world) < 1e-5f);
  CHECK(max_abs_difference(open.evaluate(-3.0).camera_to_world,
                           open.keyframes.front().camera_to_world) < 1e-5f);
}

TEST_CASE("sample spreads frames evenly over the path", "[camera_path]") {
  CameraPath path = uneven_path(PathInterpolation::kSmooth, false);
  for (Keyframe& k : path.keyframes) k.time += 1.0;  // span 1 .. 5 s

  const std::vector<Camera> cameras = path.sample(5, 64, 48);
  REQUIRE(cameras.size() == 5);
  for (int i = 0; i < 5; ++i) {
    const Keyframe k = path.evaluate(1.0 + i);
    CHECK(max_abs_difference(cameras[size_t(i)].camera_to_world, k.camera_to_world) < 1e-6f);
    CHECK(cameras[size_t(i)].width == 64);
    CHECK(cameras[size_t(i)].height == 48);
    CHECK(glm::degrees(cameras[size_t(i)].fov_y()) == Approx(k.fov_y_deg).epsilon(1e-5));
  }
  // Ends on the last keyframe.
  CHECK(max_abs_difference(cameras.back().camera_to_world, path.keyframes.back().camera_to_world) <
        1e-5f);

  // One frame: the start.
  const std::vector<Camera> one = path.sample(1, 64, 48);
  REQUIRE(one.size() == 1);
  CHECK(max_abs_difference(one[0].camera_to_world, path.keyframes.front().camera_to_world) < 1e-5f);

  // A loop does not repeat its first frame at the end: 5 frames over a 5 s period, 1 s apart.
  path.loop = true;
  const std::vector<Camera> looped = path.sample(5, 64, 48);
  REQUIRE(looped.size() == 5);
  for (int i = 0; i < 5; ++i)
    CHECK(max_abs_difference(looped[size_t(i)].camera_to_world,
                             path.evaluate(1.0 + i).camera_to_world) < 1e-6f);
  CHECK(max_abs_difference(looped.back().camera_to_world, looped.front().camera_to_world) > 0.1f);

  REQUIRE_THROWS_WITH(path.sample(0, 64, 48), Contains("frames"));
  REQUIRE_THROWS_WITH(path.sample(3, 0, 48), Contains("width/height"));
  REQUIRE_THROWS_AS(CameraPath().sample(3, 64, 48), InputError);
}

TEST_CASE("a path with one keyframe stands still", "[camera_path]") {
  for (bool loop : {false, true}) {
    CameraPath path;
    path.loop = loop;
    path.keyframes = {{2.0, pose(30, {1, 1, 0}, {1, 2, 3}), 42.0f}};
    CHECK(path.start_time() == 2.0);
    CHECK(path.end_time() == 2.0);
    for (double t : {-5.0, 2.0, 2.5, 100.0}) {
      const Keyframe k = path.evaluate(t);
      CHECK(max_abs_difference(k.camera_to_world, path.keyframes[0].camera_to_world) < 1e-6f);
      CHECK(k.fov_y_deg == 42.0f);
    }
    const std::vector<Camera> cameras = path.sample(3, 10, 10);
    REQUIRE(cameras.size() == 3);
    CHECK(max_abs_difference(cameras[2].camera_to_world, path.keyframes[0].camera_to_world) <
          1e-6f);
  }
}

TEST_CASE("path.json round trip is exact", "[camera_path][formats]") {
  CameraPath path = uneven_path(PathInterpolation::kLinear, true);
  path.keyframes[1].time = 1.0 / 3.0;  // not a short decimal
  path.keyframes[2].fov_y_deg = 37.3f;
  path.width = 1280;
  path.height = 720;
  const std::string file = test::output_dir() + "/camera_path/round_trip.json";
  fs::create_directories(fs::path(file).parent_path());
  write_camera_path(file, path);
  const CameraPath back = read_camera_path(file);
  CHECK(back.interpolation == PathInterpolation::kLinear);
  CHECK(back.loop);
  CHECK(back.width == 1280);
  CHECK(back.height == 720);
  REQUIRE(back.keyframes.size() == path.keyframes.size());
  for (size_t i = 0; i < path.keyframes.size(); ++i) {
    INFO("keyframe " << i);
    CHECK(back.keyframes[i].time == path.keyframes[i].time);
    CHECK(back.keyframes[i].fov_y_deg == path.keyframes[i].fov_y_deg);
    CHECK(back.keyframes[i].camera_to_world == path.keyframes[i].camera_to_world);
  }
  // Writing what was read gives the same bytes.
  const std::string again = test::output_dir() + "/camera_path/round_trip_again.json";
  write_camera_path(again, back);
  std::stringstream a, b;
  a << std::ifstream(file).rdbuf();
  b << std::ifstream(again).rdbuf();
  CHECK(a.str() == b.str());
  CHECK_THAT(a.str(), Contains("\"kind\": \"camera_path\"") && Contains("\"version\": 1"));

  // Defaults: smooth, not looping, no preferred size.
  const std::string minimal =
      temp_file("minimal.json",
                R"({"version": 1, "kind": "camera_path", "keyframes": [{"time": 0, "fov_y_deg": 40,
          "camera_to_world": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 5], [0, 0, 0, 1]]}]})");
  const CameraPath m = read_camera_path(minimal);
  CHECK(m.interpolation == PathInterpolation::kSmooth);
  CHECK_FALSE(m.loop);
  CHECK(m.width == 0);
  CHECK(m.height == 0);
  CHECK(position_of(m.keyframes[0].camera_to_world) == vec3(0, 0, 5));
}

TEST_CASE("path.json with scale in a pose reads as the nearest rotation", "[camera_path]") {
  // Column scales 2, 1, 0.5 on a 90 degree turn about y: the pose's rotation is kept.
  const std::string file =
      temp_file("scaled.json",
                R"({"version": 1, "kind": "camera_path", "keyframes": [{"time": 0, "fov_y_deg": 40,
          "camera_to_world": [[0, 0, 0.5, 1], [0, 1, 0, 2], [-2, 0, 0, 3], [0, 0, 0, 1]]}]})");
  const CameraPath path = read_camera_path(file);
  const mat4& m = path.keyframes[0].camera_to_world;
  check_rigid(m);
  CHECK(max_abs_difference(m, pose(90, {0, 1, 0}, {1, 2, 3})) < 1e-6f);
}

TEST_CASE("nerfstudio camera_path.json reads as keyframes", "[camera_path][formats]") {
  // Frame 1 is turned 90 degrees about +y (row-major rows [0 0 1], [0 1 0], [-1 0 0]).
  const std::string text = R"({
    "camera_type": "perspective", "render_height": 480, "render_width": 640,
    "fps": 1, "seconds": 3, "is_cycle": IS_CYCLE, "smoothness_value": 0.5,
    "keyframes": [{"matrix": [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1], "fov": 50, "aspect": 1.33}],
    "camera_path": [
      {"camera_to_world": [1,0,0,1, 0,1,0,2, 0,0,1,3, 0,0,0,1], "fov": 50, "aspect": 1.333},
      {"camera_to_world": [0,0,1,4, 0,1,0,5, -1,0,0,6, 0,0,0,1], "fov": 60, "aspect": 1.333},
      {"camera_to_world": [1,0,0,7, 0,1,0,8, 0,0,1,9, 0,0,0,1], "fov": 70, "aspect": 1.333}
    ]})";
  for (bool cycle : {false, true}) {
    std::string json = text;
    json.replace(json.find("IS_CYCLE"), 8, cycle ? "true" : "false");
    const CameraPath path = read_camera_path(temp_file("nerfstudio.json", json));
    CHECK(path.loop == cycle);
    CHECK(path.width == 640);
    CHECK(path.height == 480);
    REQUIRE(path.keyframes.size() == 3);
    // 3 frames over 3 s: frame i at i s, as nerfstudio renders them.
    CHECK(path.keyframes[0].time == 0.0);
    CHECK(path.keyframes[1].time == 1.0);
    CHECK(path.keyframes[2].time == 2.0);
    CHECK(path.end_time() == (cycle ? 3.0 : 2.0));
    CHECK(position_of(path.keyframes[0].camera_to_world) == vec3(1, 2, 3));
    CHECK(position_of(path.keyframes[1].camera_to_world) == vec3(4, 5, 6));
    const mat4& m = path.keyframes[1].camera_to_world;
    CHECK(vec3(m[0]) == vec3(0, 0, -1));  // right
    CHECK(vec3(m[1]) == vec3(0, 1, 0));   // up
    CHECK(forward_of(m) == vec3(-1, 0, 0));
    CHECK(path.keyframes[2].fov_y_deg == 70.0f);
    // Rendering as many frames as the file holds gives back its frames.
    const std::vector<Camera> cameras = path.sample(3, 640, 480);
    CHECK(max_abs_difference(cameras[1].camera_to_world, m) < 1e-5f);
    CHECK(cameras[1].fy == Approx(240.0 / std::tan(glm::radians(30.0))).epsilon(1e-5));
  }
  // Without "seconds", frames are 1 / fps apart.
  const CameraPath by_fps = read_camera_path(
      temp_file("nerfstudio_fps.json",
                R"({"render_height": 48, "render_width": 64, "fps": 4, "camera_path": [
          {"camera_to_world": [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1], "fov": 50},
          {"camera_to_world": [1,0,0,1, 0,1,0,0, 0,0,1,0, 0,0,0,1], "fov": 50}]})"));
  CHECK(by_fps.keyframes[1].time == 0.25);
}

TEST_CASE("instant-ngp base_cam.json converts from NGP space", "[camera_path][formats]") {
  // Keyframe 0 is instant-ngp's default camera: rotation diag(1, -1, -1) (R = [1, 0, 0, 0] in
  // x, y, z, w order) at T = [0.5, 0.5, 2.0], looking at the unit cube's centre. Keyframe 1 is
  // turned 90 degrees about NGP's y axis (R = [0, sin 45, 0, cos 45]).
  const std::string text = R"({"loop": LOOP, "time": 0.25, "path": [
      {"R": [1, 0, 0, 0], "T": [0.5, 0.5, 2.0], "fov": 50.625, "scale": 1.5, "slice": 0.0,
       "aperture_size": 0.0, "glow_mode": 0, "glow_y_cutoff": 0.0},
      {"R": [0, 0.7071067811865476, 0, 0.7071067811865476], "T": [0.83, 0.5, 0.5], "fov": 40,
       "scale": 1.5, "slice": 0.0, "aperture_size": 0.0}]})";
  for (bool loop : {false, true}) {
    std::string json = text;
    json.replace(json.find("LOOP"), 4, loop ? "true" : "false");
    const CameraPath path = read_camera_path(temp_file("base_cam.json", json));
    CHECK(path.loop == loop);
    CHECK(path.width == 0);
    REQUIRE(path.keyframes.size() == 2);
    CHECK(path.keyframes[0].time == 0.0);
    CHECK(path.keyframes[1].time == 1.0);
    CHECK(path.keyframes[0].fov_y_deg == 50.625f);
    CHECK(path.keyframes[1].fov_y_deg == 40.0f);

    // NeRF frame (z up): the default camera sits on +x at (2.0 - 0.5) / 0.33 looking back at
    // the origin, z up, y to its right.
    const mat4& a = path.keyframes[0].camera_to_world;
    check_rigid(a);
    CHECK(glm::length(position_of(a) - vec3(1.5f / 0.33f, 0, 0)) < 1e-5f);
    CHECK(glm::length(forward_of(a) - vec3(-1, 0, 0)) < 1e-6f);
    CHECK(glm::length(vec3(a[1]) - vec3(0, 0, 1)) < 1e-6f);
    CHECK(glm::length(vec3(a[0]) - vec3(0, 1, 0)) < 1e-6f);

    // Keyframe 1: T = (0.83, 0.5, 0.5) cycles to (0.5, 0.83, 0.5), minus the offset and over
    // the scale: (0, 1, 0). Its camera looks along NGP +x (NeRF +y), right -x, up -z.
    const mat4& b = path.keyframes[1].camera_to_world;
    check_rigid(b);
    CHECK(glm::length(position_of(b) - vec3(0, 1, 0)) < 1e-5f);
    CHECK(glm::length(vec3(b[0]) - vec3(-1, 0, 0)) < 1e-6f);
    CHECK(glm::length(vec3(b[1]) - vec3(0, 0, -1)) < 1e-6f);
    CHECK(glm::length(forward_of(b) - vec3(0, 1, 0)) < 1e-6f);
  }
}

TEST_CASE("camera path readers reject bad input naming the file and field", "[camera_path]") {
  const std::string good_pose = "[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]";
  auto strata_file = [&](const std::string& name, const std::string& keyframes,
                         const std::string& extra = "") {
    return temp_file(name, R"({"version": 1, "kind": "camera_path", )" + extra +
                               R"("keyframes": [)" + keyframes + "]}");
  };
  auto key = [&](const std::string& time, const std::string& pose, const std::string& fov) {
    return R"({"time": )" + time + R"(, "camera_to_world": )" + pose + R"(, "fov_y_deg": )" + fov +
           "}";
  };
  auto expect = [](const std::string& file, const std::string& field, const std::string& what) {
    INFO(file);
    REQUIRE_THROWS_AS(read_camera_path(file), InputError);
    REQUIRE_THROWS_WITH(read_camera_path(file),
                        Contains(file) && Contains(field) && Contains(what));
  };

  SECTION("files that are not camera paths") {
    expect(temp_file("malformed.json", R"({"version": 1, "kind": "camera_path", "keyf)"), "",
           "malformed JSON");
    expect(test::output_dir() + "/camera_path/missing.json", "", "missing.json");
    expect(temp_file("planes.json", R"({"version": 1, "kind": "planes", "planes": []})"), "kind",
           "not a camera path (expected strata path.json, nerfstudio camera_path.json or "
           "instant-ngp base_cam.json)");
    expect(temp_file("other.json", R"({"frames": []})"), "", "not a camera path");
    expect(temp_file("array.json", "[1, 2, 3]"), "", "not a camera path");
  }
  SECTION("strata path.json") {
    expect(strata_file("no_keyframes.json", ""), "keyframes", "at least one keyframe");
    expect(strata_file("missing_time.json",
                       R"({"camera_to_world": )" + good_pose + R"(, "fov_y_deg": 40})"),
           "keyframes[0].time", "missing");
    expect(
        strata_file("decreasing.json", key("1", good_pose, "40") + "," + key("1", good_pose, "40")),
        "keyframes[1].time", "strictly increasing");
    expect(strata_file("fov_180.json", key("0", good_pose, "180")), "keyframes[0].fov_y_deg",
           "(0, 180)");
    expect(strata_file("fov_0.json", key("0", good_pose, "0")), "keyframes[0].fov_y_deg",
           "(0, 180)");
    expect(strata_file("fov_text.json", key("0", good_pose, "\"wide\"")), "keyframes[0].fov_y_deg",
           "number");
    // JSON has no NaN or infinity: Python's NaN/Infinity literals and overflowing numbers are
    // malformed JSON (finite poses in memory are checked by validate, below).
    expect(
        strata_file("infinite.json",
                    key("0", "[[1, 0, 0, 1e999], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]", "40")),
        "", "malformed JSON");
    expect(
        strata_file("nan.json",
                    key("0", "[[1, 0, 0, NaN], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]", "40")),
        "", "malformed JSON");
    expect(strata_file("mirrored.json",
                       key("0", "[[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]", "40")),
           "keyframes[0].camera_to_world", "mirrored");
    expect(strata_file("parallel.json",
                       key("0", "[[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]", "40")),
           "keyframes[0].camera_to_world", "degenerate");
    expect(strata_file("zero_column.json",
                       key("0", "[[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]", "40")),
           "keyframes[0].camera_to_world", "zero column");
    expect(strata_file("projective.json",
                       key("0", "[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 1, 1]]", "40")),
           "keyframes[0].camera_to_world", "[0, 0, 0, 1]");
    expect(strata_file("short_row.json", key("0", "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", "40")),
           "keyframes[0].camera_to_world[0]", "row of 4");
    expect(temp_file("version2.json", R"({"version": 2, "kind": "camera_path", "keyframes": [)" +
                                          key("0", good_pose, "40") + "]}"),
           "version", "expected version 1");
    expect(strata_file("interpolation.json", key("0", good_pose, "40"),
                       R"("interpolation": "cubic", )"),
           "interpolation", "\"smooth\" or \"linear\"");
    expect(strata_file("size.json", key("0", good_pose, "40"), R"("width": 640, )"), "",
           "'width' and 'height'");
  }
  SECTION("nerfstudio camera_path.json") {
    const std::string identity = "[1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]";
    expect(
        temp_file("ns_no_fov.json", R"({"camera_path": [{"camera_to_world": )" + identity +
                                        R"(, "fov": 50}, {"camera_to_world": )" + identity + "}]}"),
        "camera_path[1].fov", "missing");
    expect(temp_file(
               "ns_12.json",
               R"({"camera_path": [{"camera_to_world": [1,0,0,0, 0,1,0,0, 0,0,1,0], "fov": 50}]})"),
           "camera_path[0].camera_to_world", "16 numbers");
    expect(
        temp_file(
            "ns_text.json",
            R"({"camera_path": [{"camera_to_world": [1,0,0,0, 0,1,0,"x", 0,0,1,0, 0,0,0,1], "fov": 50}]})"),
        "camera_path[0].camera_to_world[7]", "expected a number");
    expect(
        temp_file(
            "ns_infinity.json",
            R"({"camera_path": [{"camera_to_world": [1,0,0,0, 0,1,0,-Infinity, 0,0,1,0, 0,0,0,1], "fov": 50}]})"),
        "", "malformed JSON");
    expect(temp_file("ns_fisheye.json",
                     R"({"camera_type": "fisheye", "camera_path": [{"camera_to_world": )" +
                         identity + R"(, "fov": 50}]})"),
           "camera_type", "perspective");
    expect(temp_file("ns_empty.json", R"({"camera_path": []})"), "camera_path",
           "at least one camera");
    expect(temp_file("ns_seconds.json", R"({"seconds": 0, "camera_path": [{"camera_to_world": )" +
                                            identity + R"(, "fov": 50}]})"),
           "seconds", "positive");
    expect(temp_file("ns_fov.json",
                     R"({"camera_path": [{"camera_to_world": )" + identity + R"(, "fov": 200}]})"),
           "camera_path[0].fov", "(0, 180)");
  }
  SECTION("instant-ngp base_cam.json") {
    expect(temp_file("ngp_r3.json",
                     R"({"path": [{"R": [0, 0, 1], "T": [0.5, 0.5, 0.5], "fov": 50}]})"),
           "path[0].R", "4 numbers");
    expect(temp_file("ngp_r0.json",
                     R"({"path": [{"R": [0, 0, 0, 0], "T": [0.5, 0.5, 0.5], "fov": 50}]})"),
           "path[0].R", "non-zero quaternion");
    expect(temp_file("ngp_no_t.json", R"({"path": [{"R": [0, 0, 0, 1], "fov": 50}]})"), "path[0].T",
           "missing");
    expect(temp_file("ngp_fov.json",
                     R"({"path": [{"R": [0, 0, 0, 1], "T": [0, 0, 0], "fov": 50},
                                  {"R": [0, 0, 0, 1], "T": [1, 0, 0], "fov": 0}]})"),
           "path[1].fov", "(0, 180)");
    expect(temp_file("ngp_empty.json", R"({"loop": false, "path": []})"), "path",
           "at least one keyframe");
  }
}

TEST_CASE("validate and write_camera_path refuse broken in-memory paths", "[camera_path]") {
  CameraPath path = uneven_path(PathInterpolation::kSmooth, false);
  REQUIRE_NOTHROW(path.validate("mine"));
  const std::string file = test::output_dir() + "/camera_path/refused.json";
  fs::remove(file);

  CameraPath nan = path;
  nan.keyframes[2].camera_to_world[3][1] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(nan.validate("mine"), Contains("mine") &&
                                                Contains("keyframes[2].camera_to_world") &&
                                                Contains("finite"));
  REQUIRE_THROWS_WITH(write_camera_path(file, nan),
                      Contains(file) && Contains("keyframes[2].camera_to_world"));
  CHECK_FALSE(fs::exists(file));

  CameraPath unordered = path;
  unordered.keyframes[3].time = unordered.keyframes[2].time;
  REQUIRE_THROWS_WITH(unordered.validate("mine"), Contains("keyframes[3].time"));

  CameraPath wide = path;
  wide.keyframes[0].fov_y_deg = 180.0f;
  REQUIRE_THROWS_WITH(wide.validate("mine"), Contains("keyframes[0].fov_y_deg"));

  CameraPath half_size = path;
  half_size.width = 640;
  REQUIRE_THROWS_WITH(half_size.validate("mine"), Contains("width/height"));

  REQUIRE_THROWS_WITH(CameraPath().validate("mine"), Contains("mine") && Contains("keyframes"));
}

TEST_CASE("orbit path circles the bounds' centre and keeps all of them in view", "[camera_path]") {
  Bounds3 bounds;
  bounds.add(vec3(-1.0f, -0.5f, -2.0f));
  bounds.add(vec3(3.0f, 1.0f, 0.5f));
  const vec3 center = bounds.center();
  // The fewest keyframes allowed, and the number `strata render --orbit` uses.
  for (auto [count, look_tolerance_deg] : {std::pair{6, 1.5}, std::pair{12, 0.5}}) {
    INFO(count << " keyframes");
    const CameraPath path = orbit_path(bounds, count, 50.0f, 20.0f);
    CHECK(path.loop);
    REQUIRE(path.keyframes.size() == size_t(count));
    CHECK(path.keyframes[0].time == 0.0);
    CHECK(path.keyframes.back().time == double(count - 1));
    CHECK(path.end_time() == Approx(double(count)));
    CHECK(path.width == 0);

    for (const Keyframe& k : path.keyframes) {
      const mat4& m = k.camera_to_world;
      CHECK(angle_between_deg(forward_of(m), center - position_of(m)) < 1e-3);
      CHECK(k.fov_y_deg == 50.0f);
      // 20 degrees above the centre, with y up and the horizon level.
      const vec3 to_camera = position_of(m) - center;
      CHECK(glm::degrees(std::asin(to_camera.y / glm::length(to_camera))) ==
            Approx(20.0).margin(1e-3));
      CHECK(std::abs(vec3(m[0]).y) < 1e-5f);
    }

    const vec3 corners[8] = {
        {bounds.lo.x, bounds.lo.y, bounds.lo.z}, {bounds.hi.x, bounds.lo.y, bounds.lo.z},
        {bounds.lo.x, bounds.hi.y, bounds.lo.z}, {bounds.hi.x, bounds.hi.y, bounds.lo.z},
        {bounds.lo.x, bounds.lo.y, bounds.hi.z}, {bounds.hi.x, bounds.lo.y, bounds.hi.z},
        {bounds.lo.x, bounds.hi.y, bounds.hi.z}, {bounds.hi.x, bounds.hi.y, bounds.hi.z}};
    for (auto [w, h] : {std::pair{640, 480}, std::pair{400, 400}}) {
      const std::vector<Camera> cameras = path.sample(120, w, h);
      for (size_t i = 0; i < cameras.size(); ++i) {
        const Camera& camera = cameras[i];
        INFO("frame " << i << " of " << w << "x" << h);
        // Between keyframes the spline stays within about a degree of the centre.
        CHECK(angle_between_deg(camera.forward(), center - camera.position()) < look_tolerance_deg);
        for (const vec3& corner : corners) {
          vec2 pixel;
          float depth;
          REQUIRE(camera.project(corner, &pixel, &depth));
          CHECK(depth > 0.0f);
          CHECK(pixel.x >= 0.0f);
          CHECK(pixel.x <= float(w));
          CHECK(pixel.y >= 0.0f);
          CHECK(pixel.y <= float(h));
        }
      }
    }
  }
}

TEST_CASE("spiral and wiggle paths stay near the reference and look at the focus point",
          "[camera_path]") {
  const mat4 ref_pose = pose(30, {0.3f, 1, 0.1f}, {1, 0.5f, 2});
  const Camera reference = Camera::pinhole_fov_y(320, 240, glm::radians(45.0f), ref_pose);
  const vec3 ref_position = position_of(ref_pose), ref_forward = forward_of(ref_pose),
             ref_up = vec3(ref_pose[1]);
  const float focus_depth = 3.0f, radius = 0.2f;
  const vec3 focus = ref_position + focus_depth * ref_forward;

  struct Case {
    const char* name;
    CameraPath path;
    size_t keyframes;
  };
  for (const Case& c : {Case{"wiggle", wiggle_path(reference, focus_depth, radius, 8), 8},
                        Case{"spiral", spiral_path(reference, focus_depth, radius, 24), 24}}) {
    INFO(c.name);
    const CameraPath& path = c.path;
    CHECK(path.loop);
    CHECK(path.width == 320);
    CHECK(path.height == 240);
    REQUIRE(path.keyframes.size() == c.keyframes);
    float max_swing = 0.0f, max_in_plane = 0.0f;
    for (size_t i = 0; i < path.keyframes.size(); ++i) {
      const Keyframe& k = path.keyframes[i];
      CHECK(k.time == double(i));
      CHECK(k.fov_y_deg == Approx(45.0f).epsilon(1e-5));
      const vec3 offset = position_of(k.camera_to_world) - ref_position;
      max_swing = std::max(max_swing, std::abs(glm::dot(offset, ref_forward)));
      max_in_plane =
          std::max(max_in_plane, glm::length(offset - glm::dot(offset, ref_forward) * ref_forward));
      CHECK(angle_between_deg(forward_of(k.camera_to_world),
                              focus - position_of(k.camera_to_world)) < 1e-3);
    }
    if (std::string(c.name) == "wiggle") {
      CHECK(max_swing < 1e-5f);  // a circle in the image plane
      CHECK(max_in_plane == Approx(radius).epsilon(1e-4));
    } else {
      CHECK(max_swing > 0.4f * radius);  // the forward/back swing, smaller than the circle
      CHECK(max_in_plane > max_swing);
    }
    const std::vector<Camera> cameras = path.sample(200, 320, 240);
    for (size_t i = 0; i < cameras.size(); ++i) {
      const Camera& camera = cameras[i];
      INFO("frame " << i);
      CHECK(glm::length(camera.position() - ref_position) <= radius * 1.0001f);
      vec2 pixel;
      float depth;
      REQUIRE(camera.project(focus, &pixel, &depth));
      CHECK(glm::length(pixel - vec2(160.0f, 120.0f)) < 0.5f);           // the focus stays centred
      CHECK(glm::dot(vec3(camera.camera_to_world[1]), ref_up) > 0.99f);  // up is kept
    }
  }
}

TEST_CASE("generators reject arguments they cannot use", "[camera_path]") {
  const Camera reference = Camera::pinhole_fov_y(64, 48, glm::radians(50.0f), mat4(1.0f));
  Bounds3 bounds;
  REQUIRE_THROWS_WITH(orbit_path(bounds, 12, 50.0f), Contains("bounds"));
  bounds.add(vec3(0.0f));
  bounds.add(vec3(1.0f));
  REQUIRE_THROWS_WITH(orbit_path(bounds, 5, 50.0f), Contains("keyframes"));
  REQUIRE_THROWS_WITH(orbit_path(bounds, 12, 180.0f), Contains("fov_y_deg"));
  REQUIRE_THROWS_WITH(orbit_path(bounds, 12, 50.0f, 90.0f), Contains("elevation_deg"));
  REQUIRE_THROWS_WITH(wiggle_path(reference, 2.0f, 2.5f, 8), Contains("radius"));
  REQUIRE_THROWS_WITH(wiggle_path(reference, -1.0f, 0.1f, 8), Contains("focus_depth"));
  REQUIRE_THROWS_WITH(spiral_path(reference, 2.0f, 0.1f, 4), Contains("keyframes"));
  REQUIRE_THROWS_WITH(wiggle_path(Camera::equirectangular(64, 32, mat4(1.0f)), 2.0f, 0.1f, 8),
                      Contains("pinhole"));
  // A single point still gets an orbit (at 1 m radius) that looks at it.
  Bounds3 point;
  point.add(vec3(1, 2, 3));
  const CameraPath orbit = orbit_path(point, 6, 40.0f);
  CHECK(angle_between_deg(forward_of(orbit.keyframes[0].camera_to_world),
                          vec3(1, 2, 3) - position_of(orbit.keyframes[0].camera_to_world)) < 1e-3);
}
