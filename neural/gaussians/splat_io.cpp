// antimatter15 .splat: a headerless array of 32-byte records (see gaussian_io.h).
#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/gaussians/gaussian_io_internal.h"

namespace strata {

namespace {
constexpr size_t kSplatRecordBytes = 32;
}  // namespace

GaussianCloud read_gaussian_splat(const std::string& path, const GaussianReadOptions& options) {
  const std::string bytes = read_file(path);
  if (bytes.empty()) throw InputError(path, "", "empty file: a .splat holds 32 bytes a Gaussian");
  if (bytes.size() % kSplatRecordBytes != 0)
    throw InputError(path, "",
                     "size " + std::to_string(bytes.size()) +
                         " bytes is not a multiple of 32 (truncated, or not a .splat file)");
  const size_t n = bytes.size() / kSplatRecordBytes;
  GaussianCloud cloud;
  cloud.resize(n);
  const float inv_c0 = float(1.0 / kShC0);
  for (size_t i = 0; i < n; ++i) {
    const auto* r = reinterpret_cast<const unsigned char*>(bytes.data() + i * kSplatRecordBytes);
    using gaussian_io::load_f32;
    cloud.positions[i] = vec3(load_f32(r), load_f32(r + 4), load_f32(r + 8));
    vec3 log_scale;
    for (int k = 0; k < 3; ++k) {
      float s = load_f32(r + 12 + 4 * k);
      if (s < 0.0f)
        throw InputError(path, "scale_" + std::to_string(k),
                         "Gaussian " + std::to_string(i) + " has a negative scale " +
                             std::to_string(s) + " (expected >= 0)");
      // exp() of a very negative log scale underflows to 0 in the writer; read it back as the
      // smallest normal float instead of -infinity.
      if (s == 0.0f) s = std::numeric_limits<float>::min();
      log_scale[k] = std::log(s);
    }
    cloud.log_scales[i] = log_scale;
    cloud.sh_at(i, 0) = (vec3(r[24], r[25], r[26]) / 255.0f - 0.5f) * inv_c0;
    cloud.opacity_logits[i] = gaussian_io::opacity_logit_from_byte(r[27]);
    auto q = [&](int k) { return (float(r[28 + k]) - 128.0f) / 128.0f; };
    cloud.rotations[i] = quat(q(0), q(1), q(2), q(3));
  }
  gaussian_io::finish_read(cloud, path, options);
  return cloud;
}

void write_gaussian_splat(const std::string& path, const GaussianCloud& cloud) {
  cloud.check_consistent();
  std::vector<unsigned char> out(cloud.size() * kSplatRecordBytes);
  for (size_t i = 0; i < cloud.size(); ++i) {
    unsigned char* r = out.data() + i * kSplatRecordBytes;
    const vec3 p = cloud.positions[i], s = cloud.scale(i);
    for (int k = 0; k < 3; ++k) {
      gaussian_io::store_f32(r + 4 * k, p[k]);
      gaussian_io::store_f32(r + 12 + 4 * k, s[k]);
    }
    const vec3 c = cloud.dc_color(i);
    for (int k = 0; k < 3; ++k) r[24 + k] = gaussian_io::to_byte(c[k] * 255.0f);
    r[27] = gaussian_io::to_byte(cloud.opacity(i) * 255.0f);
    quat q = cloud.rotations[i];
    const float len = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    if (len > 0.0f) q = quat(q.w / len, q.x / len, q.y / len, q.z / len);
    const float comps[4] = {q.w, q.x, q.y, q.z};
    for (int k = 0; k < 4; ++k) r[28 + k] = gaussian_io::to_byte(comps[k] * 128.0f + 128.0f);
  }
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw InputError(tmp, "", "cannot create the file");
    f.write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
    f.close();
    if (!f) throw InputError(tmp, "", "write failed (disk full?)");
  });
}

}  // namespace strata
