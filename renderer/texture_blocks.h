// Plane textures as the GPU reads them: every texture cut into 8x8-texel blocks (256 bytes in
// RGBA8), the blocks of all planes back to back in one texel buffer. A bilinear footprint then
// spans one to four small contiguous blocks instead of rows a whole texture apart, which is what
// decides speed on CPU devices, where each texel row is a cache miss. Also: per-texture
// occupancy tables for empty-space skipping, straight-alpha detection (8-bit textures that came
// from straight-alpha PNGs are stored losslessly) and downscaling. Plain C++, no Vulkan.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/image.h"

namespace strata {

// Texels per block side (gpu::kPlanesBlock).
inline constexpr int kTextureBlock = 8;

enum class TexelFormat {
  kRgba8,    // one uint per texel: RGBA8 unorm, straight or premultiplied (TextureEncoding)
  kRgba16f,  // two uints per texel: RGBA16F, premultiplied
};
// uint32 words per texel.
inline int texel_words(TexelFormat f) {
  return f == TexelFormat::kRgba8 ? 1 : 2;
}

struct EncodedTexture {
  std::vector<uint32_t> words;      // blocks row-major, texels row-major inside a block
  int blocks_x = 0;                 // blocks across (ceil(width / 8))
  int blocks_y = 0;                 // blocks down
  bool straight_alpha = false;      // RGBA8 holds straight colour: multiply by alpha on reading
  std::vector<uint32_t> occupancy;  // (blocks_y + 1) x (blocks_x + 1) summed-area table: entry
                                    // (y, x) counts blocks above-left of block (x, y) that hold
                                    // a non-zero texel
};

// True when every texel's premultiplied colour is at most its alpha (and zero where alpha is
// zero): the texture came from straight alpha and can be stored that way without loss.
bool has_straight_alpha_form(const Image& image);

// Encodes a premultiplied texture. RGBA8 uses straight alpha when has_straight_alpha_form (8-bit
// PNG colour then round-trips exactly), premultiplied otherwise. Texels past the edge of the
// last blocks are zero. A block's texels are all zero exactly when its occupancy count is 0, so
// bilinear samples inside empty blocks are exact zeros.
EncodedTexture encode_texture(const Image& image, TexelFormat format);

// `image` resampled (area average, premultiplied) so that neither side exceeds `max_side`,
// keeping the aspect ratio; returned unchanged when it already fits.
Image downscale_to_fit(const Image& image, int max_side);

}  // namespace strata
