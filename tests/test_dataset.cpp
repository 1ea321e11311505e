#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "neural/core/image_io.h"
#include "neural/dataset/dataset.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

using test::fresh_dir;
using test::write_text;

const char* kIdentity = "[[1,0,0,0],[0,1,0,0],[0,0,1,2],[0,0,0,1]]";

// A folder with images a.png (8x6) and b.png (8x6) and the given transforms.json.
std::string small_dataset(const std::string& name, const std::string& json) {
  const std::string dir = fresh_dir(name);
  write_png(dir + "/a.png", Image(8, 6, vec4(1.0f)));
  write_png(dir + "/b.png", Image(8, 6, vec4(0.5f)));
  write_text(dir + "/transforms.json", json);
  return dir;
}

std::string frame(const char* file, const std::string& extra = "") {
  return std::string("{\"file_path\": \"") + file + "\", \"transform_matrix\": " + kIdentity +
         extra + "}";
}

}  // namespace

TEST_CASE("Blender layout: nerf_toys train and test splits", "[dataset]") {
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("skipped: ../shared is absent");
    return;
  }
  const Dataset d = load_dataset(*shared + "/data/nerf_toys");
  CHECK(d.train.size() == 100);
  CHECK(d.test.size() == 25);
  CHECK(d.skipped_frames == 0);
  const Camera& c = d.train[0].camera;
  CHECK(c.width == 200);
  CHECK(c.height == 200);
  CHECK(c.fx == Approx(0.5 * 200 / std::tan(0.5 * 0.6981316804885864)));
  CHECK(glm::length(c.position()) == Approx(4.0f).epsilon(0.05));  // NeRF-synthetic: 4 units out
  const Image image = load_frame_image(d.test[3]);
  CHECK(image.width == 200);
  CHECK(image.pixels[0].a == Approx(0.0f));  // transparent background
}

TEST_CASE("instant-ngp layout: the fox capture with distortion and missing images", "[dataset]") {
  const auto shared = test::shared_dir();
  if (!shared || !fs::exists(*shared + "/external/nerf_fox/transforms.json")) {
    WARN("skipped: ../shared/external/nerf_fox is absent");
    return;
  }
  const Dataset d = load_dataset(*shared + "/external/nerf_fox", DatasetOptions{4, 8});
  CHECK(d.skipped_frames == 17);
  CHECK(d.train.size() + d.test.size() == 50);
  CHECK(d.test.size() == 7);  // every 8th of 50 frames, the first included
  CHECK(d.aabb_scale == 4.0f);
  const Camera& c = d.train[0].camera;
  CHECK(c.width == 270);
  CHECK(c.height == 480);
  CHECK(c.fx == Approx(1375.52f / 4));
  CHECK(c.cy == Approx(965.268f / 4));
  CHECK(c.distortion.k1 == Approx(0.0578421f));
  CHECK(c.distortion.p2 == Approx(0.00015575f));
  const Image image = load_frame_image(d.test[0]);
  CHECK(image.width == 270);
  CHECK(image.height == 480);
}

TEST_CASE("forward-facing layout: room_ff with w and h", "[dataset]") {
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("skipped: ../shared is absent");
    return;
  }
  const Dataset d = load_dataset(*shared + "/data/room_ff", DatasetOptions{2, 8});
  CHECK(d.train.size() == 25);
  CHECK(d.test.size() == 8);
  CHECK(d.train[0].camera.width == 96);
  CHECK(load_frame_image(d.train[0]).height == 72);
}

TEST_CASE("transforms.json variants: fl_x, per-frame intrinsics, split field", "[dataset]") {
  SECTION("instant-ngp intrinsics") {
    const std::string dir =
        small_dataset("ds_ngp",
                      "{\"fl_x\": 10, \"fl_y\": 11, \"cx\": 4.5, \"cy\": 2.5, \"w\": 8, \"h\": 6, "
                      "\"k1\": 0.1, \"frames\": [" +
                          frame("a.png") + "," + frame("b.png") + "]}");
    const Dataset d = load_dataset(dir, DatasetOptions{1, 2});
    REQUIRE(d.train.size() == 1);
    REQUIRE(d.test.size() == 1);  // every 2nd frame, the first included
    CHECK(d.test[0].image_path.find("a.png") != std::string::npos);
    CHECK(d.train[0].camera.fy == Approx(11.0f));
    CHECK(d.train[0].camera.cx == Approx(4.5f));
    CHECK(d.train[0].camera.distortion.k1 == Approx(0.1f));
  }
  SECTION("nerfstudio per-frame intrinsics and a split field") {
    const std::string dir = small_dataset(
        "ds_ns", "{\"camera_model\": \"OPENCV\", \"frames\": [" +
                     frame("a.png", ", \"fl_x\": 7, \"fl_y\": 7, \"split\": \"train\"") + "," +
                     frame("b.png", ", \"fl_x\": 9, \"fl_y\": 9, \"split\": \"test\"") + "]}");
    const Dataset d = load_dataset(dir);
    REQUIRE(d.train.size() == 1);
    REQUIRE(d.test.size() == 1);
    CHECK(d.train[0].camera.fx == Approx(7.0f));
    CHECK(d.test[0].camera.fx == Approx(9.0f));
  }
  SECTION("file paths without an extension, camera_angle_x") {
    const std::string dir = small_dataset("ds_blender", "{\"camera_angle_x\": 0.5, \"frames\": [" +
                                                            frame("./a") + "," + frame("b") + "]}");
    const Dataset d = load_dataset(dir + "/transforms.json", DatasetOptions{1, 0});
    CHECK(d.train.size() == 2);
    CHECK(d.test.empty());
    CHECK(d.train[0].camera.fx == Approx(4.0 / std::tan(0.25)));
  }
  SECTION("a scaled rotation is orthonormalised") {
    const std::string dir =
        small_dataset("ds_scaled",
                      "{\"camera_angle_x\": 0.5, \"frames\": [{\"file_path\": \"a.png\", "
                      "\"transform_matrix\": [[2,0,0,0],[0,2,0,0],[0,0,2,1],[0,0,0,1]]}]}");
    const Dataset d = load_dataset(dir, DatasetOptions{1, 0});
    CHECK(glm::length(vec3(d.train[0].camera.camera_to_world[0])) == Approx(1.0f));
  }
}

TEST_CASE("transforms.json bad input", "[dataset][bad_input]") {
  SECTION("malformed JSON") {
    const std::string dir = small_dataset("ds_bad_json", "{\"frames\": [");
    REQUIRE_THROWS_WITH(load_dataset(dir), Contains("transforms.json") && Contains("malformed"));
  }
  SECTION("frame without transform_matrix") {
    const std::string dir = small_dataset(
        "ds_no_matrix", "{\"camera_angle_x\": 0.5, \"frames\": [{\"file_path\": \"a.png\"}]}");
    REQUIRE_THROWS_WITH(load_dataset(dir),
                        Contains("frames[0].transform_matrix") && Contains("missing"));
  }
  SECTION("singular matrix") {
    const std::string dir =
        small_dataset("ds_singular",
                      "{\"camera_angle_x\": 0.5, \"frames\": [{\"file_path\": \"a.png\", "
                      "\"transform_matrix\": [[1,0,0,0],[1,0,0,0],[0,0,1,0],[0,0,0,1]]}]}");
    REQUIRE_THROWS_WITH(load_dataset(dir),
                        Contains("frames[0].transform_matrix") && Contains("singular"));
  }
  SECTION("images of mixed sizes") {
    const std::string dir =
        small_dataset("ds_mixed", "{\"camera_angle_x\": 0.5, \"w\": 8, \"h\": 6, \"frames\": [" +
                                      frame("a.png") + "," + frame("c.png") + "]}");
    write_png(dir + "/c.png", Image(9, 6, vec4(1.0f)));
    REQUIRE_THROWS_WITH(load_dataset(dir), Contains("c.png") && Contains("mixed sizes"));
  }
  SECTION("no usable frame") {
    const std::string dir = small_dataset(
        "ds_empty", "{\"camera_angle_x\": 0.5, \"frames\": [" + frame("gone.png") + "]}");
    REQUIRE_THROWS_WITH(load_dataset(dir), Contains("no usable frame"));
  }
  SECTION("no focal length") {
    const std::string dir = small_dataset("ds_no_focal", "{\"frames\": [" + frame("a.png") + "]}");
    REQUIRE_THROWS_WITH(load_dataset(dir), Contains("frames[0]") && Contains("focal"));
  }
  SECTION("unsupported camera model") {
    const std::string dir = small_dataset(
        "ds_fisheye", "{\"camera_model\": \"OPENCV_FISHEYE\", \"fl_x\": 5, \"frames\": [" +
                          frame("a.png") + "]}");
    REQUIRE_THROWS_WITH(load_dataset(dir), Contains("camera_model") && Contains("OPENCV_FISHEYE"));
  }
}

TEST_CASE("LLFF poses_bounds.npy: axes converted to OpenGL", "[dataset]") {
  const std::string dir = fresh_dir("ds_llff");
  fs::create_directories(dir + "/images");
  std::vector<double> rows;
  for (int i = 0; i < 3; ++i) {
    write_png(dir + "/images/img" + std::to_string(i) + ".png", Image(16, 12, vec4(1.0f)));
    // An OpenGL identity camera at x = i: LLFF columns are (down, right, back) = (-y, x, z).
    const double r[17] = {0, 1, 0, double(i), 24, -1, 0, 0, 0, 32, 0, 0, 1, 0, 40, 1.5, 9.0};
    rows.insert(rows.end(), r, r + 17);
  }
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 17), }";
  header.resize(118, ' ');
  header += '\n';
  std::ofstream out(dir + "/poses_bounds.npy", std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = uint16_t(header.size());
  out.write(reinterpret_cast<const char*>(&len), 2);
  out << header;
  out.write(reinterpret_cast<const char*>(rows.data()), std::streamsize(rows.size() * 8));
  out.close();
  const Dataset d = load_dataset(dir, DatasetOptions{1, 8});
  REQUIRE(d.test.size() == 1);
  REQUIRE(d.train.size() == 2);
  const Camera& c = d.train[0].camera;
  CHECK(glm::length(vec3(c.camera_to_world[0]) - vec3(1, 0, 0)) < 1e-6f);
  CHECK(glm::length(vec3(c.camera_to_world[1]) - vec3(0, 1, 0)) < 1e-6f);
  CHECK(c.position().x == Approx(1.0f));
  CHECK(c.fx == Approx(40.0 * 16 / 32));  // focal scaled from 32 px wide poses to 16 px images
  CHECK(d.near_depth == Approx(1.5f));
  CHECK(d.far_depth == Approx(9.0f));
}
