#include "renderer/texture_blocks.h"

#include <algorithm>
#include <cmath>

#include <glm/gtc/packing.hpp>

namespace strata {

namespace {

uint32_t unorm8(float v) {
  return uint32_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

// Area-average resampling of one line of `length` texels, `stride` apart, to `new_length`
// texels written `stride` apart into `dst`.
void resample_line(const vec4* src, vec4* dst, int length, int new_length, size_t stride) {
  const double scale = double(length) / new_length;
  for (int i = 0; i < new_length; ++i) {
    const double lo = i * scale, hi = (i + 1) * scale;
    vec4 sum(0.0f);
    for (int k = int(std::floor(lo)); k < int(std::ceil(hi)) && k < length; ++k) {
      const double overlap = std::min(hi, double(k + 1)) - std::max(lo, double(k));
      if (overlap > 0) sum += float(overlap) * src[size_t(k) * stride];
    }
    dst[size_t(i) * stride] = sum / float(scale);
  }
}

}  // namespace

bool has_straight_alpha_form(const Image& image) {
  for (const vec4& p : image.pixels) {
    const float limit = p.a * (1.0f + 1e-5f) + 1e-7f;
    if (p.a < 0.0f || p.r > limit || p.g > limit || p.b > limit || p.r < 0.0f || p.g < 0.0f ||
        p.b < 0.0f)
      return false;
  }
  return true;
}

EncodedTexture encode_texture(const Image& image, TexelFormat format) {
  EncodedTexture out;
  const int w = image.width, h = image.height, b = kTextureBlock;
  out.blocks_x = (w + b - 1) / b;
  out.blocks_y = (h + b - 1) / b;
  out.straight_alpha = format == TexelFormat::kRgba8 && has_straight_alpha_form(image);
  const int words = texel_words(format);
  out.words.assign(size_t(out.blocks_x) * out.blocks_y * b * b * words, 0u);
  std::vector<uint8_t> occupied(size_t(out.blocks_x) * out.blocks_y, 0);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const vec4 p = image.at(x, y);
      const size_t block = size_t(y / b) * out.blocks_x + x / b;
      const size_t texel = (block * b + size_t(y % b)) * b + size_t(x % b);
      uint32_t* dst = &out.words[texel * words];
      if (format == TexelFormat::kRgba8) {
        vec4 c = p;
        if (out.straight_alpha) c = p.a > 0.0f ? vec4(vec3(p) * (1.0f / p.a), p.a) : vec4(0.0f);
        dst[0] = unorm8(c.r) | unorm8(c.g) << 8 | unorm8(c.b) << 16 | unorm8(c.a) << 24;
        // Straight texels with alpha 0 read as zero, whatever their colour.
        if (out.straight_alpha && (dst[0] >> 24) == 0) dst[0] = 0;
      } else {
        dst[0] = uint32_t(glm::packHalf1x16(p.r)) | uint32_t(glm::packHalf1x16(p.g)) << 16;
        dst[1] = uint32_t(glm::packHalf1x16(p.b)) | uint32_t(glm::packHalf1x16(p.a)) << 16;
      }
      for (int k = 0; k < words; ++k)
        if (dst[k] != 0) occupied[block] = 1;
    }
  }
  const int bx = out.blocks_x, by = out.blocks_y;
  out.occupancy.assign(size_t(bx + 1) * (by + 1), 0u);
  for (int y = 0; y < by; ++y) {
    uint32_t row_sum = 0;
    for (int x = 0; x < bx; ++x) {
      row_sum += occupied[size_t(y) * bx + x];
      out.occupancy[size_t(y + 1) * (bx + 1) + x + 1] =
          out.occupancy[size_t(y) * (bx + 1) + x + 1] + row_sum;
    }
  }
  return out;
}

Image downscale_to_fit(const Image& image, int max_side) {
  if (image.width <= max_side && image.height <= max_side) return image;
  const double f = double(max_side) / std::max(image.width, image.height);
  const int w = std::clamp(int(std::lround(image.width * f)), 1, max_side);
  const int h = std::clamp(int(std::lround(image.height * f)), 1, max_side);
  Image wide(w, image.height);  // rows resampled first, then columns
  for (int y = 0; y < image.height; ++y)
    resample_line(&image.pixels[size_t(y) * image.width], &wide.pixels[size_t(y) * w], image.width,
                  w, 1);
  Image out(w, h);
  for (int x = 0; x < w; ++x)
    resample_line(&wide.pixels[size_t(x)], &out.pixels[size_t(x)], image.height, h, size_t(w));
  return out;
}

}  // namespace strata
