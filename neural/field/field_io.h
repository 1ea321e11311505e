// The .field file: a radiance field (config, parameters, occupancy grid) and, for checkpoints,
// the trainer's state.
//
// Layout (little-endian):
//   8 bytes   magic "STRFIELD"
//   uint32    format version (kFieldFormatVersion)
//   uint32    header length H
//   H bytes   header, JSON: {"config": {...}, "params": N, "grid_resolution": R,
//             "training": {"step", "adam_steps", "rays_per_step", "occupancy_updates"} (optional)}
//   N floats  parameters (FieldNetwork's layout)
//   R^3 floats  occupancy density estimates; ceil(R^3/64) uint64  occupancy bits
//   2N floats   Adam's first and second moments (only with "training")
// Readers check the magic, the version, the header and that the file is exactly as long as the
// header says (a file cut short is refused).
#pragma once

#include <string>

#include "neural/core/json_io.h"
#include "neural/field/radiance_field.h"
#include "neural/field/trainer.h"

namespace strata {

constexpr uint32_t kFieldFormatVersion = 1;

// Writes `field` (and `training` when not null) to `path` atomically (a temporary file renamed
// into place). Throws InputError for an unwritable location.
void save_field(const std::string& path, const RadianceField& field,
                const TrainerState* training = nullptr);

// Reads a .field file. When `training` is not null it receives the trainer state (and
// *has_training says whether the file held one). Throws InputError naming the file for a
// missing file, another format or version, a malformed header and a file cut short.
RadianceField load_field(const std::string& path, TrainerState* training = nullptr,
                         bool* has_training = nullptr);

// The config as JSON and back (InputError naming `file` and the field for bad values).
Json field_config_to_json(const FieldConfig& config);
FieldConfig field_config_from_json(const JsonView& view);

}  // namespace strata
