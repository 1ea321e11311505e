// load_gaussian_cloud (format detection) and the post-read policy shared by all readers.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "neural/core/error.h"
#include "neural/gaussians/gaussian_io_internal.h"

namespace strata {

namespace gaussian_io {

void finish_read(GaussianCloud& cloud, const std::string& path,
                 const GaussianReadOptions& options) {
  cloud.check_consistent();
  size_t nan = 0, inf = 0, zero = 0;
  std::vector<bool> keep(cloud.size(), true);
  for (size_t i = 0; i < cloud.size(); ++i) {
    std::string field;
    const GaussianDefect d = find_defect(cloud, i, &field);
    if (d == GaussianDefect::kNone) continue;
    if (d == GaussianDefect::kNaN) {
      ++nan;
    } else if (!options.drop_all_invalid) {
      const char* what =
          d == GaussianDefect::kInfinite ? "is infinite" : "is a quaternion of zero length";
      throw InputError(path, field,
                       "Gaussian " + std::to_string(i) + " " + what +
                           " (expected finite values and a non-zero rotation quaternion)");
    } else if (d == GaussianDefect::kInfinite) {
      ++inf;
    } else {
      ++zero;
    }
    keep[i] = false;
  }
  const size_t removed = nan + inf + zero;
  if (removed > 0) {
    cloud.filter(keep);
    std::ostringstream m;
    m << path << ": dropped " << removed << " of " << (cloud.size() + removed)
      << " Gaussians that cannot be rendered (" << nan << " with NaN";
    if (options.drop_all_invalid)
      m << ", " << inf << " with infinite values, " << zero << " with a zero-length quaternion";
    m << ")";
    warn(m.str());
  }
  for (quat& q : cloud.rotations) {
    const double n2 = double(q.w) * q.w + double(q.x) * q.x + double(q.y) * q.y + double(q.z) * q.z;
    // Already unit within float rounding: leave the bits alone so write -> read is exact.
    if (std::abs(n2 - 1.0) <= 1e-6) continue;
    const double inv = 1.0 / std::sqrt(n2);
    q = quat(float(q.w * inv), float(q.x * inv), float(q.y * inv), float(q.z * inv));
  }
}

float opacity_logit_from_byte(uint8_t byte) {
  const float p = std::clamp(float(byte), 0.25f, 254.75f) / 255.0f;
  return logit_from_opacity(p);
}

uint8_t to_byte(float x) {
  if (!(x > 0.0f)) return 0;  // also NaN
  if (x >= 255.0f) return 255;
  return static_cast<uint8_t>(std::lround(x));
}

}  // namespace gaussian_io

GaussianCloud load_gaussian_cloud(const std::string& path, const GaussianReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the file (missing or unreadable)");
  unsigned char magic[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(magic), 4);
  const std::streamsize got = in.gcount();
  in.close();
  if (got >= 3 && magic[0] == 'p' && magic[1] == 'l' && magic[2] == 'y')
    return read_gaussian_ply(path, options);
  if ((got >= 4 && std::memcmp(magic, "NGSP", 4) == 0) ||
      (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b))
    return read_gaussian_spz(path, options);
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".splat") return read_gaussian_splat(path, options);
  if (ext == ".ply") throw InputError(path, "", "not a PLY file: it does not start with 'ply'");
  if (ext == ".spz")
    throw InputError(path, "",
                     "not an SPZ file: expected a gzip stream (1f 8b) or the magic 'NGSP'");
  if (ext == ".ksplat")
    throw InputError(path, "",
                     ".ksplat is not supported; convert it to .ply, .splat or .spz first");
  throw InputError(path, "",
                   "unknown Gaussian splat format: expected an Inria 3DGS .ply, a .splat or an "
                   ".spz file");
}

}  // namespace strata
