#include <catch2/catch.hpp>
#include <filesystem>

#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/planes/plane_set_render.h"
#include "neural/planes/stereo_magnification.h"
#include "tests/test_support.h"

using namespace strata;

TEST_CASE("Stereo Magnification import re-renders the reference view of mpi_greek",
          "[planes][stereo_magnification]") {
  const auto shared = test::shared_dir();
  if (!shared || !std::filesystem::exists(*shared + "/external/mpi_greek/mpi_rgb_00.png")) {
    WARN("skipped: ../shared/external/mpi_greek is absent");
    return;
  }
  const std::string folder = *shared + "/external/mpi_greek";
  const PlaneSet mpi = import_stereo_magnification(folder);
  REQUIRE(mpi.planes.size() == 32);
  REQUIRE(mpi.reference_camera);
  CHECK(mpi.reference_camera->width == 512);
  const RenderOutput out = render_planes(mpi, *mpi.reference_camera);
  const Image expected = read_image(folder + "/render_00_0_0.png");
  REQUIRE(expected.width == out.color.width);
  const double mae = mean_absolute_error(out.color, expected);
  INFO("mean absolute error " << mae);
  if (mae > 0.015) {
    write_png(test::output_dir() + "/mpi_greek_render.png", out.color);
    write_png(test::output_dir() + "/mpi_greek_diff.png", difference_image(out.color, expected));
  }
  CHECK(mae <= 0.015);
  // Layer 00 is the farthest plane, at depth 2; the last is the nearest, at depth 1.
  const vec3 eye = mpi.reference_camera->position();
  CHECK(glm::dot(mpi.planes.front().center() - eye, mpi.reference_camera->forward()) ==
        Approx(2.0f));
  CHECK(glm::dot(mpi.planes.back().center() - eye, mpi.reference_camera->forward()) ==
        Approx(1.0f));
}

TEST_CASE("Stereo Magnification import rejects a folder without layers",
          "[planes][stereo_magnification]") {
  const std::string empty = test::output_dir() + "/empty_mpi";
  std::filesystem::create_directories(empty);
  REQUIRE_THROWS_WITH(import_stereo_magnification(empty), Catch::Contains("mpi_rgb_00.png"));
}
