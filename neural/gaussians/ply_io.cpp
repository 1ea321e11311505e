// Inria 3DGS PLY: reader (ASCII, binary little and big endian; any property order and scalar
// type; other elements skipped) and writer (binary little endian, Inria's property order).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/gaussians/gaussian_io_internal.h"

namespace strata {

namespace {

enum class PlyFormat { kAscii, kBinaryLittle, kBinaryBig };
enum class PlyType { kI8, kU8, kI16, kU16, kI32, kU32, kF32, kF64 };

struct PlyProperty {
  std::string name;
  PlyType type = PlyType::kF32;       // scalar type, or the item type of a list
  bool is_list = false;               // "property list <count type> <item type> <name>"
  PlyType count_type = PlyType::kU8;  // list only
};

struct PlyElement {
  std::string name;
  uint64_t count = 0;
  std::vector<PlyProperty> properties;
};

struct PlyHeader {
  PlyFormat format = PlyFormat::kBinaryLittle;
  std::vector<PlyElement> elements;
  size_t data_offset = 0;  // first byte after "end_header\n"
};

int type_size(PlyType t) {
  switch (t) {
    case PlyType::kI8:
    case PlyType::kU8:
      return 1;
    case PlyType::kI16:
    case PlyType::kU16:
      return 2;
    case PlyType::kI32:
    case PlyType::kU32:
    case PlyType::kF32:
      return 4;
    case PlyType::kF64:
      return 8;
  }
  return 4;
}

std::optional<PlyType> parse_type(std::string_view s) {
  static const std::pair<const char*, PlyType> kTypes[] = {
      {"char", PlyType::kI8},    {"int8", PlyType::kI8},     {"uchar", PlyType::kU8},
      {"uint8", PlyType::kU8},   {"short", PlyType::kI16},   {"int16", PlyType::kI16},
      {"ushort", PlyType::kU16}, {"uint16", PlyType::kU16},  {"int", PlyType::kI32},
      {"int32", PlyType::kI32},  {"uint", PlyType::kU32},    {"uint32", PlyType::kU32},
      {"float", PlyType::kF32},  {"float32", PlyType::kF32}, {"double", PlyType::kF64},
      {"float64", PlyType::kF64}};
  for (const auto& [name, type] : kTypes)
    if (s == name) return type;
  return std::nullopt;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && !(line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

PlyHeader parse_header(const std::string& bytes, const std::string& path) {
  PlyHeader h;
  size_t pos = 0;
  int line_number = 0;
  bool have_format = false;
  auto next_line = [&](std::string_view* line) {
    if (pos >= bytes.size()) return false;
    size_t end = bytes.find('\n', pos);
    if (end == std::string::npos)
      throw InputError(path, "header", "ends before 'end_header' (truncated file?)");
    *line = std::string_view(bytes).substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    // The header is text; a binary byte this early means it is not a PLY header at all.
    if (line->size() > 4096) throw InputError(path, "header", "line too long: not a PLY header");
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || split_words(line).size() != 1 || split_words(line)[0] != "ply")
    throw InputError(path, "", "not a PLY file: the first line is not 'ply'");
  for (;;) {
    if (!next_line(&line)) throw InputError(path, "header", "ends before 'end_header'");
    const auto w = split_words(line);
    if (w.empty()) continue;
    const std::string where = "header line " + std::to_string(line_number);
    if (w[0] == "comment" || w[0] == "obj_info") continue;
    if (w[0] == "end_header") break;
    if (w[0] == "format") {
      if (w.size() < 3) throw InputError(path, where, "expected 'format <kind> 1.0'");
      if (w[1] == "ascii")
        h.format = PlyFormat::kAscii;
      else if (w[1] == "binary_little_endian")
        h.format = PlyFormat::kBinaryLittle;
      else if (w[1] == "binary_big_endian")
        h.format = PlyFormat::kBinaryBig;
      else
        throw InputError(path, where,
                         "unknown format '" + std::string(w[1]) +
                             "' (expected ascii, binary_little_endian or binary_big_endian)");
      have_format = true;
    } else if (w[0] == "element") {
      if (w.size() != 3) throw InputError(path, where, "expected 'element <name> <count>'");
      PlyElement e;
      e.name = std::string(w[1]);
      if (!w[2].empty() && w[2][0] == '-')
        throw InputError(path, "element " + e.name,
                         "negative count " + std::string(w[2]) + " (expected a count >= 0)");
      const auto r = std::from_chars(w[2].data(), w[2].data() + w[2].size(), e.count);
      if (r.ec != std::errc() || r.ptr != w[2].data() + w[2].size())
        throw InputError(path, "element " + e.name,
                         "count '" + std::string(w[2]) + "' is not a non-negative integer");
      h.elements.push_back(std::move(e));
    } else if (w[0] == "property") {
      if (h.elements.empty()) throw InputError(path, where, "'property' before any 'element'");
      PlyProperty p;
      if (w.size() == 5 && w[1] == "list") {
        const auto ct = parse_type(w[2]), it = parse_type(w[3]);
        if (!ct || !it) throw InputError(path, where, "unknown list property types");
        p.is_list = true;
        p.count_type = *ct;
        p.type = *it;
        p.name = std::string(w[4]);
      } else if (w.size() == 3) {
        const auto t = parse_type(w[1]);
        if (!t) throw InputError(path, where, "unknown property type '" + std::string(w[1]) + "'");
        p.type = *t;
        p.name = std::string(w[2]);
      } else {
        throw InputError(path, where, "expected 'property <type> <name>'");
      }
      h.elements.back().properties.push_back(std::move(p));
    } else {
      throw InputError(path, where, "unknown header keyword '" + std::string(w[0]) + "'");
    }
  }
  if (!have_format) throw InputError(path, "header", "has no 'format' line");
  h.data_offset = pos;
  return h;
}

// Reads one binary scalar as a double.
double load_scalar(const unsigned char* p, PlyType t, bool big_endian) {
  unsigned char b[8];
  const int n = type_size(t);
  if (big_endian) {
    for (int i = 0; i < n; ++i) b[i] = p[n - 1 - i];
  } else {
    std::memcpy(b, p, size_t(n));
  }
  switch (t) {
    case PlyType::kI8:
      return double(static_cast<int8_t>(b[0]));
    case PlyType::kU8:
      return double(b[0]);
    case PlyType::kI16: {
      int16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case PlyType::kU16: {
      uint16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case PlyType::kI32: {
      int32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case PlyType::kU32: {
      uint32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case PlyType::kF32: {
      float v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case PlyType::kF64: {
      double v;
      std::memcpy(&v, b, 8);
      return v;
    }
  }
  return 0.0;
}

// Sequential access to the data section, binary or ASCII, with bounds checks that name the file.
class PlyData {
 public:
  PlyData(const std::string& bytes, const PlyHeader& h, const std::string& path)
      : bytes_(bytes), format_(h.format), pos_(h.data_offset), path_(path) {}

  size_t remaining() const { return bytes_.size() - std::min(pos_, bytes_.size()); }

  // Skips an element that is not the vertex element.
  void skip_element(const PlyElement& e) {
    bool fixed = true;
    uint64_t stride = 0;
    for (const PlyProperty& p : e.properties) {
      if (p.is_list) fixed = false;
      stride += uint64_t(type_size(p.type));
    }
    if (format_ != PlyFormat::kAscii && fixed) {
      if (stride != 0 && e.count > remaining() / stride) truncated(e.name, e.count);
      pos_ += size_t(e.count * stride);
      return;
    }
    for (uint64_t i = 0; i < e.count; ++i)
      for (const PlyProperty& p : e.properties) {
        if (!p.is_list) {
          value(p.type, e.name, e.count);
          continue;
        }
        const double n = value(p.count_type, e.name, e.count);
        if (!(n >= 0) || n > double(remaining()))
          throw InputError(path_, e.name + "." + p.name, "invalid list length");
        for (uint64_t k = 0; k < uint64_t(n); ++k) value(p.type, e.name, e.count);
      }
  }

  // The next scalar of the given type, as a double (ASCII: the next token).
  double value(PlyType t, const std::string& element, uint64_t count) {
    if (format_ != PlyFormat::kAscii) {
      const size_t n = size_t(type_size(t));
      if (remaining() < n) truncated(element, count);
      const double v = load_scalar(reinterpret_cast<const unsigned char*>(bytes_.data() + pos_), t,
                                   format_ == PlyFormat::kBinaryBig);
      pos_ += n;
      return v;
    }
    while (pos_ < bytes_.size() && std::isspace(static_cast<unsigned char>(bytes_[pos_]))) ++pos_;
    if (pos_ >= bytes_.size()) truncated(element, count);
    size_t end = pos_;
    while (end < bytes_.size() && !std::isspace(static_cast<unsigned char>(bytes_[end]))) ++end;
    double v = 0.0;
    const char* first = bytes_.data() + pos_;
    const auto r = std::from_chars(first, bytes_.data() + end, v);
    if (r.ec == std::errc::result_out_of_range) {
      v = (*first == '-') ? -HUGE_VAL : HUGE_VAL;  // an overflowing literal is an infinity
    } else if (r.ec != std::errc() || r.ptr != bytes_.data() + end) {
      throw InputError(path_, element,
                       "'" + std::string(first, bytes_.data() + end) + "' is not a number");
    }
    pos_ = end;
    return v;
  }

  [[noreturn]] void truncated(const std::string& element, uint64_t count) const {
    throw InputError(path_, element,
                     "the header declares " + std::to_string(count) + " " + element +
                         " entries but the file ends early (truncated, or the count is wrong)");
  }

 private:
  const std::string& bytes_;
  PlyFormat format_;
  size_t pos_;
  std::string path_;
};

}  // namespace

GaussianCloud read_gaussian_ply(const std::string& path, const GaussianReadOptions& options) {
  const std::string bytes = read_file(path);
  const PlyHeader header = parse_header(bytes, path);
  const auto vertex_it = std::find_if(header.elements.begin(), header.elements.end(),
                                      [](const PlyElement& e) { return e.name == "vertex"; });
  if (vertex_it == header.elements.end())
    throw InputError(path, "element vertex", "missing: a Gaussian splat PLY has a vertex element");
  const PlyElement& vertex = *vertex_it;

  // Which property feeds which field.
  std::map<std::string, int> index;
  for (size_t i = 0; i < vertex.properties.size(); ++i) {
    const PlyProperty& p = vertex.properties[i];
    if (p.is_list)
      throw InputError(path, "vertex." + p.name,
                       "list properties are not supported in the vertex element");
    index[p.name] = int(i);
  }
  static const char* kRequired[] = {"x",      "y",       "z",       "f_dc_0",  "f_dc_1",
                                    "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2",
                                    "rot_0",  "rot_1",   "rot_2",   "rot_3"};
  std::string missing;
  for (const char* name : kRequired)
    if (!index.count(name)) missing += (missing.empty() ? "" : ", ") + std::string(name);
  if (!missing.empty())
    throw InputError(path, "vertex",
                     "missing properties: " + missing +
                         " (a 3D Gaussian splatting PLY needs x y z f_dc_0..2 opacity scale_0..2 "
                         "rot_0..3)");
  int rest = 0;
  while (index.count("f_rest_" + std::to_string(rest))) ++rest;
  int rest_total = 0;
  for (const auto& [name, i] : index)
    if (name.rfind("f_rest_", 0) == 0) ++rest_total;
  int degree = -1;
  for (int d = 0; d <= kMaxShDegree; ++d)
    if (rest == 3 * (sh_coefficient_count(d) - 1)) degree = d;
  if (degree < 0 || rest_total != rest)
    throw InputError(path, "f_rest_*",
                     "found " + std::to_string(rest_total) +
                         " f_rest properties; expected f_rest_0 .. f_rest_{n-1} with n = 0, 9, 24 "
                         "or 45 (SH degree 0 to 3)");

  // Before allocating anything sized by the count, check that the file can hold it.
  PlyData data(bytes, header, path);
  for (auto it = header.elements.begin(); it != vertex_it; ++it) data.skip_element(*it);
  const uint64_t count = vertex.count;
  const size_t props = vertex.properties.size();
  uint64_t stride = 0;
  for (const PlyProperty& p : vertex.properties) stride += uint64_t(type_size(p.type));
  // ASCII: every value needs at least one character and one separator.
  const uint64_t min_bytes_per_vertex = header.format == PlyFormat::kAscii ? 2 * props : stride;
  if (min_bytes_per_vertex > 0 && count > data.remaining() / min_bytes_per_vertex)
    throw InputError(path, "element vertex",
                     "the header declares " + std::to_string(count) + " vertices (at least " +
                         std::to_string(count * min_bytes_per_vertex) + " bytes) but only " +
                         std::to_string(data.remaining()) +
                         " bytes follow the header (truncated, or the count is wrong)");

  GaussianCloud cloud;
  cloud.sh_degree = degree;
  cloud.resize(size_t(count));
  const int k_count = cloud.sh_coefficients();
  // Destination of each property: a float slot in a per-vertex scratch record.
  enum Slot { kX, kY, kZ, kS0, kS1, kS2, kR0, kR1, kR2, kR3, kOpacity, kLayer, kDc0 };
  const int slots = kDc0 + 3 * k_count;
  std::vector<int> slot_of(props, -1);
  auto assign = [&](const std::string& name, int slot) {
    const auto it = index.find(name);
    if (it != index.end()) slot_of[size_t(it->second)] = slot;
  };
  const char* fixed_names[] = {"x",     "y",     "z",     "scale_0", "scale_1", "scale_2",
                               "rot_0", "rot_1", "rot_2", "rot_3",   "opacity", "layer"};
  for (int s = 0; s < kDc0; ++s) assign(fixed_names[s], s);
  for (int c = 0; c < 3; ++c) assign("f_dc_" + std::to_string(c), kDc0 + c);
  // Inria's rest layout is channel-major: f_rest_{c * (K - 1) + (k - 1)} is channel c of k.
  for (int c = 0; c < 3; ++c)
    for (int k = 1; k < k_count; ++k)
      assign("f_rest_" + std::to_string(c * (k_count - 1) + (k - 1)), kDc0 + 3 * k + c);
  const bool has_layer = index.count("layer") > 0;

  std::vector<double> record(size_t(slots), 0.0);
  for (uint64_t i = 0; i < count; ++i) {
    for (size_t p = 0; p < props; ++p) {
      const double v = data.value(vertex.properties[p].type, "vertex", count);
      if (slot_of[p] >= 0) record[size_t(slot_of[p])] = v;
    }
    const size_t g = size_t(i);
    auto f = [&](int s) { return float(record[size_t(s)]); };
    cloud.positions[g] = vec3(f(kX), f(kY), f(kZ));
    cloud.log_scales[g] = vec3(f(kS0), f(kS1), f(kS2));
    cloud.rotations[g] = quat(f(kR0), f(kR1), f(kR2), f(kR3));
    cloud.opacity_logits[g] = f(kOpacity);
    for (int k = 0; k < k_count; ++k)
      cloud.sh_at(g, k) = vec3(f(kDc0 + 3 * k), f(kDc0 + 3 * k + 1), f(kDc0 + 3 * k + 2));
    if (has_layer) {
      const double l = record[kLayer];
      if (!(l >= 0.0 && l <= 65535.0 && l == std::floor(l)))
        throw InputError(path, "layer",
                         "Gaussian " + std::to_string(i) + ": layer id " + std::to_string(l) +
                             " is not an integer in 0..65535");
      cloud.layers[g] = uint16_t(l);
    }
  }
  gaussian_io::finish_read(cloud, path, options);
  return cloud;
}

void write_gaussian_ply(const std::string& path, const GaussianCloud& cloud) {
  cloud.check_consistent();
  const int k_count = cloud.sh_coefficients();
  const bool has_layer =
      std::any_of(cloud.layers.begin(), cloud.layers.end(), [](uint16_t l) { return l != 0; });
  std::string head =
      "ply\nformat binary_little_endian 1.0\nelement vertex " + std::to_string(cloud.size()) + "\n";
  for (const char* name : {"x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"})
    head += std::string("property float ") + name + "\n";
  for (int i = 0; i < 3 * (k_count - 1); ++i)
    head += "property float f_rest_" + std::to_string(i) + "\n";
  for (const char* name :
       {"opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"})
    head += std::string("property float ") + name + "\n";
  if (has_layer) head += "property float layer\n";
  head += "end_header\n";
  const size_t floats = size_t(9 + 3 * (k_count - 1) + 8 + (has_layer ? 1 : 0));

  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError(tmp, "", "cannot create the file");
    out.write(head.data(), std::streamsize(head.size()));
    constexpr size_t kChunk = 16384;  // Gaussians per write: bounded memory for large clouds
    std::vector<unsigned char> buffer;
    for (size_t start = 0; start < cloud.size(); start += kChunk) {
      const size_t end = std::min(cloud.size(), start + kChunk);
      buffer.assign((end - start) * floats * 4, 0);
      unsigned char* p = buffer.data();
      auto put = [&p](float v) {
        gaussian_io::store_f32(p, v);
        p += 4;
      };
      for (size_t i = start; i < end; ++i) {
        const vec3 x = cloud.positions[i], s = cloud.log_scales[i];
        const quat q = cloud.rotations[i];
        put(x.x), put(x.y), put(x.z);
        put(0.0f), put(0.0f), put(0.0f);
        const vec3 dc = cloud.sh_at(i, 0);
        put(dc.r), put(dc.g), put(dc.b);
        for (int c = 0; c < 3; ++c)
          for (int k = 1; k < k_count; ++k) put(cloud.sh_at(i, k)[c]);
        put(cloud.opacity_logits[i]);
        put(s.x), put(s.y), put(s.z);
        put(q.w), put(q.x), put(q.y), put(q.z);
        if (has_layer) put(float(cloud.layers[i]));
      }
      out.write(reinterpret_cast<const char*>(buffer.data()), std::streamsize(buffer.size()));
    }
    out.close();
    if (!out) throw InputError(tmp, "", "write failed (disk full?)");
  });
}

}  // namespace strata
