#include "neural/core/image_io.h"

#include <stb_image.h>
#include <stb_image_write.h>
#include <tinyexr.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"

namespace strata {

namespace {

void check_readable(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path, "", "image file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path, "", "expected an image file, found a folder");
}

std::string stb_failure() {
  const char* reason = stbi_failure_reason();
  return "cannot decode the image (" + std::string(reason ? reason : "unknown reason") +
         "); expected PNG, JPG, BMP or TGA";
}

uint8_t to_byte(float v) {
  return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

void put_u32_be(std::string& out, uint32_t v) {
  out.push_back(char(v >> 24));
  out.push_back(char(v >> 16));
  out.push_back(char(v >> 8));
  out.push_back(char(v));
}

void put_chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32_be(out, uint32_t(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put_u32_be(out,
             uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

}  // namespace

Image read_image(const std::string& path, bool file_is_premultiplied) {
  check_readable(path);
  int w = 0, h = 0, n = 0;
  Image image;
  if (stbi_is_16_bit(path.c_str())) {
    std::unique_ptr<uint16_t, void (*)(void*)> data(stbi_load_16(path.c_str(), &w, &h, &n, 4),
                                                    stbi_image_free);
    if (!data) throw InputError(path, "", stb_failure());
    image = Image(w, h);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
      const uint16_t* p = data.get() + 4 * i;
      const float a = p[3] / 65535.0f;
      image.pixels[i] =
          vec4(vec3(p[0], p[1], p[2]) / 65535.0f * (file_is_premultiplied ? 1.0f : a), a);
    }
  } else {
    std::unique_ptr<uint8_t, void (*)(void*)> data(stbi_load(path.c_str(), &w, &h, &n, 4),
                                                   stbi_image_free);
    if (!data) throw InputError(path, "", stb_failure());
    image = Image(w, h);
    for (size_t i = 0; i < image.pixels.size(); ++i) {
      const uint8_t* p = data.get() + 4 * i;
      const float a = p[3] / 255.0f;
      image.pixels[i] =
          vec4(vec3(p[0], p[1], p[2]) / 255.0f * (file_is_premultiplied ? 1.0f : a), a);
    }
  }
  return image;
}

bool read_image_info(const std::string& path, int* width, int* height, int* channels, int* bits) {
  if (!stbi_info(path.c_str(), width, height, channels)) return false;
  *bits = stbi_is_16_bit(path.c_str()) ? 16 : 8;
  return true;
}

ScalarImage read_image_channel(const std::string& path, int channel) {
  check_readable(path);
  int w = 0, h = 0, n = 0;
  ScalarImage out;
  if (stbi_is_16_bit(path.c_str())) {
    std::unique_ptr<uint16_t, void (*)(void*)> data(stbi_load_16(path.c_str(), &w, &h, &n, 4),
                                                    stbi_image_free);
    if (!data) throw InputError(path, "", stb_failure());
    out = ScalarImage(w, h);
    for (size_t i = 0; i < out.values.size(); ++i)
      out.values[i] = data.get()[4 * i + channel] / 65535.0f;
  } else {
    std::unique_ptr<uint8_t, void (*)(void*)> data(stbi_load(path.c_str(), &w, &h, &n, 4),
                                                   stbi_image_free);
    if (!data) throw InputError(path, "", stb_failure());
    out = ScalarImage(w, h);
    for (size_t i = 0; i < out.values.size(); ++i)
      out.values[i] = data.get()[4 * i + channel] / 255.0f;
  }
  return out;
}

ScalarImage read_exr_channel(const std::string& path, int channel) {
  check_readable(path);
  float* rgba = nullptr;
  int w = 0, h = 0;
  const char* err = nullptr;
  if (LoadEXR(&rgba, &w, &h, path.c_str(), &err) != TINYEXR_SUCCESS) {
    const std::string reason = err ? err : "unknown reason";
    if (err) FreeEXRErrorMessage(err);
    throw InputError(path, "", "cannot read the EXR file: " + reason);
  }
  ScalarImage out(w, h);
  for (size_t i = 0; i < out.values.size(); ++i) out.values[i] = rgba[4 * i + channel];
  std::free(rgba);
  return out;
}

std::string encode_png(const Image& image) {
  std::vector<uint8_t> bytes(size_t(image.width) * image.height * 4);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const vec4 p = image.pixels[i];
    const vec3 straight = p.a > 0.0f ? vec3(p) / p.a : vec3(0.0f);
    bytes[4 * i + 0] = to_byte(straight.r);
    bytes[4 * i + 1] = to_byte(straight.g);
    bytes[4 * i + 2] = to_byte(straight.b);
    bytes[4 * i + 3] = to_byte(p.a);
  }
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
  };
  if (!stbi_write_png_to_func(append, &png, image.width, image.height, 4, bytes.data(),
                              image.width * 4))
    throw std::runtime_error("PNG encoding failed");
  return png;
}

Image decode_image(const std::string& bytes, const std::string& what) {
  int w = 0, h = 0, n = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> data(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()), &w,
                            &h, &n, 4),
      stbi_image_free);
  if (!data) throw InputError(what, "", stb_failure());
  Image image(w, h);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const uint8_t* p = data.get() + 4 * i;
    const float a = p[3] / 255.0f;
    image.pixels[i] = vec4(vec3(p[0], p[1], p[2]) / 255.0f * a, a);
  }
  return image;
}

void write_png(const std::string& path, const Image& image) {
  write_text_atomically(path, encode_png(image));
}

void write_png16(const std::string& path, const ScalarImage& image, float scale) {
  // stb writes 8-bit PNGs only; a 16-bit grey PNG is a few chunks around one zlib stream.
  std::string raw;
  raw.reserve(size_t(image.height) * (1 + 2 * size_t(image.width)));
  for (int y = 0; y < image.height; ++y) {
    raw.push_back(0);  // filter: none
    for (int x = 0; x < image.width; ++x) {
      const float v = image.at(x, y) * scale;
      const uint16_t q =
          std::isfinite(v) ? uint16_t(std::lround(std::clamp(v, 0.0f, 65535.0f))) : 0;
      raw.push_back(char(q >> 8));
      raw.push_back(char(q & 0xff));
    }
  }
  uLongf packed_size = compressBound(uLong(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), 6) != Z_OK)
    throw InputError(path, "", "cannot compress the 16-bit PNG");
  packed.resize(packed_size);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_u32_be(ihdr, uint32_t(image.width));
  put_u32_be(ihdr, uint32_t(image.height));
  ihdr += std::string("\x10\x00\x00\x00\x00", 5);  // 16-bit, grey, deflate, no filter, no interlace
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  write_text_atomically(path, png);
}

void write_exr(const std::string& path, const ScalarImage& image) {
  // Three equal channels, as Blender writes depth, so every EXR viewer shows it as grey.
  std::vector<float> rgb(image.values.size() * 3);
  for (size_t i = 0; i < image.values.size(); ++i)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = image.values[i];
  write_atomically(path, [&](const std::string& tmp) {
    const char* err = nullptr;
    if (SaveEXR(rgb.data(), image.width, image.height, 3, 0, tmp.c_str(), &err) !=
        TINYEXR_SUCCESS) {
      const std::string reason = err ? err : "unknown reason";
      if (err) FreeEXRErrorMessage(err);
      throw InputError(path, "", "cannot write the EXR file: " + reason);
    }
  });
}

}  // namespace strata
