#include "neural/field/field_io.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/field/field_network.h"

namespace strata {

namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'F', 'I', 'E', 'L', 'D'};
constexpr size_t kPrefixBytes = sizeof(kMagic) + 2 * sizeof(uint32_t);

template <typename T>
void put(std::string* out, const T* data, size_t count) {
  out->append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

}  // namespace

Json field_config_to_json(const FieldConfig& c) {
  Json e = {{"levels", c.encoding.levels},
            {"features_per_level", c.encoding.features_per_level},
            {"log2_table_size", c.encoding.log2_table_size},
            {"base_resolution", c.encoding.base_resolution},
            {"finest_resolution", c.encoding.finest_resolution}};
  return Json{{"encoding", e},
              {"density_hidden", c.density_hidden},
              {"density_hidden_layers", c.density_hidden_layers},
              {"geometry_features", c.geometry_features},
              {"color_hidden", c.color_hidden},
              {"color_hidden_layers", c.color_hidden_layers},
              {"sh_degree", c.sh_degree},
              {"density_bias", c.density_bias},
              {"box_lo", vector_to_json(c.box_lo)},
              {"box_hi", vector_to_json(c.box_hi)},
              {"near", c.near},
              {"min_step", c.min_step},
              {"max_step", c.max_step},
              {"cone_angle", c.cone_angle},
              {"grid_resolution", c.grid_resolution},
              {"bounds_rule", c.bounds_rule},
              {"dataset_downscale", c.dataset_downscale}};
}

FieldConfig field_config_from_json(const JsonView& v) {
  FieldConfig c;
  const JsonView e = v.at("encoding");
  c.encoding.levels = e.at("levels").integer();
  c.encoding.features_per_level = e.at("features_per_level").integer();
  c.encoding.log2_table_size = e.at("log2_table_size").integer();
  c.encoding.base_resolution = e.at("base_resolution").integer();
  c.encoding.finest_resolution = e.at("finest_resolution").integer();
  c.density_hidden = v.at("density_hidden").integer();
  c.density_hidden_layers = v.at("density_hidden_layers").integer();
  c.geometry_features = v.at("geometry_features").integer();
  c.color_hidden = v.at("color_hidden").integer();
  c.color_hidden_layers = v.at("color_hidden_layers").integer();
  c.sh_degree = v.at("sh_degree").integer();
  c.density_bias = float(v.at("density_bias").number());
  c.box_lo = v.at("box_lo").vector3();
  c.box_hi = v.at("box_hi").vector3();
  c.near = float(v.at("near").number());
  c.min_step = float(v.at("min_step").number());
  c.max_step = float(v.at("max_step").number());
  c.cone_angle = float(v.at("cone_angle").number());
  c.grid_resolution = v.at("grid_resolution").integer();
  c.bounds_rule = v.string_or("bounds_rule", "");
  c.dataset_downscale = v.integer_or("dataset_downscale", 1);
  c.validate(v.file());
  return c;
}

void save_field(const std::string& path, const RadianceField& field, const TrainerState* training) {
  const FieldNetwork network(field.config);
  if (field.params.size() != network.n_params())
    throw std::invalid_argument("save_field: parameter count does not match the config");
  const OccupancyGrid& grid = field.occupancy;
  if (grid.resolution != field.config.grid_resolution || grid.density.size() != grid.cells() ||
      grid.bits.size() != (grid.cells() + 63) / 64)
    throw std::invalid_argument("save_field: occupancy grid does not match the config");
  Json header = {{"config", field_config_to_json(field.config)},
                 {"params", field.params.size()},
                 {"grid_resolution", grid.resolution}};
  if (training) {
    if (training->adam_m.size() != field.params.size() ||
        training->adam_v.size() != field.params.size())
      throw std::invalid_argument("save_field: optimiser moments do not match the parameters");
    header["training"] = {{"step", training->step},
                          {"adam_steps", training->adam_steps},
                          {"rays_per_step", training->rays_per_step},
                          {"occupancy_updates", training->occupancy_updates}};
  }
  const std::string text = header.dump();
  const uint32_t version = kFieldFormatVersion, length = uint32_t(text.size());
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError(path, "", "cannot write the file");
    std::string prefix;
    put(&prefix, kMagic, sizeof(kMagic));
    put(&prefix, &version, 1);
    put(&prefix, &length, 1);
    prefix += text;
    out.write(prefix.data(), std::streamsize(prefix.size()));
    auto write_floats = [&](const std::vector<float>& v) {
      out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
    };
    write_floats(field.params);
    write_floats(grid.density);
    out.write(reinterpret_cast<const char*>(grid.bits.data()),
              std::streamsize(grid.bits.size() * sizeof(uint64_t)));
    if (training) {
      write_floats(training->adam_m);
      write_floats(training->adam_v);
    }
    out.flush();
    if (!out) throw InputError(path, "", "writing failed (disk full?)");
  });
}

RadianceField load_field(const std::string& path, TrainerState* training, bool* has_training) {
  const std::string bytes = read_file(path);
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw InputError(path, "", "not a strata .field file (expected the magic \"STRFIELD\")");
  if (bytes.size() < kPrefixBytes) throw InputError(path, "", "the file is cut short (no header)");
  uint32_t version, length;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&length, bytes.data() + 12, 4);
  if (version != kFieldFormatVersion)
    throw InputError(path, "version",
                     "format version " + std::to_string(version) + "; this build reads version " +
                         std::to_string(kFieldFormatVersion));
  if (bytes.size() < kPrefixBytes + size_t(length))
    throw InputError(path, "header", "the file is cut short (inside the header)");
  Json header;
  try {
    header = Json::parse(bytes.substr(kPrefixBytes, length));
  } catch (const Json::exception& e) {
    throw InputError(path, "header", std::string("malformed JSON: ") + e.what());
  }
  const JsonView h(header, path);
  RadianceField field;
  field.config = field_config_from_json(h.at("config"));
  const FieldNetwork network(field.config);
  const double n_params = h.at("params").number();
  if (n_params != double(network.n_params()))
    h.at("params").fail("expected " + std::to_string(network.n_params()) +
                        " parameters for this config");
  const int res = h.at("grid_resolution").integer();
  if (res != field.config.grid_resolution)
    h.at("grid_resolution").fail("differs from config.grid_resolution");
  const bool with_training = h.has("training");
  const size_t n = network.n_params();
  field.occupancy.reset(res);
  const size_t cells = field.occupancy.cells(), words = field.occupancy.bits.size();
  const size_t expected =
      kPrefixBytes + length + n * 4 + cells * 4 + words * 8 + (with_training ? 2 * n * 4 : 0);
  if (bytes.size() < expected)
    throw InputError(path, "",
                     "the file is cut short: " + std::to_string(bytes.size()) +
                         " bytes, the header describes " + std::to_string(expected));
  if (bytes.size() > expected)
    throw InputError(path, "",
                     "unexpected data after the end (" + std::to_string(bytes.size()) +
                         " bytes, the header describes " + std::to_string(expected) + ")");
  const char* p = bytes.data() + kPrefixBytes + length;
  auto take = [&p](void* dst, size_t count) {
    std::memcpy(dst, p, count);
    p += count;
  };
  field.params.resize(n);
  take(field.params.data(), n * 4);
  take(field.occupancy.density.data(), cells * 4);
  take(field.occupancy.bits.data(), words * 8);
  for (float v : field.params)
    if (!std::isfinite(v)) throw InputError(path, "params", "non-finite parameter values");
  if (has_training) *has_training = with_training;
  if (training && with_training) {
    const JsonView t = h.at("training");
    training->step = uint64_t(t.at("step").number());
    training->adam_steps = uint64_t(t.at("adam_steps").number());
    training->rays_per_step = t.at("rays_per_step").integer();
    training->occupancy_updates = uint64_t(t.at("occupancy_updates").number());
    training->adam_m.resize(n);
    training->adam_v.resize(n);
    take(training->adam_m.data(), n * 4);
    take(training->adam_v.data(), n * 4);
  }
  return field;
}

}  // namespace strata
