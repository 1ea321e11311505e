#include "neural/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "neural/core/error.h"

namespace strata {

namespace fs = std::filesystem;

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      path + ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  try {
    write(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(path, "", "cannot write the file: " + ec.message());
  }
}

void write_text_atomically(const std::string& path, const std::string& bytes) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out)
      throw InputError(path, "", std::string("cannot write the file: ") + std::strerror(errno));
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw InputError(path, "", "write failed (disk full?)");
  });
}

void ensure_writable_directory(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw InputError(dir, "", "cannot create the output folder: " + ec.message());
  } else if (!fs::is_directory(dir, ec)) {
    throw InputError(dir, "", "the output path exists and is not a folder");
  }
  // A probe file, not access(2): root passes access() even where writes fail.
  const std::string probe =
      (fs::path(dir) / (".strata_probe" + std::to_string(::getpid()))).string();
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f)
    throw InputError(dir, "",
                     std::string("the output folder is not writable: ") + std::strerror(errno));
  std::fclose(f);
  fs::remove(probe, ec);
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "file not found");
  if (fs::is_directory(path, ec)) throw InputError(path, "", "expected a file, found a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", std::string("cannot open the file: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace strata
