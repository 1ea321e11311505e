// Reading JSON files with errors that name the file and the field (e.g. planes[3].origin), and
// writing JSON atomically.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "neural/core/camera.h"
#include "neural/core/math.h"

namespace strata {

using Json = nlohmann::json;

// Parses a JSON file; throws InputError naming the file (and the line) when it is missing or
// malformed.
Json read_json_file(const std::string& path);
// Writes `value` pretty-printed, atomically.
void write_json_file(const std::string& path, const Json& value);

// A read-only view of one JSON value that knows where it came from, so every accessor can throw
// an InputError naming the file and the field path. The viewed Json must outlive the view.
class JsonView {
 public:
  JsonView(const Json& value, std::string file, std::string path = "")
      : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

  const Json& raw() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

  bool has(const std::string& key) const;
  JsonView at(const std::string& key) const;  // throws when missing
  JsonView at(size_t index) const;            // throws when out of range
  size_t array_size() const;                  // throws unless an array

  double number() const;  // finite number, throws otherwise
  int integer() const;    // whole number that fits an int
  std::string string() const;
  bool boolean() const;
  vec2 vector2() const;  // [x, y], finite
  vec3 vector3() const;  // [x, y, z], finite
  // 4x4 matrix as four rows of four numbers (transforms.json's row-major layout), finite; a
  // 3x4 matrix gets the row [0 0 0 1].
  mat4 matrix4() const;

  double number_or(const std::string& key, double fallback) const;
  int integer_or(const std::string& key, int fallback) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool boolean_or(const std::string& key, bool fallback) const;

  // Throws InputError for this field with `problem`.
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  const Json* value_;
  std::string file_;
  std::string path_;
};

// Matrix as four rows (transforms.json layout).
Json matrix_to_json(const mat4& m);
Json vector_to_json(const vec3& v);

// Camera in strata's JSON form: {"projection": "pinhole"|"equirectangular", "width", "height",
// "fx", "fy", "cx", "cy" (or "fov_y_deg"), "camera_to_world": 4 rows}. Validated.
Camera read_camera(const JsonView& view);
Json camera_to_json(const Camera& camera);

}  // namespace strata
