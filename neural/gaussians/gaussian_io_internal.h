// Helpers shared by the Gaussian file readers and writers (not a public interface).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "neural/gaussians/gaussian_io.h"

namespace strata::gaussian_io {

// Applies the readers' policy for defective Gaussians (NaN dropped with one warning; infinite
// values and zero-length quaternions an InputError naming `path`, or dropped when
// options.drop_all_invalid) and normalises quaternions that are not already unit length.
void finish_read(GaussianCloud& cloud, const std::string& path, const GaussianReadOptions& options);

// Little-endian loads and stores from unaligned bytes.
inline uint32_t load_u32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t load_u64(const unsigned char* p) {
  return uint64_t(load_u32(p)) | uint64_t(load_u32(p + 4)) << 32;
}
inline float load_f32(const unsigned char* p) {
  const uint32_t bits = load_u32(p);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline void store_u32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline void store_u64(unsigned char* p, uint64_t v) {
  store_u32(p, uint32_t(v));
  store_u32(p + 4, uint32_t(v >> 32));
}
inline void store_f32(unsigned char* p, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  store_u32(p, bits);
}

// An 8-bit opacity to a logit. Bytes 0 and 255 would give infinite logits; they are read as
// 0.25/255 and 254.75/255, which render the same (under the 1/255 cutoff, over the 0.99 cap) and
// quantise back to the same byte.
float opacity_logit_from_byte(uint8_t byte);
// Rounds x to the nearest integer in 0..255.
uint8_t to_byte(float x);

}  // namespace strata::gaussian_io
