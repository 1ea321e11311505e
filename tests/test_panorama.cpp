// Layered Gaussian panoramas (LayerPano3D) on room_pano: the eye view reproduces the panorama,
// and from the test positions the layered panorama beats the single-layer one.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/dataset/dataset.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/panorama/gaussian_panorama.h"
#include "tests/test_support.h"

using namespace strata;
namespace fs = std::filesystem;

TEST_CASE("layered Gaussian panorama of room_pano", "[panorama][gaussians]") {
  const auto shared = test::shared_dir();
  if (!shared || !fs::exists(*shared + "/data/room_pano/pano.json")) {
    WARN("skipped: ../shared/data/room_pano is absent");
    return;
  }
  const std::string folder = *shared + "/data/room_pano";
  const GaussianPanorama layered = build_gaussian_panorama(folder);
  REQUIRE(layered.layers.size() == 2);

  // Save and load: the same Gaussians with their layer ids.
  const std::string saved = test::output_dir() + "/panorama_room";
  save_gaussian_panorama(layered, saved);
  const GaussianPanorama loaded = load_gaussian_panorama(saved);
  REQUIRE(loaded.cloud.size() == layered.cloud.size());
  CHECK(loaded.cloud.layers.back() == 1);
  CHECK(loaded.eye.projection == Projection::kEquirectangular);

  // From the eye: the panorama itself.
  const Image full = read_image(folder + "/pano_full.png");
  const RenderOutput eye = render_gaussians(loaded.cloud, loaded.eye);
  const auto eye_check = test::compare_images("panorama_eye", eye.color, full, 30.0);
  INFO(eye_check.message);
  CHECK(eye_check.ok);

  // The single-layer baseline: pano_full lifted alone with its own depth.
  Camera eye_camera;
  std::vector<PanoramaLayer> layers = read_panorama_layers(folder, &eye_camera);
  PanoramaLayer single{"full", full, read_exr_channel(folder + "/pano_full_depth_0001.exr", 0)};
  const GaussianCloud single_cloud = lift_panorama_layer(single, eye_camera, 0);

  const Dataset views = load_dataset(folder + "/transforms_test.json", DatasetOptions{1, 0});
  REQUIRE(views.train.size() == 12);
  std::printf("room_pano test views: PSNR (dB) of the single-layer and the layered panorama\n");
  std::printf("  view  single  layered\n");
  double sum_single = 0, sum_layered = 0;
  for (size_t i = 0; i < views.train.size(); ++i) {
    const Image truth = load_frame_image(views.train[i]);
    const Camera& camera = views.train[i].camera;
    const double p_single = psnr(render_gaussians(single_cloud, camera).color, truth);
    const RenderOutput layered_view = render_gaussians(loaded.cloud, camera);
    const double p_layered = psnr(layered_view.color, truth);
    std::printf("  %4zu  %6.2f  %7.2f\n", i, p_single, p_layered);
    if (i == 0) write_png(test::output_dir() + "/panorama_view0.png", layered_view.color);
    sum_single += p_single;
    sum_layered += p_layered;
  }
  const double n = double(views.train.size());
  std::printf("  mean  %6.2f  %7.2f\n", sum_single / n, sum_layered / n);
  CHECK(sum_layered > sum_single);
}
