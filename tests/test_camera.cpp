#include <catch2/catch.hpp>

#include "neural/core/camera.h"

using namespace strata;

TEST_CASE("pinhole projection and unprojection round trip", "[camera]") {
  const mat4 pose = look_at(vec3(1.0f, 2.0f, 3.0f), vec3(0.2f, 0.1f, -0.5f));
  Camera camera = Camera::pinhole_fov_y(320, 240, glm::radians(60.0f), pose);
  camera.cx = 150.0f;  // off-centre principal point
  for (vec2 pixel :
       {vec2(0.5f, 0.5f), vec2(160.0f, 120.0f), vec2(319.5f, 10.25f), vec2(33.3f, 239.0f)}) {
    const Ray ray = camera.ray(pixel);
    REQUIRE(glm::length(ray.direction) == Approx(1.0f).margin(1e-6));
    vec2 back;
    float depth = 0;
    REQUIRE(camera.project(ray.origin + 2.5f * ray.direction, &back, &depth));
    CHECK(back.x == Approx(pixel.x).margin(1e-3));
    CHECK(back.y == Approx(pixel.y).margin(1e-3));
    CHECK(depth ==
          Approx(camera.depth_of_hit(2.5f, camera.direction_in_camera(pixel))).margin(1e-5));
  }
  vec2 p;
  float d;
  CHECK_FALSE(camera.project(camera.position() - camera.forward(), &p, &d));  // behind
}

TEST_CASE("equirectangular projection matches the room_pano convention", "[camera]") {
  const Camera camera = Camera::equirectangular(384, 192, mat4(1.0f));
  // The image centre looks forward (-z); u = 0.5 + atan2(x, -z) / 2pi, v = 0.5 - asin(y) / pi.
  const vec3 forward = camera.direction_in_camera(vec2(192.0f, 96.0f));
  CHECK(forward.z == Approx(-1.0f).margin(1e-6));
  const vec3 right = camera.direction_in_camera(vec2(384.0f * 0.75f, 96.0f));
  CHECK(right.x == Approx(1.0f).margin(1e-6));
  const vec3 up = camera.direction_in_camera(vec2(100.0f, 0.0f));
  CHECK(up.y == Approx(1.0f).margin(1e-6));
  for (vec2 pixel : {vec2(10.5f, 20.5f), vec2(200.0f, 150.0f), vec2(383.0f, 96.0f)}) {
    const Ray ray = camera.ray(pixel);
    vec2 back;
    float depth = 0;
    REQUIRE(camera.project(ray.origin + 3.0f * ray.direction, &back, &depth));
    CHECK(back.x == Approx(pixel.x).margin(1e-2));
    CHECK(back.y == Approx(pixel.y).margin(1e-2));
    CHECK(depth == Approx(3.0f).epsilon(1e-5));
  }
}

TEST_CASE("transforms.json axes: OpenGL camera looks down -z with y up", "[camera]") {
  // A NeRF-synthetic style pose: camera on +x looking at the origin, world z up.
  const mat4 pose = look_at(vec3(4, 0, 0), vec3(0, 0, 0), vec3(0, 0, 1));
  const Camera camera = Camera::pinhole_fov_y(200, 200, glm::radians(40.0f), pose);
  const Ray centre = camera.ray(vec2(100.0f, 100.0f));
  CHECK(centre.direction.x == Approx(-1.0f).margin(1e-6));
  // The top row of the image sees world +z (up), the right column sees world +y.
  CHECK(camera.ray(vec2(100.0f, 0.0f)).direction.z > 0.0f);
  CHECK(camera.ray(vec2(200.0f, 100.0f)).direction.y > 0.0f);
  // The pose's columns are right, up, back and position: column 2 points away from the view.
  CHECK(vec3(pose[2]).x == Approx(1.0f).margin(1e-6));
  CHECK(camera.fov_y() == Approx(glm::radians(40.0f)));
}

TEST_CASE("resized camera keeps the field of view", "[camera]") {
  const Camera camera = Camera::pinhole_fov_y(400, 300, glm::radians(45.0f), mat4(1.0f));
  const Camera half = camera.resized(200, 150);
  CHECK(half.fov_y() == Approx(camera.fov_y()));
  CHECK(half.cx == Approx(100.0f));
}

TEST_CASE("lens distortion: rays and projections invert each other", "[camera]") {
  // The instant-ngp fox capture's coefficients.
  Camera camera;
  camera.width = 1080;
  camera.height = 1920;
  camera.fx = 1375.52f;
  camera.fy = 1374.49f;
  camera.cx = 554.558f;
  camera.cy = 965.268f;
  camera.distortion = Distortion{0.0578421f, -0.0805099f, -0.000980296f, 0.00015575f};
  camera.camera_to_world = look_at(vec3(3, -5, -1), vec3(0));
  for (vec2 pixel :
       {vec2(0.5f, 0.5f), vec2(540.0f, 960.0f), vec2(1079.5f, 1919.5f), vec2(100.0f, 1500.0f)}) {
    const Ray ray = camera.ray(pixel);
    vec2 back;
    float depth;
    REQUIRE(camera.project(ray.origin + 4.0f * ray.direction, &back, &depth));
    CHECK(back.x == Approx(pixel.x).margin(2e-2));
    CHECK(back.y == Approx(pixel.y).margin(2e-2));
  }
  // Distortion moves off-centre rays: the corner ray differs from the undistorted one.
  Camera plain = camera;
  plain.distortion = {};
  CHECK(glm::length(camera.ray(vec2(0.5f, 0.5f)).direction -
                    plain.ray(vec2(0.5f, 0.5f)).direction) > 1e-3f);
  CHECK(glm::length(camera.ray(vec2(camera.cx, camera.cy)).direction -
                    plain.ray(vec2(camera.cx, camera.cy)).direction) < 1e-6f);
}
