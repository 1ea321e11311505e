// Helpers shared by the tests: where the shared data lives, where failure images go, and
// image comparisons that write the images and a difference image when they fail.
#pragma once

#include <optional>
#include <string>

#include "neural/core/image.h"

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

}  // namespace strata::test
