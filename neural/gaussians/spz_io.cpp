// Niantic SPZ (nianticlabs/spz): versions 2 and 3 are a gzip stream (or, as some tools write,
// the raw bytes) holding a 16-byte header and the attributes one after another; version 4 is a
// 32-byte plain header, an optional extension block, a table of contents (compressed and
// uncompressed size, u64 each, per stream) and one zstd frame per attribute.
// Attributes, in order: positions (24-bit fixed point x3), alphas (u8), colours (u8 x3, DC scaled
// by 0.15), scales (u8 x3, (log + 10) * 16), rotations (v2: xyz u8 with w >= 0 derived; v3+:
// smallest three, 2-bit index of the largest and 3 x (sign bit + 9-bit magnitude)), SH rest
// (u8, (x - 128) / 128, coefficient-major with rgb inner).
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/gaussians/gaussian_io_internal.h"

namespace strata {

namespace {

constexpr uint32_t kSpzMagic = 0x5053474e;  // "NGSP" little endian
constexpr float kSpzColorScale = 0.15f;
constexpr float kSqrtHalf = 0.70710678118654752f;  // bound of the three smallest components
constexpr size_t kLegacyHeaderBytes = 16;
constexpr size_t kV4HeaderBytes = 32;
constexpr uint8_t kFlagAntialiased = 0x1;
constexpr uint8_t kFlagExtensions = 0x2;
// Deflate cannot expand data more than ~1032:1; zstd can, so v4 uses the SPZ library's own bound.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kMaxZstdRatio = 1024;

// Sign flips of SH rest coefficients k = 1..15 under the half turn about x that maps RUB to RDF
// (x, y, z) -> (x, -y, -z): each basis function's parity in y and z.
constexpr float kShFlipRubRdf[15] = {-1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1};

struct SpzLayout {
  uint32_t version = 0;
  uint64_t count = 0;
  int file_sh_degree = 0;  // as stored (0..4)
  int fractional_bits = 0;
  uint8_t flags = 0;
  size_t rotation_bytes() const { return version >= 3 ? 4 : 3; }
  size_t sh_values() const {  // per Gaussian
    return size_t(3 * ((file_sh_degree + 1) * (file_sh_degree + 1) - 1));
  }
  // Bytes of each attribute in file order: positions, alphas, colours, scales, rotations, SH.
  std::vector<uint64_t> attribute_bytes() const {
    return {count * 9, count, count * 3, count * 3, count * rotation_bytes(), count * sh_values()};
  }
  uint64_t payload_bytes() const {
    uint64_t total = 0;
    for (uint64_t b : attribute_bytes()) total += b;
    return total;
  }
};

void check_header_fields(const SpzLayout& l, const std::string& path) {
  if (l.file_sh_degree > 4)
    throw InputError(path, "shDegree",
                     "SH degree " + std::to_string(l.file_sh_degree) + " (expected 0 to 4)");
  if (l.fractional_bits > 24)
    throw InputError(path, "fractionalBits",
                     std::to_string(l.fractional_bits) + " (expected at most 24)");
}

SpzLayout parse_legacy_header(const unsigned char* h, const std::string& path) {
  if (gaussian_io::load_u32(h) != kSpzMagic)
    throw InputError(path, "magic", "not an SPZ stream: expected 'NGSP'");
  SpzLayout l;
  l.version = gaussian_io::load_u32(h + 4);
  if (l.version != 2 && l.version != 3)
    throw InputError(path, "version",
                     "unsupported SPZ version " + std::to_string(l.version) +
                         " in a gzip/raw stream (expected 2 or 3; version 4 has its own header)");
  l.count = gaussian_io::load_u32(h + 8);
  l.file_sh_degree = h[12];
  l.fractional_bits = h[13];
  l.flags = h[14];
  check_header_fields(l, path);
  return l;
}

// Inflates a gzip stream holding a legacy SPZ: the header first, then exactly the payload it
// announces (checked against the deflate expansion bound before allocating), then the rest of
// the stream (extensions) is drained and discarded so truncation and CRC errors are caught.
std::vector<unsigned char> gunzip_spz(const std::string& bytes, const std::string& path,
                                      SpzLayout* layout) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    throw InputError(path, "", "cannot initialise zlib");
  struct Guard {
    z_stream* z;
    ~Guard() { inflateEnd(z); }
  } guard{&z};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = uInt(std::min<size_t>(bytes.size(), 0x7fffffff));
  auto inflate_into = [&](unsigned char* dst, size_t n) -> size_t {
    z.next_out = dst;
    z.avail_out = uInt(n);
    while (z.avail_out > 0) {
      const int r = inflate(&z, Z_NO_FLUSH);
      if (r == Z_STREAM_END) break;
      if (r != Z_OK)
        throw InputError(path, "",
                         std::string("corrupt or truncated gzip stream (zlib: ") +
                             (z.msg ? z.msg : "no progress") + ")");
    }
    return n - z.avail_out;
  };
  unsigned char head[kLegacyHeaderBytes];
  if (inflate_into(head, kLegacyHeaderBytes) != kLegacyHeaderBytes)
    throw InputError(path, "", "the gzip stream ends before the 16-byte SPZ header");
  *layout = parse_legacy_header(head, path);
  const uint64_t payload = layout->payload_bytes();
  if (payload > uint64_t(bytes.size()) * kMaxDeflateRatio)
    throw InputError(path, "numPoints",
                     "the header declares " + std::to_string(layout->count) +
                         " Gaussians, more than a " + std::to_string(bytes.size()) +
                         "-byte gzip file can hold (corrupt header)");
  // The output grows with the data actually inflated: a header that lies costs no memory.
  std::vector<unsigned char> out(head, head + kLegacyHeaderBytes);
  for (uint64_t produced = 0; produced < payload;) {
    const size_t grow =
        size_t(std::min<uint64_t>(payload - produced, std::max<uint64_t>(1 << 20, produced)));
    out.resize(out.size() + grow);
    const size_t n = inflate_into(out.data() + kLegacyHeaderBytes + produced, grow);
    produced += n;
    if (n < grow)
      throw InputError(path, "",
                       "the gzip stream ends before the " + std::to_string(layout->count) +
                           " Gaussians its header declares (truncated file)");
  }
  // Drain what follows (extensions) to reach the end of stream and its CRC check.
  unsigned char scratch[4096];
  for (;;) {
    z.next_out = scratch;
    z.avail_out = sizeof(scratch);
    const int r = inflate(&z, Z_NO_FLUSH);
    if (r == Z_STREAM_END) break;
    if (r != Z_OK)
      throw InputError(path, "",
                       std::string("corrupt or truncated gzip stream (zlib: ") +
                           (z.msg ? z.msg : "unexpected end of data") + ")");
  }
  return out;
}

// The attribute arrays of a decoded SPZ, before unpacking.
struct SpzAttributes {
  const unsigned char* positions;
  const unsigned char* alphas;
  const unsigned char* colors;
  const unsigned char* scales;
  const unsigned char* rotations;
  const unsigned char* sh;
};

GaussianCloud unpack(const SpzLayout& l, const SpzAttributes& a, const std::string& path,
                     const GaussianReadOptions& options) {
  if (l.flags & kFlagAntialiased)
    warn(path +
         ": SPZ marked as trained with antialiasing (Mip-Splatting); strata renders it "
         "without the antialiasing filter");
  if (l.flags & kFlagExtensions) warn(path + ": SPZ extensions are ignored");
  if (l.file_sh_degree > kMaxShDegree)
    warn(path + ": SH degree 4 is read as degree 3 (the fourth band is dropped)");
  GaussianCloud cloud;
  cloud.sh_degree = std::min(l.file_sh_degree, kMaxShDegree);
  cloud.resize(size_t(l.count));
  const int k_count = cloud.sh_coefficients();
  const float position_scale = 1.0f / float(1u << l.fractional_bits);
  const bool flip = options.spz_rub_to_rdf;
  const float fy = flip ? -1.0f : 1.0f;  // RUB -> RDF: y and z change sign
  const size_t sh_per = l.sh_values();
  const size_t rot_bytes = l.rotation_bytes();
  for (size_t i = 0; i < size_t(l.count); ++i) {
    vec3 p;
    for (int k = 0; k < 3; ++k) {
      const unsigned char* b = a.positions + 9 * i + 3 * k;
      int32_t fixed = int32_t(uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16);
      if (fixed & 0x800000) fixed -= 0x1000000;  // sign-extend 24 bits
      p[k] = float(fixed) * position_scale;
    }
    cloud.positions[i] = vec3(p.x, fy * p.y, fy * p.z);
    for (int k = 0; k < 3; ++k) cloud.log_scales[i][k] = float(a.scales[3 * i + k]) / 16.0f - 10.0f;
    cloud.opacity_logits[i] = gaussian_io::opacity_logit_from_byte(a.alphas[i]);
    for (int k = 0; k < 3; ++k)
      cloud.sh_at(i, 0)[k] = (float(a.colors[3 * i + k]) / 255.0f - 0.5f) / kSpzColorScale;
    float xyzw[4];
    const unsigned char* r = a.rotations + rot_bytes * i;
    if (rot_bytes == 3) {
      float sum = 0.0f;
      for (int k = 0; k < 3; ++k) {
        xyzw[k] = float(r[k]) / 127.5f - 1.0f;
        sum += xyzw[k] * xyzw[k];
      }
      xyzw[3] = std::sqrt(std::max(0.0f, 1.0f - sum));
    } else {
      uint32_t comp = gaussian_io::load_u32(r);
      const int largest = int(comp >> 30);
      float sum = 0.0f;
      for (int k = 3; k >= 0; --k) {
        if (k == largest) continue;
        const uint32_t mag = comp & 511u;
        const bool negative = (comp >> 9) & 1u;
        comp >>= 10;
        const float v = kSqrtHalf * float(mag) / 511.0f;
        xyzw[k] = negative ? -v : v;
        sum += v * v;
      }
      xyzw[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
    }
    cloud.rotations[i] = quat(xyzw[3], xyzw[0], fy * xyzw[1], fy * xyzw[2]);
    for (int k = 1; k < k_count; ++k)
      for (int c = 0; c < 3; ++c) {
        const float v = (float(a.sh[sh_per * i + 3 * size_t(k - 1) + size_t(c)]) - 128.0f) / 128.0f;
        cloud.sh_at(i, k)[c] = flip ? v * kShFlipRubRdf[k - 1] : v;
      }
  }
  gaussian_io::finish_read(cloud, path, options);
  return cloud;
}

GaussianCloud read_legacy(const unsigned char* data, size_t size, const SpzLayout& l,
                          const std::string& path, const GaussianReadOptions& options) {
  const uint64_t payload = l.payload_bytes();
  if (size < kLegacyHeaderBytes || payload > size - kLegacyHeaderBytes)
    throw InputError(path, "numPoints",
                     "the header declares " + std::to_string(l.count) + " Gaussians (" +
                         std::to_string(payload) + " bytes) but only " +
                         std::to_string(size - std::min(size, kLegacyHeaderBytes)) +
                         " bytes follow (truncated file?)");
  const auto sizes = l.attribute_bytes();
  const unsigned char* p = data + kLegacyHeaderBytes;
  SpzAttributes a;
  const unsigned char** slots[] = {&a.positions, &a.alphas,    &a.colors,
                                   &a.scales,    &a.rotations, &a.sh};
  for (size_t s = 0; s < 6; ++s) {
    *slots[s] = p;
    p += sizes[s];
  }
  return unpack(l, a, path, options);
}

// Decompresses one zstd frame that must hold exactly `expected` bytes. The output grows with
// the data actually decompressed, so a frame or table of contents that lies costs no memory.
std::vector<unsigned char> unzstd(const unsigned char* src, size_t size, uint64_t expected,
                                  const std::string& path, const char* field) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) throw std::runtime_error("zstd: cannot create a decompression context");
  struct Guard {
    ZSTD_DCtx* d;
    ~Guard() { ZSTD_freeDCtx(d); }
  } guard{dctx};
  auto fail = [&](const std::string& why) {
    return InputError(path, field, "corrupt or truncated zstd stream (" + why + ")");
  };
  ZSTD_inBuffer in{src, size, 0};
  std::vector<unsigned char> out;
  size_t hint = 1;  // 0 once the frame is complete
  // Calls ZSTD_decompressStream until `ob` is full, the frame ends or no progress is possible.
  auto pump = [&](ZSTD_outBuffer* ob) {
    while (ob->pos < ob->size && hint != 0) {
      const size_t in_before = in.pos, out_before = ob->pos;
      hint = ZSTD_decompressStream(dctx, ob, &in);
      if (ZSTD_isError(hint)) throw fail(ZSTD_getErrorName(hint));
      if (in.pos == in_before && ob->pos == out_before) break;  // needs input there is not
    }
  };
  while (out.size() < expected && hint != 0) {
    const size_t have = out.size();
    const size_t grow =
        size_t(std::min<uint64_t>(expected - have, std::max<uint64_t>(1 << 20, have)));
    out.resize(have + grow);
    ZSTD_outBuffer ob{out.data() + have, grow, 0};
    pump(&ob);
    out.resize(have + ob.pos);
    if (ob.pos < grow && hint != 0) throw fail("the data ends early");
  }
  if (out.size() != expected)
    throw fail("it holds " + std::to_string(out.size()) + " bytes, expected " +
               std::to_string(expected));
  unsigned char extra = 0;  // the frame must end exactly here
  ZSTD_outBuffer tail{&extra, 1, 0};
  pump(&tail);
  if (tail.pos > 0) throw fail("it holds more than the " + std::to_string(expected) + " bytes");
  if (hint != 0) throw fail("the frame does not end");
  return out;
}

GaussianCloud read_v4(const std::string& bytes, const std::string& path,
                      const GaussianReadOptions& options) {
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kV4HeaderBytes)
    throw InputError(path, "", "shorter than the 32-byte SPZ version 4 header (truncated)");
  SpzLayout l;
  l.version = gaussian_io::load_u32(d + 4);
  if (l.version != 4)
    throw InputError(
        path, "version",
        "unsupported SPZ version " + std::to_string(l.version) + " (expected 2, 3 or 4)");
  l.count = gaussian_io::load_u32(d + 8);
  l.file_sh_degree = d[12];
  l.fractional_bits = d[13];
  l.flags = d[14];
  const unsigned streams = d[15];
  const uint64_t toc = gaussian_io::load_u32(d + 16);
  check_header_fields(l, path);
  const auto sizes = l.attribute_bytes();
  unsigned expected_streams = 0;
  for (uint64_t s : sizes) expected_streams += s > 0 ? 1 : 0;
  if (l.count > 0 && streams != expected_streams)
    throw InputError(path, "numStreams",
                     std::to_string(streams) + " streams, expected " +
                         std::to_string(expected_streams) + " for SH degree " +
                         std::to_string(l.file_sh_degree));
  if (toc < kV4HeaderBytes || toc + 16 * uint64_t(streams) > bytes.size())
    throw InputError(path, "tocByteOffset",
                     "the table of contents lies outside the file (truncated or corrupt)");
  if (l.payload_bytes() > uint64_t(bytes.size()) * kMaxZstdRatio)
    throw InputError(path, "numPoints",
                     "the header declares " + std::to_string(l.count) + " Gaussians, more than a " +
                         std::to_string(bytes.size()) + "-byte file can hold (corrupt header)");
  static const char* kNames[] = {"positions", "alphas", "colors", "scales", "rotations", "sh"};
  std::vector<std::vector<unsigned char>> decoded(6);
  uint64_t offset = toc + 16 * uint64_t(streams);
  unsigned stream = 0;
  for (size_t s = 0; s < 6; ++s) {
    if (sizes[s] == 0) continue;
    const unsigned char* entry = d + toc + 16 * stream++;
    const uint64_t compressed = gaussian_io::load_u64(entry);
    const uint64_t uncompressed = gaussian_io::load_u64(entry + 8);
    if (uncompressed != sizes[s])
      throw InputError(path, kNames[s],
                       "stream holds " + std::to_string(uncompressed) + " bytes, expected " +
                           std::to_string(sizes[s]) + " for " + std::to_string(l.count) +
                           " Gaussians");
    if (compressed > bytes.size() - offset)
      throw InputError(path, kNames[s],
                       "the zstd stream runs past the end of the file (truncated)");
    decoded[s] = unzstd(d + offset, size_t(compressed), uncompressed, path, kNames[s]);
    offset += compressed;
  }
  SpzAttributes a{decoded[0].data(), decoded[1].data(), decoded[2].data(),
                  decoded[3].data(), decoded[4].data(), decoded[5].data()};
  return unpack(l, a, path, options);
}

}  // namespace

GaussianCloud read_gaussian_spz(const std::string& path, const GaussianReadOptions& options) {
  const std::string bytes = read_file(path);
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
    SpzLayout l;
    const std::vector<unsigned char> raw = gunzip_spz(bytes, path, &l);
    return read_legacy(raw.data(), raw.size(), l, path, options);
  }
  if (bytes.size() < 8 || gaussian_io::load_u32(d) != kSpzMagic)
    throw InputError(path, "magic",
                     "not an SPZ file: expected a gzip stream (1f 8b) or the magic 'NGSP'");
  const uint32_t version = gaussian_io::load_u32(d + 4);
  if (version >= 4) return read_v4(bytes, path, options);
  if (bytes.size() < kLegacyHeaderBytes)
    throw InputError(path, "", "shorter than the 16-byte SPZ header (truncated)");
  return read_legacy(d, bytes.size(), parse_legacy_header(d, path), path, options);
}

namespace {

// Packs a unit quaternion (x, y, z, w) as the smallest three components (SPZ v3+).
uint32_t pack_smallest_three(const float q_in[4]) {
  int largest = 0;
  for (int k = 1; k < 4; ++k)
    if (std::abs(q_in[k]) > std::abs(q_in[largest])) largest = k;
  const bool negate = q_in[largest] < 0.0f;  // q and -q are the same rotation
  uint32_t comp = uint32_t(largest);
  for (int k = 0; k < 4; ++k) {
    if (k == largest) continue;
    const uint32_t negbit = uint32_t((q_in[k] < 0.0f) != negate);
    const uint32_t mag =
        std::min<uint32_t>(511u, uint32_t(511.0f * (std::abs(q_in[k]) / kSqrtHalf) + 0.5f));
    comp = (comp << 10) | (negbit << 9) | mag;
  }
  return comp;
}

std::vector<unsigned char> gzip(const std::vector<unsigned char>& raw) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
  std::vector<unsigned char> out(deflateBound(&z, uLong(raw.size())) + 64);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = uInt(raw.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  const int r = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (r != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  return out;
}

}  // namespace

void write_gaussian_spz(const std::string& path, const GaussianCloud& cloud,
                        const SpzWriteOptions& options) {
  cloud.check_consistent();
  if (options.version < 2 || options.version > 4)
    throw InputError(
        path, "version",
        "cannot write SPZ version " + std::to_string(options.version) + " (expected 2, 3 or 4)");
  if (cloud.size() > 0xffffffffull)
    throw InputError(path, "", "too many Gaussians for SPZ (at most 2^32 - 1)");
  const size_t n = cloud.size();
  SpzLayout l;
  l.version = uint32_t(options.version);
  l.count = n;
  l.file_sh_degree = cloud.sh_degree;
  // The largest fractional precision whose 24-bit range holds every coordinate.
  float extent = 0.0f;
  for (const vec3& p : cloud.positions)
    extent = std::max({extent, std::abs(p.x), std::abs(p.y), std::abs(p.z)});
  int bits = std::clamp(options.max_fractional_bits, 0, 24);
  while (bits > 0 && double(extent) * double(1u << bits) > 8388607.0) --bits;
  if (double(extent) > 8388607.0)
    throw InputError(path, "positions", "a coordinate beyond +-8388607 m cannot be stored in SPZ");
  l.fractional_bits = bits;
  const auto sizes = l.attribute_bytes();
  std::vector<std::vector<unsigned char>> attr(6);
  for (size_t s = 0; s < 6; ++s) attr[s].resize(size_t(sizes[s]));
  const float f = options.rdf_to_rub ? -1.0f : 1.0f;
  const int k_count = cloud.sh_coefficients();
  const size_t sh_per = l.sh_values();
  for (size_t i = 0; i < n; ++i) {
    const vec3 p = cloud.positions[i];
    const float pc[3] = {p.x, f * p.y, f * p.z};
    for (int k = 0; k < 3; ++k) {
      const int32_t fixed = int32_t(std::lround(double(pc[k]) * double(1u << bits)));
      for (int b = 0; b < 3; ++b)
        attr[0][9 * i + 3 * size_t(k) + size_t(b)] = uint8_t(fixed >> (8 * b));
    }
    attr[1][i] = gaussian_io::to_byte(cloud.opacity(i) * 255.0f);
    for (int k = 0; k < 3; ++k) {
      attr[2][3 * i + size_t(k)] =
          gaussian_io::to_byte(cloud.sh_at(i, 0)[k] * (kSpzColorScale * 255.0f) + 127.5f);
      attr[3][3 * i + size_t(k)] = gaussian_io::to_byte((cloud.log_scales[i][k] + 10.0f) * 16.0f);
    }
    quat q = cloud.rotations[i];
    const float len = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    if (len > 0.0f) q = quat(q.w / len, q.x / len, q.y / len, q.z / len);
    float xyzw[4] = {q.x, f * q.y, f * q.z, q.w};
    if (l.version == 2) {
      const float sign = xyzw[3] < 0.0f ? -1.0f : 1.0f;  // store the w >= 0 representative
      for (int k = 0; k < 3; ++k)
        attr[4][3 * i + size_t(k)] = gaussian_io::to_byte(sign * xyzw[k] * 127.5f + 127.5f);
    } else {
      gaussian_io::store_u32(attr[4].data() + 4 * i, pack_smallest_three(xyzw));
    }
    for (int k = 1; k < k_count; ++k)
      for (int c = 0; c < 3; ++c) {
        float v = cloud.sh_at(i, k)[c];
        if (options.rdf_to_rub) v *= kShFlipRubRdf[k - 1];  // the flip is its own inverse
        attr[5][sh_per * i + 3 * size_t(k - 1) + size_t(c)] =
            gaussian_io::to_byte(v * 128.0f + 128.0f);
      }
  }
  std::vector<unsigned char> file;
  if (l.version < 4) {
    std::vector<unsigned char> raw(kLegacyHeaderBytes);
    gaussian_io::store_u32(raw.data(), kSpzMagic);
    gaussian_io::store_u32(raw.data() + 4, l.version);
    gaussian_io::store_u32(raw.data() + 8, uint32_t(n));
    raw[12] = uint8_t(l.file_sh_degree);
    raw[13] = uint8_t(bits);
    for (const auto& a : attr) raw.insert(raw.end(), a.begin(), a.end());
    file = gzip(raw);
  } else {
    std::vector<std::vector<unsigned char>> frames;
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    if (!cctx) throw std::runtime_error("zstd: cannot create a compression context");
    // Level 12 as the SPZ library; with content checksums so corruption is detected on read.
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 12);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    for (const auto& a : attr) {
      if (a.empty()) continue;
      std::vector<unsigned char> frame(ZSTD_compressBound(a.size()));
      const size_t r = ZSTD_compress2(cctx, frame.data(), frame.size(), a.data(), a.size());
      if (ZSTD_isError(r)) {
        ZSTD_freeCCtx(cctx);
        throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
      }
      frame.resize(r);
      frames.push_back(std::move(frame));
    }
    ZSTD_freeCCtx(cctx);
    file.assign(kV4HeaderBytes + 16 * frames.size(), 0);
    gaussian_io::store_u32(file.data(), kSpzMagic);
    gaussian_io::store_u32(file.data() + 4, 4);
    gaussian_io::store_u32(file.data() + 8, uint32_t(n));
    file[12] = uint8_t(l.file_sh_degree);
    file[13] = uint8_t(bits);
    file[15] = uint8_t(frames.size());
    gaussian_io::store_u32(file.data() + 16, uint32_t(kV4HeaderBytes));
    size_t s = 0;
    for (size_t a = 0; a < 6; ++a) {
      if (attr[a].empty()) continue;
      unsigned char* entry = file.data() + kV4HeaderBytes + 16 * s;
      gaussian_io::store_u64(entry, frames[s].size());
      gaussian_io::store_u64(entry + 8, attr[a].size());
      ++s;
    }
    for (const auto& frame : frames) file.insert(file.end(), frame.begin(), frame.end());
  }
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError(tmp, "", "cannot create the file");
    out.write(reinterpret_cast<const char*>(file.data()), std::streamsize(file.size()));
    out.close();
    if (!out) throw InputError(tmp, "", "write failed (disk full?)");
  });
}

}  // namespace strata
