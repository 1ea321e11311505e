#include "neural/field/radiance_field.h"

#include <cmath>

#include "neural/core/error.h"
#include "neural/field/field_network.h"

namespace strata {

void FieldConfig::validate(const std::string& source) const {
  auto check = [&](bool ok, const std::string& field, const std::string& problem) {
    if (!ok) throw InputError(source, "config." + field, problem);
  };
  const HashEncodingConfig& e = encoding;
  check(e.levels >= 1 && e.levels <= 32, "encoding.levels", "expected 1..32");
  check(e.features_per_level == 1 || e.features_per_level == 2 || e.features_per_level == 4 ||
            e.features_per_level == 8,
        "encoding.features_per_level", "expected 1, 2, 4 or 8");
  check(e.log2_table_size >= 10 && e.log2_table_size <= 24, "encoding.log2_table_size",
        "expected 10..24");
  check(e.base_resolution >= 2, "encoding.base_resolution", "expected at least 2");
  check(e.finest_resolution >= e.base_resolution && e.finest_resolution <= 65536,
        "encoding.finest_resolution", "expected base_resolution..65536");
  check(density_hidden >= 1 && density_hidden <= 256, "density_hidden", "expected 1..256");
  check(density_hidden_layers >= 1 && density_hidden_layers <= 8, "density_hidden_layers",
        "expected 1..8");
  check(geometry_features >= 1 && geometry_features <= 64, "geometry_features", "expected 1..64");
  check(color_hidden >= 1 && color_hidden <= 256, "color_hidden", "expected 1..256");
  check(color_hidden_layers >= 1 && color_hidden_layers <= 8, "color_hidden_layers",
        "expected 1..8");
  check(sh_degree >= 1 && sh_degree <= 4, "sh_degree", "expected 1..4");
  check(std::isfinite(density_bias) && std::abs(density_bias) <= 20.0f, "density_bias",
        "expected a finite value in [-20, 20]");
  check(all_finite(box_lo) && all_finite(box_hi) && box_hi.x > box_lo.x && box_hi.y > box_lo.y &&
            box_hi.z > box_lo.z,
        "box", "expected finite corners with box_hi > box_lo on every axis");
  check(std::isfinite(near) && near >= 0.0f, "near", "expected a finite distance >= 0");
  check(std::isfinite(min_step) && min_step > 0.0f, "min_step", "expected a positive distance");
  check(std::isfinite(max_step) && max_step >= min_step, "max_step", "expected >= min_step");
  check(std::isfinite(cone_angle) && cone_angle >= 0.0f, "cone_angle", "expected >= 0");
  check(glm::length(box_hi - box_lo) / min_step <= 1e6f, "min_step",
        "too small for the box (over a million steps across it)");
  check(grid_resolution >= 4 && grid_resolution <= 512, "grid_resolution", "expected 4..512");
  check(dataset_downscale >= 1, "dataset_downscale", "expected at least 1");
}

Bounds3 occupied_bounds(const RadianceField& field) {
  const OccupancyGrid& g = field.occupancy;
  const vec3 lo = field.config.box_lo, cell = (field.config.box_hi - lo) / float(g.resolution);
  Bounds3 b;
  for (int z = 0; z < g.resolution; ++z)
    for (int y = 0; y < g.resolution; ++y)
      for (int x = 0; x < g.resolution; ++x)
        if (g.occupied(g.cell_index(x, y, z))) {
          b.add(lo + vec3(float(x), float(y), float(z)) * cell);
          b.add(lo + vec3(float(x + 1), float(y + 1), float(z + 1)) * cell);
        }
  if (b.empty()) {
    b.add(field.config.box_lo);
    b.add(field.config.box_hi);
  }
  return b;
}

RadianceField create_field(const FieldConfig& config, uint64_t seed) {
  config.validate();
  const FieldNetwork network(config);
  RadianceField field;
  field.config = config;
  field.params.resize(network.n_params());
  network.initialize_params(field.params.data(), seed);
  field.occupancy.reset(config.grid_resolution);
  return field;
}

}  // namespace strata
