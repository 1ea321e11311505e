#include "tests/test_support.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace strata::test
