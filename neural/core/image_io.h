// Image files: PNG/JPG (and anything stb reads) in, PNG (8- and 16-bit) and EXR out.
// Files hold straight alpha; Images in memory hold premultiplied alpha.
#pragma once

#include <string>

#include "neural/core/image.h"

namespace strata {

// Reads an 8- or 16-bit PNG, JPG, BMP or TGA as a premultiplied RGBA Image (alpha 1 when the
// file has none; rgb multiplied by alpha unless the file already holds premultiplied colour).
// Throws InputError naming the file when it is missing or not an image.
Image read_image(const std::string& path, bool file_is_premultiplied = false);
// Reads an image file's header only: size, channels and bits per channel; false when the file
// is not an image stb can read.
bool read_image_info(const std::string& path, int* width, int* height, int* channels, int* bits);
// Reads one channel of a PNG as floats in [0, 1] (16-bit files keep their precision).
ScalarImage read_image_channel(const std::string& path, int channel);
// Reads a float EXR; `channel` 0..3 picks R, G, B or A. Throws InputError on failure.
ScalarImage read_exr_channel(const std::string& path, int channel);

// The bytes of an 8-bit RGBA PNG with straight alpha (values clamped to [0, 1]).
std::string encode_png(const Image& image);
// Decodes PNG/JPG bytes to a premultiplied Image; `what` names the source in errors.
Image decode_image(const std::string& bytes, const std::string& what);
// Writes an 8-bit RGBA PNG with straight alpha, atomically. Values are clamped to [0, 1].
void write_png(const std::string& path, const Image& image);
// Writes a 16-bit grey PNG of values * scale (clamped to 0..65535), atomically.
void write_png16(const std::string& path, const ScalarImage& image, float scale);
// Writes a single-channel 32-bit float EXR (channel "Y"), atomically.
void write_exr(const std::string& path, const ScalarImage& image);

}  // namespace strata
