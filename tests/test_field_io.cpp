// The .field file (round trip with and without optimiser state; other versions, other files and
// files cut short are refused with an InputError), the bounds chosen for datasets, SSIM, and the
// `strata fit field` / `strata eval` commands (exit codes, Ctrl-C keeping a checkpoint).
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_bounds.h"
#include "neural/field/field_eval.h"
#include "neural/field/field_io.h"
#include "neural/field/field_math.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

FieldConfig tiny_config() {
  FieldConfig c;
  c.encoding.levels = 4;
  c.encoding.log2_table_size = 12;
  c.encoding.finest_resolution = 64;
  c.density_hidden = 16;
  c.color_hidden = 16;
  c.geometry_features = 4;
  c.sh_degree = 2;
  c.grid_resolution = 16;
  c.bounds_rule = "test";
  c.density_bias = -0.5f;
  return c;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// Runs the strata binary with `args`; returns its exit status (or -1 when it could not start).
int run_cli(const std::string& args, std::string* output = nullptr) {
  const std::string log = test::output_dir() + "/field_cli.log";
  const int status =
      std::system((std::string(STRATA_CLI_PATH) + " " + args + " > " + log + " 2>&1").c_str());
  if (output) *output = read_bytes(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A 6-view dataset of a coloured disc in a folder (transforms.json), small and quick to fit.
std::string write_disc_dataset(const std::string& name) {
  const std::string dir = test::output_dir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  Json frames = Json::array();
  for (int i = 0; i < 6; ++i) {
    const vec3 eye(3.0f * std::cos(float(i)), 0.5f, 3.0f * std::sin(float(i)));
    const Camera c = Camera::pinhole_fov_y(16, 16, glm::radians(40.0f), look_at(eye, vec3(0)));
    Image image(16, 16);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x)
        if ((x - 8) * (x - 8) + (y - 8) * (y - 8) < 20) image.at(x, y) = vec4(0.8f, 0.3f, 0.1f, 1);
    const std::string file = std::string("v").append(std::to_string(i)).append(".png");
    write_png(dir + "/" + file, image);
    frames.push_back(
        {{"file_path", file}, {"transform_matrix", matrix_to_json(c.camera_to_world)}});
  }
  write_json_file(dir + "/transforms.json",
                  Json{{"camera_angle_x", glm::radians(40.0)}, {"frames", frames}});
  return dir;
}

}  // namespace

TEST_CASE(".field round trip keeps config, parameters, occupancy and optimiser state", "[field]") {
  RadianceField field = create_field(tiny_config(), 4);
  field.occupancy.density[5] = 3.5f;
  field.occupancy.density[6] = -1.0f;
  field.occupancy.update_bits(1.0f);
  const std::string path = test::output_dir() + "/roundtrip.field";

  save_field(path, field);
  bool has_state = true;
  TrainerState state;
  RadianceField back = load_field(path, &state, &has_state);
  CHECK_FALSE(has_state);
  CHECK(back.params == field.params);
  CHECK(back.occupancy.density == field.occupancy.density);
  CHECK(back.occupancy.bits == field.occupancy.bits);
  CHECK(field_config_to_json(back.config) == field_config_to_json(field.config));
  CHECK(back.config.density_bias == -0.5f);

  TrainerState saved;
  saved.step = 123;
  saved.adam_steps = 120;
  saved.rays_per_step = 2048;
  saved.occupancy_updates = 7;
  saved.adam_m.assign(field.params.size(), 0.25f);
  saved.adam_v.assign(field.params.size(), 0.5f);
  saved.adam_v[3] = 9.0f;
  save_field(path, field, &saved);
  back = load_field(path, &state, &has_state);
  CHECK(has_state);
  CHECK(state.step == 123);
  CHECK(state.adam_steps == 120);
  CHECK(state.rays_per_step == 2048);
  CHECK(state.occupancy_updates == 7);
  CHECK(state.adam_m == saved.adam_m);
  CHECK(state.adam_v == saved.adam_v);
  CHECK(back.params == field.params);
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE(".field of another version, another format or cut short is an input error", "[field]") {
  const RadianceField field = create_field(tiny_config(), 4);
  const std::string good = test::output_dir() + "/good.field";
  save_field(good, field);
  const std::string bytes = read_bytes(good);
  const std::string bad = test::output_dir() + "/bad.field";

  std::string other_version = bytes;
  other_version[8] = 2;  // version 2
  write_bytes(bad, other_version);
  CHECK_THAT(message_of([&] { load_field(bad); }), Contains("version 2") && Contains("version 1"));

  write_bytes(bad, "PLY\nformat binary_little_endian 1.0\n");
  CHECK_THAT(message_of([&] { load_field(bad); }), Contains("not a strata .field"));

  for (size_t keep : {size_t(4), size_t(14), size_t(40), bytes.size() / 2, bytes.size() - 1}) {
    write_bytes(bad, bytes.substr(0, keep));
    INFO("cut to " << keep << " bytes");
    CHECK_THAT(message_of([&] { load_field(bad); }),
               Contains("cut short") || Contains("not a strata .field"));
  }
  write_bytes(bad, bytes + "extra");
  CHECK_THAT(message_of([&] { load_field(bad); }), Contains("after the end"));

  // A header describing an impossible field.
  std::string broken = bytes;
  const size_t at = broken.find("\"sh_degree\":2");
  REQUIRE(at != std::string::npos);
  broken[at + 12] = '7';
  write_bytes(bad, broken);
  CHECK_THAT(message_of([&] { load_field(bad); }), Contains("sh_degree"));

  CHECK_THAT(message_of([&] { load_field(test::output_dir() + "/absent.field"); }),
             Contains("absent.field"));
}

TEST_CASE("Field bounds follow the dataset kind", "[field]") {
  const auto shared = test::shared_dir();
  if (!shared) {
    WARN("skipped: ../shared is absent");
    return;
  }
  FieldConfig c;
  fit_bounds_to_dataset(load_dataset(*shared + "/data/nerf_toys"), &c);
  CHECK(c.box_lo.x == Approx(-1.53f).margin(0.01));
  CHECK(c.box_hi.z == Approx(1.53f).margin(0.01));
  CHECK(c.cone_angle == 0.0f);
  CHECK_THAT(c.bounds_rule, Contains("object"));

  fit_bounds_to_dataset(load_dataset(*shared + "/external/nerf_fox", {4, 8}), &c);
  CHECK(c.box_hi.x == Approx(6.12f).margin(0.01));  // aabb_scale 4
  CHECK(c.cone_angle > 0.0f);
  CHECK(c.density_bias < -1.0f);

  const Dataset room = load_dataset(*shared + "/data/room_ff");
  fit_bounds_to_dataset(room, &c);
  CHECK_THAT(c.bounds_rule, Contains("forward-facing"));
  for (const DatasetFrame& f : room.train) {  // the cameras and what they look at are inside
    const vec3 p = f.camera.position(), ahead = p + 3.0f * f.camera.forward();
    for (const vec3& q : {p, ahead}) {
      CHECK(glm::all(glm::greaterThanEqual(q, c.box_lo)));
      CHECK(glm::all(glm::lessThanEqual(q, c.box_hi)));
    }
  }
}

TEST_CASE("SSIM is 1 for identical images and falls with noise", "[field]") {
  Image a(32, 24);
  for (int y = 0; y < 24; ++y)
    for (int x = 0; x < 32; ++x)
      a.at(x, y) = vec4(float(x) / 31.0f, float(y) / 23.0f, 0.5f + 0.5f * std::sin(float(x)), 1);
  CHECK(ssim(a, a) == Approx(1.0));
  Image b = a, c = a;
  Rng rng(1, 2);
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const float n = rng.next_float() - 0.5f;
    b.pixels[i] = glm::clamp(a.pixels[i] + vec4(vec3(0.05f * n), 0.0f), 0.0f, 1.0f);
    c.pixels[i] = glm::clamp(a.pixels[i] + vec4(vec3(0.3f * n), 0.0f), 0.0f, 1.0f);
  }
  const double sb = ssim(a, b), sc = ssim(a, c);
  CHECK(sb < 0.999);
  CHECK(sc < sb);
  CHECK(sc > 0.0);
  CHECK(ssim(a, b) == ssim(b, a));
}

TEST_CASE("strata fit field / eval: results, exit codes, Ctrl-C keeps the checkpoint", "[field]") {
  if (!fs::exists(STRATA_CLI_PATH)) {
    WARN("skipped: the strata binary is not built");
    return;
  }
  const std::string data = write_disc_dataset("field_cli_data");
  const std::string out = test::output_dir() + "/cli.field";
  fs::remove(out);
  std::string log;
  REQUIRE(run_cli("fit field " + data + " --out " + out +
                      " --steps 6 --levels 4 --log2-table-size 12 --samples-per-step 4096",
                  &log) == 0);
  CHECK_THAT(log, Contains("trained 6 steps"));
  const std::string eval_dir = test::output_dir() + "/cli_eval";
  REQUIRE(run_cli("eval " + out + " " + data + " --out " + eval_dir, &log) == 0);
  CHECK_THAT(log, Contains("mean PSNR "));
  CHECK(log.find("mean PSNR") == log.rfind('\n', log.size() - 2) + 1);  // the last line
  CHECK(fs::exists(eval_dir + "/v0_render.png"));
  CHECK(fs::exists(eval_dir + "/v0_gt.png"));

  // Bad input: exit code 2.
  write_bytes(test::output_dir() + "/cut.field", read_bytes(out).substr(0, 100));
  CHECK(run_cli("eval " + test::output_dir() + "/cut.field " + data, &log) == 2);
  CHECK_THAT(log, Contains("cut short"));
  CHECK(run_cli("fit field " + data + " --out " + out + " --steps 5 --minutes 1") == 2);
  CHECK(run_cli("fit field " + test::output_dir() + "/nowhere --out " + out) == 2);

  // Ctrl-C: the run stops after its current step, writes a checkpoint and exits with 130.
  fs::remove(out);
  std::fflush(stdout);  // the child must not print what the parent has buffered
  std::fflush(stderr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string log_path = test::output_dir() + "/field_sigint.log";
    freopen(log_path.c_str(), "w", stderr);
    freopen(log_path.c_str(), "a", stdout);
    execl(STRATA_CLI_PATH, STRATA_CLI_PATH, "fit", "field", data.c_str(), "--out", out.c_str(),
          "--steps", "1000000", "--levels", "4", "--log2-table-size", "12", "--samples-per-step",
          "4096", "--checkpoint-every", "0", (char*)nullptr);
    _exit(127);
  }
  // Wait until it trains (its progress shows steps), then interrupt it.
  const auto start = std::chrono::steady_clock::now();
  while (read_bytes(test::output_dir() + "/field_sigint.log").find("steps [") ==
             std::string::npos &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  TrainerState state;
  bool has_state = false;
  load_field(out, &state, &has_state);
  CHECK(has_state);
  CHECK(state.step > 0);
  CHECK_THAT(read_bytes(test::output_dir() + "/field_sigint.log"), Contains("interrupted"));
}
