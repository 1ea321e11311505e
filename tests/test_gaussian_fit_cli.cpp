// `strata fit gaussians` and `strata convert --to gaussians` end to end on a tiny synthetic
// dataset (transforms_train/test.json + RGBA PNGs rendered from a few Gaussians), and their bad
// input: cameras that do not see the scene, a teacher of the wrong kind, a divergent rate.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <functional>

#include "neural/core/image_io.h"
#include "neural/field/field_io.h"
#include "neural/field/field_render.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/gaussians/gaussian_render.h"
#include "neural/shells/shells_io.h"
#include "tests/test_support.h"

using namespace strata;
namespace fs = std::filesystem;

namespace {

using Run = strata::test::CommandRun;
using strata::test::run_strata;

GaussianCloud three_blobs() {
  GaussianCloud c;
  c.resize(3);
  c.positions = {vec3(-0.3f, 0.0f, 0.0f), vec3(0.3f, 0.1f, 0.1f), vec3(0.0f, -0.3f, -0.2f)};
  c.log_scales = {vec3(std::log(0.2f)), vec3(std::log(0.15f)), vec3(std::log(0.25f))};
  c.opacity_logits = {2.0f, 2.0f, 2.0f};
  c.sh = {vec3(1.2f, -0.8f, -0.8f), vec3(-0.8f, 1.2f, -0.8f), vec3(-0.8f, -0.8f, 1.2f)};
  return c;
}

// Writes <dir>/transforms_{train,test}.json and PNGs of `render`'s images seen from a ring of
// 32x32 cameras (looking at the origin, or away from it when `look_away`).
void write_dataset(const std::string& dir, const std::function<Image(const Camera&)>& render,
                   bool look_away) {
  fs::create_directories(dir + "/train");
  fs::create_directories(dir + "/test");
  const float fov_x = 0.8f;
  for (const char* split : {"train", "test"}) {
    const bool train = std::string(split) == "train";
    const int count = train ? 8 : 2;
    std::string json = "{\"camera_angle_x\": " + std::to_string(fov_x) + ", \"frames\": [";
    for (int i = 0; i < count; ++i) {
      const float a = (train ? 0.0f : 0.4f) + 6.2831853f * float(i) / float(count);
      const vec3 eye(3.0f * std::cos(a), 0.5f, 3.0f * std::sin(a));
      const mat4 pose = look_at(eye, look_away ? 2.0f * eye : vec3(0.0f));
      const float f = 16.0f / std::tan(0.5f * fov_x);
      Camera camera = Camera::pinhole_fov_y(32, 32, 2.0f * std::atan(16.0f / f), pose);
      const std::string name = std::string(split) + "/r_" + std::to_string(i);
      write_png(dir + "/" + name + ".png", render(camera));
      json += std::string(i ? "," : "") + "{\"file_path\": \"./" + name + ".png\", " +
              "\"transform_matrix\": [";
      for (int r = 0; r < 4; ++r) {
        json += std::string(r ? "," : "") + "[";
        for (int c = 0; c < 4; ++c) json += std::string(c ? "," : "") + std::to_string(pose[c][r]);
        json += "]";
      }
      json += "]}";
    }
    json += "]}";
    test::write_text(dir + "/transforms_" + split + ".json", json);
  }
}

void write_dataset(const std::string& dir, const GaussianCloud& cloud, bool look_away) {
  write_dataset(
      dir, [&](const Camera& camera) { return render_gaussians(cloud, camera).color; }, look_away);
}

}  // namespace

TEST_CASE("strata fit shells --bake: a field's bake starts a fit to its own photographs",
          "[shells][cli]") {
  // A run that must exit 2 with one message naming `named`.
  auto refused = [](const std::string& arguments, const std::string& named) {
    const Run run = run_strata(arguments);
    INFO(run.output);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Catch::Contains(named));
  };
  const std::string dir = test::fresh_dir("shells_bake_cli");
  const RadianceField field = test::tiny_field(true, 1, 2);
  save_field(dir + "/ball.field", field);
  write_dataset(
      dir + "/data", [&](const Camera& camera) { return render_field(field, camera).color; },
      false);
  const Run fit = run_strata("fit shells " + dir + "/data --bake " + dir +
                             "/ball.field --field-views 4 --mesh-resolution 32 --target-triangles "
                             "0 --shells 4 --texture-size 128 --steps 30 --out " +
                             dir + "/shells");
  INFO(fit.output);
  REQUIRE(fit.exit_code == 0);
  CHECK_THAT(fit.output, Catch::Contains("8 training views + 4 field views"));
  // The bake alone reproduces the field's own renders (the photographs here), and the fit keeps
  // it there: the last lines are "baked start", "field" (the field's own, exact) and the fit.
  double baked = 0, field_db = 0, fitted = 0;
  const size_t at = fit.output.find("baked start: mean PSNR");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::sscanf(fit.output.c_str() + at,
                      "baked start: mean PSNR %lf\nfield: mean PSNR %lf SSIM %*f\nmean PSNR %lf",
                      &baked, &field_db, &fitted) == 3);
  CHECK(field_db > 60.0);
  CHECK(baked > 30.0);
  CHECK(fitted > baked - 1.0);
  CHECK(fs::exists(dir + "/shells/shells.json"));
  // Resuming from that checkpoint: it starts where the fit ended (a fresh start scores far lower
  // after 2 steps), with the folder's mesh and atlas; --mesh besides it and a missing folder are
  // refused.
  const Run resumed = run_strata("fit shells " + dir + "/data --resume " + dir +
                                 "/shells --steps 2 --out " + dir + "/resumed");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("starting from the shells in"));
  CHECK(resumed.output.find("baked start") == std::string::npos);
  double resumed_db = 0;
  const size_t last = resumed.output.rfind("mean PSNR");
  REQUIRE(std::sscanf(resumed.output.c_str() + last, "mean PSNR %lf", &resumed_db) == 1);
  CHECK(resumed_db > fitted - 1.0);
  refused("fit shells " + dir + "/data --resume " + dir + "/shells --mesh " + dir +
              "/shells/base.obj --out " + dir + "/w",
          "--resume");
  refused("fit shells " + dir + "/data --resume " + dir + "/no_such_shells --out " + dir + "/w",
          "no_such_shells");
  CHECK_FALSE(fs::exists(dir + "/w"));

  // --bake with what is not a radiance field: exit 2, the file named, nothing written.
  write_gaussian_ply(dir + "/blobs.ply", three_blobs());
  const Run wrong =
      run_strata("fit shells " + dir + "/data --bake " + dir + "/blobs.ply --out " + dir + "/w");
  INFO(wrong.output);
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.output, Catch::Contains("blobs.ply") && Catch::Contains("--bake"));
  CHECK_FALSE(fs::exists(dir + "/w"));
  // Converting the field: its views at twice the cameras' resolution, shells reaching less far
  // out than in; a scale of 0 is refused.
  const Run scaled =
      run_strata("convert " + dir + "/ball.field --to shells --data " + dir +
                 "/data --views 8 --view-scale 2 --mesh-resolution 32 --target-triangles 0 "
                 "--shells 2 --texture-size 64 --steps 3 --outer-fraction 0.3333 --out " +
                 dir + "/scaled");
  INFO(scaled.output);
  CHECK(scaled.exit_code == 0);
  CHECK_THAT(scaled.output, Catch::Contains("8 teacher views at 64x64"));
  // --outer-fraction: the outermost shell a third as far out as the innermost is in.
  const ShellVolume scaled_shells = load_shell_volume(dir + "/scaled");
  REQUIRE(scaled_shells.offsets.size() == 2);
  CHECK(scaled_shells.offsets[1] == Approx(-scaled_shells.offsets[0] / 3.0f).epsilon(1e-3));
  const std::string convert_shells =
      "convert " + dir + "/ball.field --to shells --data " + dir + "/data --out " + dir + "/w ";
  refused(convert_shells + "--outer-fraction 7", "--outer-fraction");
  refused(convert_shells + "--unseen-texel-scale 0", "--unseen-texel-scale");
  refused(convert_shells + "--distortion -1", "--distortion");
  refused(convert_shells + "--view-scale 0", "--view-scale");
  CHECK_FALSE(fs::exists(dir + "/w"));
  // Field views without a field to render them.
  refused("fit shells " + dir + "/data --mesh " + dir + "/shells/base.obj --field-views 3 --out " +
              dir + "/w",
          "--field-views");
  CHECK_FALSE(fs::exists(dir + "/w"));
}

TEST_CASE("strata fit gaussians and convert --to gaussians on a tiny dataset",
          "[gaussian_fit][cli]") {
  const std::string dir = test::fresh_dir("gaussian_fit_cli");
  write_dataset(dir + "/data", three_blobs(), false);
  const std::string out = dir + "/fitted.ply";
  const Run fit =
      run_strata("fit gaussians " + dir + "/data --steps 150 --seed-points 300 --out " + out);
  INFO(fit.output);
  REQUIRE(fit.exit_code == 0);
  CHECK_THAT(fit.output, Catch::Contains("held-out views"));
  CHECK_THAT(fit.output, Catch::Contains("mean"));
  const GaussianCloud fitted = read_gaussian_ply(out);
  CHECK(fitted.size() > 0);
  CHECK(fitted.sh_degree == 3);

  // The fitted cloud as a teacher: Gaussians -> Gaussians, seeded from its depth maps.
  const std::string converted = dir + "/converted.ply";
  const Run convert = run_strata("convert " + out + " --to gaussians --data " + dir +
                                 "/data --views 4 --steps 60 --out " + converted);
  INFO(convert.output);
  REQUIRE(convert.exit_code == 0);
  CHECK_THAT(convert.output, Catch::Contains("teacher PSNR"));
  CHECK(read_gaussian_ply(converted).size() > 0);
}

TEST_CASE("strata convert --to field: a Gaussian teacher becomes a radiance field",
          "[field_fit][cli]") {
  const std::string dir = test::fresh_dir("field_convert_cli");
  write_dataset(dir + "/data", three_blobs(), false);
  const std::string teacher = dir + "/teacher.ply";
  write_gaussian_ply(teacher, three_blobs());
  const std::string out = dir + "/student.field";
  const Run convert = run_strata("convert " + teacher + " --to field --data " + dir +
                                 "/data --views 8 --steps 150 --eval-every 75 --out " + out);
  INFO(convert.output);
  REQUIRE(convert.exit_code == 0);
  REQUIRE(fs::exists(out));
  // The student field against the teacher's renders of the held-out views: the last column of
  // the "mean" row. Three soft blobs on white are easy; an untrained field scores ~10 dB.
  const size_t at = convert.output.find("\n  mean ");
  REQUIRE(at != std::string::npos);
  double field_db = 0, field_ssim = 0, teacher_db = 0, teacher_ssim = 0, vs_teacher = 0;
  REQUIRE(std::sscanf(convert.output.c_str() + at, "\n  mean %lf %lf %lf %lf %lf", &field_db,
                      &field_ssim, &teacher_db, &teacher_ssim, &vs_teacher) == 5);
  CHECK(vs_teacher > 25.0);
  CHECK_THAT(convert.output, Catch::Contains("mean PSNR"));
  // The written field is a scene strata reads and renders.
  const Run info = run_strata("info " + out);
  INFO(info.output);
  CHECK(info.exit_code == 0);

  // A teacher that is not a scene, and a student of an unknown kind: exit 2, nothing written.
  test::write_text(dir + "/bogus.ply", "ply\nformat nonsense\n");
  const Run bogus = run_strata("convert " + dir + "/bogus.ply --to field --data " + dir +
                               "/data --steps 10 --out " + dir + "/b.field");
  INFO(bogus.output);
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.output, Catch::Contains("bogus.ply"));
  CHECK_FALSE(fs::exists(dir + "/b.field"));
  const Run kind = run_strata("convert " + teacher + " --to mesh --data " + dir + "/data --out " +
                              dir + "/k.field");
  CHECK(kind.exit_code == 2);
  CHECK_THAT(kind.output, Catch::Contains("--to"));
}

TEST_CASE("strata fit shells around a given mesh on a tiny dataset", "[shells][cli]") {
  const std::string dir = test::fresh_dir("shells_fit_cli");
  write_dataset(dir + "/data", three_blobs(), false);
  // A cube around the blobs, without UVs (the atlas is made) or normals.
  std::string obj;
  for (int i = 0; i < 8; ++i)
    obj += "v " + std::to_string((i & 1) ? 0.6 : -0.6) + " " +
           std::to_string((i & 2) ? 0.6 : -0.6) + " " + std::to_string((i & 4) ? 0.6 : -0.6) + "\n";
  obj += "f 1 3 4 2\nf 5 6 8 7\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf 2 4 8 6\n";
  test::write_text(dir + "/cube.obj", obj);
  const Run fit =
      run_strata("fit shells " + dir + "/data --mesh " + dir +
                 "/cube.obj --shells 3 --texture-size 128 --steps 40 --out " + dir + "/shells");
  INFO(fit.output);
  REQUIRE(fit.exit_code == 0);
  CHECK_THAT(fit.output, Catch::Contains("mean PSNR"));
  CHECK(fs::exists(dir + "/shells/shells.json"));
  const Run eval = run_strata("eval " + dir + "/shells " + dir + "/data");
  INFO(eval.output);
  CHECK(eval.exit_code == 0);
}

TEST_CASE("strata fit/convert gaussians: bad input exits 2 with one clear message",
          "[gaussian_fit][cli][bad_input]") {
  const std::string dir = test::fresh_dir("gaussian_fit_cli_bad");
  write_dataset(dir + "/away", three_blobs(), true);
  write_dataset(dir + "/data", three_blobs(), false);

  // Cameras that look away from the scene's bounds.
  const Run away = run_strata("fit gaussians " + dir + "/away --steps 10 --out " + dir + "/a.ply");
  INFO(away.output);
  CHECK(away.exit_code == 2);
  CHECK_THAT(away.output, Catch::Contains("sees the scene's bounds"));
  CHECK_FALSE(fs::exists(dir + "/a.ply"));

  // A teacher that is not a scene (a text file named .field).
  test::write_text(dir + "/bogus.field", "not a radiance field\n");
  const Run bogus = run_strata("convert " + dir + "/bogus.field --to gaussians --data " + dir +
                               "/data --steps 10 --out " + dir + "/b.ply");
  INFO(bogus.output);
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.output, Catch::Contains("bogus.field"));
  CHECK_FALSE(fs::exists(dir + "/b.ply"));

  // A divergent learning rate: the fit stops, says so and keeps the last good checkpoint.
  const Run nan = run_strata("fit gaussians " + dir + "/data --steps 50 --seed-points 100 " +
                             "--position-lr 1e37 --checkpoint-every 1 --out " + dir + "/n.ply");
  INFO(nan.output);
  CHECK(nan.exit_code == 2);
  CHECK_THAT(nan.output, Catch::Contains("diverged"));
  CHECK_THAT(nan.output, Catch::Contains("last good checkpoint"));
  CHECK(fs::exists(dir + "/n.ply"));
}
