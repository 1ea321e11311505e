// RadianceField (DESIGN.md): a density and colour field over a box — a multiresolution hash
// encoding of position, a small density MLP, a colour MLP fed with the density MLP's features and
// a spherical-harmonic encoding of the view direction (instant-ngp's NeRF network) — with its
// parameters in one flat buffer and an occupancy grid for empty-space skipping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/math.h"
#include "neural/field/hash_encoding.h"
#include "neural/field/occupancy_grid.h"

namespace strata {

struct FieldConfig {
  HashEncodingConfig encoding;    // position encoding (CPU-sized defaults)
  int density_hidden = 64;        // density MLP: neurons per hidden layer
  int density_hidden_layers = 1;  // density MLP: hidden layers
  int geometry_features = 16;     // density MLP outputs: density logit + features for colour
  int color_hidden = 64;          // colour MLP: neurons per hidden layer
  int color_hidden_layers = 1;    // colour MLP: hidden layers (instant-ngp: 2)
  int sh_degree = 4;              // view direction: SH bands 0..degree-1 (degree^2 values), 1..4
  float density_bias = 0.0f;      // sigma = exp(logit + density_bias): a young field's density is
                                  // about exp(density_bias) (1/metres)

  vec3 box_lo{-1.5f};         // world-space box the field covers, metres (min corner)
  vec3 box_hi{1.5f};          // max corner
  float near = 0.05f;         // rays start at least this far from their origin, metres
  float min_step = 0.0101f;   // ray-marching step near the camera, metres
  float max_step = 0.0406f;   // largest step, metres
  float cone_angle = 0.0f;    // step = clamp(t * cone_angle, min_step, max_step); 0: fixed
  int grid_resolution = 64;   // occupancy grid cells along each axis
  std::string bounds_rule;    // how the box was chosen (for people; see field_bounds.h)
  int dataset_downscale = 1;  // image downscale it was trained at (eval's default)

  // Throws InputError(source, field, problem) for sizes or bounds that cannot work.
  void validate(const std::string& source = "") const;
};

struct RadianceField {
  FieldConfig config;         // architecture, bounds and marching settings
  std::vector<float> params;  // encoding | density MLP | colour MLP (FieldNetwork's layout)
  OccupancyGrid occupancy;    // config.grid_resolution^3 cells over the box

  // World position -> the box's normalised coordinates [0,1]^3.
  vec3 to_unit(const vec3& world) const {
    return (world - config.box_lo) / (config.box_hi - config.box_lo);
  }
};

// World-space bounds of the occupied cells of the occupancy grid (the field's content, tighter
// than its box; for framing camera paths); the whole box when no cell is occupied.
Bounds3 occupied_bounds(const RadianceField& field);

// A field with freshly initialised parameters (seeded) and every occupancy cell occupied.
// Validates the config (InputError).
RadianceField create_field(const FieldConfig& config, uint64_t seed);

}  // namespace strata
