// Helpers shared by the tests: where the shared data lives, where failure images go, and
// image comparisons that write the images and a difference image when they fail.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "neural/core/image.h"
#include "neural/field/radiance_field.h"

namespace strata::test {

// ../shared beside the repository, or nullopt (tests then SKIP with a message).
std::optional<std::string> shared_dir();
// A folder under the build tree for images written on failure (created on demand).
std::string output_dir();
// The repository root.
std::string source_dir();
// output_dir()/name, emptied and created anew.
std::string fresh_dir(const std::string& name);
// Writes `text` to `path` (test fixtures; not atomic).
void write_text(const std::string& path, const std::string& text);
// PSNR of a vs b over `background`; when below `min_db`, writes <name>_a.png, <name>_b.png and
// <name>_diff.png to output_dir() and says where in the returned message.
struct Comparison {
  double psnr_db;
  bool ok;
  std::string message;
};
Comparison compare_images(const std::string& name, const Image& a, const Image& b, double min_db,
                          vec3 background = vec3(0.0f));

// A shell command's exit code (-1 when it did not exit normally) and its stdout and stderr
// together.
struct CommandRun {
  int exit_code;
  std::string output;
};
CommandRun run_command(const std::string& command);
// Runs the `strata` binary built beside the tests with `arguments` (shell words).
CommandRun run_strata(const std::string& arguments);
// Runs `node tests/js/SCRIPT ARGUMENTS`; REQUIREs the npm packages that scripts/test.sh installs.
CommandRun run_node(const std::string& script, const std::string& arguments);
// Runs the Khronos glTF validator on `file`: REQUIREs zero errors and CHECKs that every warning's
// code is in `allowed_warnings` (each test says why it allows one).
void require_valid_gltf(const std::string& file,
                        const std::vector<std::string>& allowed_warnings = {});

// A small, untrained radiance field in the box [-0.5, 0.5]^3 (4 hash levels, 16-wide networks,
// SH degree `sh_degree`, a 16^3 occupancy grid). A young field is about exp(density_bias) dense
// wherever the grid is occupied: with `ball_surface` its density is set to ~150/m and only the
// cells of a ball of radius ~0.3 m stay occupied, so its surface is that ball's blocky hull;
// without, it is ~1/m everywhere (below any surface threshold).
RadianceField tiny_field(bool ball_surface, int sh_degree, uint64_t seed);

}  // namespace strata::test
