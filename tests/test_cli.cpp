// The `strata` command line end to end: help, exit codes, outputs, and bad input.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "neural/core/image_io.h"
#include "tests/test_support.h"

using Catch::Contains;
namespace fs = std::filesystem;

namespace {

using Run = strata::test::CommandRun;
using strata::test::run_strata;

std::string fresh_dir(const std::string& name) {
  const std::string dir = strata::test::output_dir() + "/" + name;
  fs::remove_all(dir);
  return dir;
}

std::string room() {
  return strata::test::source_dir() + "/assets/room_corner";
}

size_t count_files(const std::string& dir) {
  if (!fs::exists(dir)) return 0;
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("every command has --help", "[cli]") {
  for (const char* command : {"", "info", "render", "bench"}) {
    const Run run = run_strata(std::string(command) + " --help");
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find("Usage") != std::string::npos);
  }
}

TEST_CASE("strata info describes the sample scene", "[cli]") {
  const Run run = run_strata("info " + room());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("structural MPI") && Contains("14 planes") && Contains("bounds"));
}

TEST_CASE("strata render writes numbered frames, depth and the path", "[cli]") {
  const std::string out = fresh_dir("cli_render");
  const Run run = run_strata(
      "render " + room() +
      " --orbit --frames 3 --width 64 --height 48 --depth png16 --backend cpu --out " + out);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("rendered 3 frames") && Contains(out));
  for (const char* name : {"0000.png", "0001.png", "0002.png", "0000_depth.png", "path.json"})
    CHECK(fs::exists(out + "/" + name));
  CHECK(count_files(out) == 7);  // no temporary files left
  const strata::Image frame = strata::read_image(out + "/0001.png");
  CHECK(frame.width == 64);
  CHECK(frame.height == 48);
  // The rendered path can be rendered again from its path.json.
  const Run again =
      run_strata("render " + room() + " --path " + out +
                 "/path.json --frames 2 --width 32 --height 24 --backend cpu --depth exr --out " +
                 out + "/again");
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(fs::exists(out + "/again/0001_depth.exr"));
}

TEST_CASE("bad input gives one clear message, exit code 2 and no output", "[cli][bad_input]") {
  const std::string out = fresh_dir("cli_bad");
  SECTION("missing scene") {
    const Run run = run_strata("render /no/such/scene.json --orbit --out " + out);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("/no/such/scene.json") && Contains("not found"));
  }
  SECTION("unwritable output folder") {
    const std::string file = strata::test::output_dir() + "/a_file";
    std::ofstream(file) << "x";
    const Run run =
        run_strata("render " + room() + " --orbit --frames 1 --out " + file + "/frames");
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("a_file/frames"));
  }
  SECTION("neither --path nor --orbit") {
    const Run run = run_strata("render " + room() + " --out " + out);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("--orbit"));
  }
  SECTION("malformed camera path") {
    fs::create_directories(strata::test::output_dir());
    const std::string path = strata::test::output_dir() + "/broken_path.json";
    std::ofstream(path) << "{\"kind\": \"camera_path\", \"keyframes\": [";
    const Run run = run_strata("render " + room() + " --path " + path + " --out " + out);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("broken_path.json"));
  }
  SECTION("unknown option") {
    const Run run = run_strata("render " + room() + " --orbit --out " + out + " --colour purple");
    CHECK(run.exit_code == 2);
  }
  SECTION("zero frames") {
    const Run run = run_strata("render " + room() + " --orbit --frames 0 --out " + out);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("--frames"));
  }
  INFO("output folder: " << out);
  CHECK(count_files(out) == 0);
}

TEST_CASE("strata convert pano and render --eye", "[cli][panorama]") {
  const auto shared = strata::test::shared_dir();
  if (!shared || !fs::exists(*shared + "/data/room_pano/pano.json")) {
    WARN("skipped: ../shared/data/room_pano is absent");
    return;
  }
  const std::string out = fresh_dir("cli_pano");
  const Run convert =
      run_strata("convert pano " + *shared + "/data/room_pano --out " + out + "/pano");
  INFO(convert.output);
  REQUIRE(convert.exit_code == 0);
  CHECK_THAT(convert.output, Contains("2 layers"));
  for (const char* name : {"panorama.json", "layer_0.ply", "layer_1.ply"})
    CHECK(fs::exists(out + "/pano/" + name));
  const Run eye = run_strata("render " + out + "/pano --eye --out " + out + "/eye");
  INFO(eye.output);
  REQUIRE(eye.exit_code == 0);
  const strata::Image frame = strata::read_image(out + "/eye/0000.png");
  CHECK(frame.width == 384);
  CHECK(frame.height == 192);
  const Run info = run_strata("info " + out + "/pano");
  CHECK_THAT(info.output, Contains("layered Gaussian panorama") && Contains("foreground"));
  const Run bad = run_strata("convert pano " + out + " --out " + out + "/x");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains("pano.json"));
}

TEST_CASE("strata fit planes, eval on planes, and bad conversions", "[cli][planes_fit]") {
  const auto shared = strata::test::shared_dir();
  if (!shared || !fs::exists(*shared + "/data/room_ff/transforms_train.json")) {
    WARN("skipped: ../shared/data/room_ff is absent");
    return;
  }
  const std::string data = *shared + "/data/room_ff";
  const std::string out = fresh_dir("cli_planes");
  const Run fit =
      run_strata("fit planes " + data + " --planes 4 --steps 3 --downscale 4 --near 1 " +
                 "--far 20 --threads 2 --out " + out + "/mpi");
  INFO(fit.output);
  REQUIRE(fit.exit_code == 0);
  CHECK_THAT(fit.output, Contains("reference camera #12") && Contains("held-out views") &&
                             Contains("mean PSNR"));
  CHECK(fs::exists(out + "/mpi/planes.json"));
  const Run eval = run_strata("eval " + out + "/mpi " + data + " --threads 2");
  INFO(eval.output);
  REQUIRE(eval.exit_code == 0);
  CHECK_THAT(eval.output, Contains("(downscale 4)") && Contains("r_0") && Contains("mean PSNR"));

  // The structural MPI: a field fitted first gives the depth its dominant planes are found in.
  const Run smpi =
      run_strata("fit smpi " + data + " --planes 4 --steps 20 --downscale 4 --near 1 --far 20 " +
                 "--threads 2 --out " + out + "/smpi");
  INFO(smpi.output);
  REQUIRE(smpi.exit_code == 0);
  CHECK_THAT(smpi.output,
             Contains("radiance field") && Contains("dominant planes") && Contains("mean PSNR"));
  CHECK(fs::exists(out + "/smpi/planes.json"));

  // A teacher that is no scene, and a learning rate that is no number: exit code 2, no output.
  const Run wrong_kind =
      run_strata("convert " + data + "/transforms_train.json --to planes --data " + data +
                 " --out " + out + "/student");
  CHECK(wrong_kind.exit_code == 2);
  CHECK_THAT(wrong_kind.output, Contains("transforms_train.json"));
  const Run bad_lr =
      run_strata("fit planes " + data + " --steps 2 --color-lr nan --out " + out + "/nan");
  CHECK(bad_lr.exit_code == 2);
  CHECK_THAT(bad_lr.output, Contains("--color-lr"));
  CHECK_FALSE(fs::exists(out + "/student"));
  CHECK_FALSE(fs::exists(out + "/nan"));
}
