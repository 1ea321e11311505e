#include <catch2/catch.hpp>

#include "neural/core/metrics.h"
#include "neural/planes/fronto_parallel_mpi.h"
#include "neural/planes/plane_set_render.h"

using namespace strata;

namespace {

Plane solid_plane(const Camera& camera, float depth, vec4 straight_color) {
  Plane p = fronto_parallel_plane(camera, depth);
  p.texture = Image(4, 4, vec4(vec3(straight_color) * straight_color.a, straight_color.a));
  return p;
}

}  // namespace

TEST_CASE("two half-transparent planes composite front to back", "[planes]") {
  const Camera camera = Camera::pinhole_fov_y(16, 12, glm::radians(50.0f), mat4(1.0f));
  PlaneSet set;
  // Listed far first, then near: order in the file must not matter.
  set.planes.push_back(solid_plane(camera, 4.0f, vec4(0, 0, 1, 0.5f)));  // far: blue
  set.planes.push_back(solid_plane(camera, 2.0f, vec4(1, 0, 0, 0.5f)));  // near: red
  const RenderOutput out = render_planes(set, camera);
  // C = 0.5 red + 0.5 * 0.5 blue; alpha = 1 - 0.5 * 0.5.
  const vec4 c = out.color.at(8, 6);
  CHECK(c.r == Approx(0.5f).margin(1e-5));
  CHECK(c.g == Approx(0.0f).margin(1e-5));
  CHECK(c.b == Approx(0.25f).margin(1e-5));
  CHECK(c.a == Approx(0.75f).margin(1e-5));
  // Expected depth: weights 0.5 (near, z=2) and 0.25 (far, z=4).
  CHECK(out.depth.at(8, 6) == Approx((0.5f * 2.0f + 0.25f * 4.0f) / 0.75f).margin(1e-4));
  // Reversing the list gives the same image.
  std::swap(set.planes[0], set.planes[1]);
  CHECK(psnr(render_planes(set, camera).color, out.color) > 100.0);
}

TEST_CASE("crossing planes are ordered per pixel", "[planes]") {
  // Two opaque planes cross at x = 0: A recedes to the right, B to the left, so A is nearer
  // on the left half of the image and B on the right half.
  const Camera camera = Camera::pinhole_fov_y(64, 32, glm::radians(60.0f), mat4(1.0f));
  PlaneSet set;
  Plane a, b;
  a.origin = vec3(-2.0f, 1.0f, -2.0f);  // left edge at z = -2, right edge at z = -4
  a.u_axis = vec3(4.0f, 0.0f, -2.0f);
  a.v_axis = vec3(0.0f, -2.0f, 0.0f);
  a.texture = Image(2, 2, vec4(1, 0, 0, 1));
  b.origin = vec3(-2.0f, 1.0f, -4.0f);  // left edge at z = -4, right edge at z = -2
  b.u_axis = vec3(4.0f, 0.0f, 2.0f);
  b.v_axis = vec3(0.0f, -2.0f, 0.0f);
  b.texture = Image(2, 2, vec4(0, 1, 0, 1));
  set.planes = {a, b};
  const RenderOutput out = render_planes(set, camera);
  const vec4 left = out.color.at(20, 16), right = out.color.at(44, 16);
  CHECK(left.r == Approx(1.0f));  // A (red) nearer on the left
  CHECK(left.g == Approx(0.0f));
  CHECK(right.g == Approx(1.0f));  // B (green) nearer on the right
  CHECK(right.r == Approx(0.0f));
  // The depth is the nearer surface's: under 3 m on both sides (the far one is beyond 3 m).
  CHECK(out.depth.at(20, 16) < 3.0f);
  CHECK(out.depth.at(44, 16) < 3.0f);
}

TEST_CASE("hits outside a plane's extent and behind the camera are ignored", "[planes]") {
  const Camera camera = Camera::pinhole_fov_y(32, 32, glm::radians(60.0f), mat4(1.0f));
  PlaneSet set;
  Plane small = fronto_parallel_plane(camera, 2.0f);
  small.origin += 0.25f * (small.u_axis + small.v_axis);  // middle half of the view
  small.u_axis *= 0.5f;
  small.v_axis *= 0.5f;
  small.texture = Image(3, 3, vec4(1, 1, 1, 1));
  Plane behind = small;
  behind.origin.z = +2.0f;  // behind the camera
  behind.texture = Image(3, 3, vec4(0, 1, 0, 1));
  set.planes = {small, behind};
  const RenderOutput out = render_planes(set, camera);
  CHECK(out.color.at(16, 16).a == Approx(1.0f));
  CHECK(out.color.at(16, 16).g == Approx(1.0f));  // white, not green
  CHECK(out.color.at(16, 16).r == Approx(1.0f));
  CHECK(out.color.at(2, 2).a == Approx(0.0f));  // outside the extent
  CHECK(out.depth.at(2, 2) == 0.0f);
}

TEST_CASE("fronto-parallel MPI spacing is even in inverse depth, farthest first", "[planes]") {
  const auto depths = inverse_depth_spacing(1.0f, 2.0f, 5);
  REQUIRE(depths.size() == 5);
  CHECK(depths.front() == Approx(2.0f));
  CHECK(depths.back() == Approx(1.0f));
  for (size_t i = 1; i + 1 < depths.size(); ++i)
    CHECK(1.0f / depths[i] - 1.0f / depths[i - 1] ==
          Approx(1.0f / depths[i + 1] - 1.0f / depths[i]));
  const Camera camera =
      Camera::pinhole_fov_y(40, 30, glm::radians(45.0f), look_at(vec3(1, 2, 3), vec3(0)));
  const PlaneSet mpi = make_fronto_parallel_mpi(camera, 1.0f, 2.0f, 5, 40, 30);
  REQUIRE(mpi.planes.size() == 5);
  // Each plane covers exactly the image: the corner pixels' rays hit the plane's corners.
  for (const Plane& p : mpi.planes) {
    CHECK(std::abs(glm::dot(p.normal(), camera.forward())) == Approx(1.0f));
    vec2 pixel;
    float depth;
    REQUIRE(camera.project(p.origin, &pixel, &depth));
    CHECK(pixel.x == Approx(0.0f).margin(1e-3));
    CHECK(pixel.y == Approx(0.0f).margin(1e-3));
    REQUIRE(camera.project(p.origin + p.u_axis + p.v_axis, &pixel, &depth));
    CHECK(pixel.x == Approx(40.0f).margin(1e-3));
    CHECK(pixel.y == Approx(30.0f).margin(1e-3));
  }
}

TEST_CASE("texture texels line up with reference pixels", "[planes]") {
  // A fronto-parallel plane whose texture has the image's size reproduces it exactly.
  const Camera camera = Camera::pinhole_fov_y(24, 16, glm::radians(40.0f), mat4(1.0f));
  Plane p = fronto_parallel_plane(camera, 3.0f);
  p.texture = Image(24, 16);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 24; ++x) p.texture.at(x, y) = vec4(x / 24.0f, y / 16.0f, 0.5f, 1.0f);
  PlaneSet set;
  set.planes = {p};
  const RenderOutput out = render_planes(set, camera);
  CHECK(psnr(out.color, p.texture) > 60.0);
}
