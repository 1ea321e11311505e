#include "tests/test_support.h"

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "neural/core/image_io.h"
#include "neural/core/metrics.h"

namespace strata::test {

namespace fs = std::filesystem;

std::string source_dir() {
  return STRATA_SOURCE_DIR;
}

std::optional<std::string> shared_dir() {
  if (const char* env = std::getenv("STRATA_SHARED_DIR")) {
    if (fs::is_directory(env)) return std::string(env);
  }
  const fs::path candidate = fs::path(STRATA_SOURCE_DIR).parent_path() / "shared";
  if (fs::is_directory(candidate)) return candidate.string();
  return std::nullopt;
}

std::string output_dir() {
  fs::create_directories(STRATA_TEST_OUTPUT_DIR);
  return STRATA_TEST_OUTPUT_DIR;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = output_dir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

Comparison compare_images(const std::string& name, const Image& a, const Image& b, double min_db,
                          vec3 background) {
  Comparison c{psnr(a, b, background), false, ""};
  c.ok = c.psnr_db >= min_db;
  std::ostringstream m;
  m << name << ": PSNR " << c.psnr_db << " dB (need " << min_db << ")";
  if (!c.ok) {
    const std::string base = output_dir() + "/" + name;
    write_png(base + "_a.png", a);
    write_png(base + "_b.png", b);
    write_png(base + "_diff.png", difference_image(a, b, 4.0f, background));
    m << "; images written to " << base << "_{a,b,diff}.png";
  }
  c.message = m.str();
  return c;
}

CommandRun run_command(const std::string& command) {
  CommandRun run{-1, ""};
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

CommandRun run_strata(const std::string& arguments) {
  return run_command(std::string(STRATA_CLI_PATH) + " " + arguments);
}

CommandRun run_node(const std::string& script, const std::string& arguments) {
  const std::string js = source_dir() + "/tests/js";
  INFO("npm packages missing: run scripts/test.sh (it runs npm ci in tests/js)");
  REQUIRE(fs::exists(js + "/node_modules/gltf-validator"));
  return run_command("node " + js + "/" + script + " " + arguments);
}

void require_valid_gltf(const std::string& file, const std::vector<std::string>& allowed_warnings) {
  const CommandRun run = run_node("validate.mjs", "'" + file + "'");
  INFO("validator output: " << run.output);
  REQUIRE(run.exit_code == 0);
  const auto report = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  CHECK(report["numErrors"] == 0);
  for (const auto& m : report["messages"]) {
    if (m["severity"] == "warning") {
      const std::string code = m["code"];
      INFO("unexpected warning " << code << " at " << m["pointer"] << ": " << m["message"]);
      CHECK(std::find(allowed_warnings.begin(), allowed_warnings.end(), code) !=
            allowed_warnings.end());
    }
  }
}

RadianceField tiny_field(bool ball_surface, int sh_degree, uint64_t seed) {
  FieldConfig config;
  config.encoding.levels = 4;
  config.encoding.log2_table_size = 12;
  config.encoding.finest_resolution = 64;
  config.density_hidden = 16;
  config.color_hidden = 16;
  config.sh_degree = sh_degree;
  config.grid_resolution = 16;
  config.box_lo = vec3(-0.5f);
  config.box_hi = vec3(0.5f);
  if (ball_surface) config.density_bias = 5.0f;  // ~150/m
  RadianceField field = create_field(config, seed);
  if (ball_surface)
    for (int z = 0; z < 16; ++z)
      for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) {
          const size_t cell = field.occupancy.cell_index(x, y, z);
          if (glm::length(vec3(x, y, z) - vec3(7.5f)) > 5.0f)
            field.occupancy.bits[cell >> 6] &= ~(uint64_t(1) << (cell & 63));
        }
  return field;
}

}  // namespace strata::test
