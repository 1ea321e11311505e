#include "neural/core/json_io.h"

#include <cmath>
#include <limits>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"

namespace strata {

Json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse errors, and numbers too large for a double
    // nlohmann's message carries the line and column; drop its "[json.exception...]" prefix.
    std::string what = e.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    throw InputError(path, "", "malformed JSON: " + what);
  }
}

void write_json_file(const std::string& path, const Json& value) {
  write_text_atomically(path, value.dump(2) + "\n");
}

void JsonView::fail(const std::string& problem) const {
  throw InputError(file_, path_.empty() ? "(top level)" : path_, problem);
}

bool JsonView::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key) && !(*value_)[key].is_null();
}

JsonView JsonView::at(const std::string& key) const {
  const std::string child = path_.empty() ? key : path_ + "." + key;
  if (!value_->is_object()) fail("expected an object holding '" + key + "'");
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null())
    throw InputError(file_, child, "missing; this field is required");
  return JsonView(*it, file_, child);
}

JsonView JsonView::at(size_t index) const {
  if (!value_->is_array()) fail("expected an array");
  if (index >= value_->size()) fail("expected at least " + std::to_string(index + 1) + " entries");
  return JsonView((*value_)[index], file_, path_ + "[" + std::to_string(index) + "]");
}

size_t JsonView::array_size() const {
  if (!value_->is_array()) fail("expected an array");
  return value_->size();
}

double JsonView::number() const {
  if (!value_->is_number()) fail("expected a number, found " + std::string(value_->type_name()));
  const double v = value_->get<double>();
  if (!std::isfinite(v)) fail("expected a finite number");
  return v;
}

int JsonView::integer() const {
  const double v = number();
  if (v != std::floor(v) || std::abs(v) > double(std::numeric_limits<int>::max()))
    fail("expected a whole number");
  return int(v);
}

std::string JsonView::string() const {
  if (!value_->is_string()) fail("expected a string, found " + std::string(value_->type_name()));
  return value_->get<std::string>();
}

bool JsonView::boolean() const {
  if (!value_->is_boolean()) fail("expected true or false");
  return value_->get<bool>();
}

vec2 JsonView::vector2() const {
  if (!value_->is_array() || value_->size() != 2) fail("expected an array of 2 numbers");
  return vec2(float(at(0).number()), float(at(1).number()));
}

vec3 JsonView::vector3() const {
  if (!value_->is_array() || value_->size() != 3) fail("expected an array of 3 numbers");
  return vec3(float(at(0).number()), float(at(1).number()), float(at(2).number()));
}

mat4 JsonView::matrix4() const {
  if (!value_->is_array() || (value_->size() != 4 && value_->size() != 3))
    fail("expected a 4x4 matrix as 4 rows of 4 numbers");
  mat4 m(1.0f);
  for (size_t r = 0; r < value_->size(); ++r) {
    const JsonView row = at(r);
    if (row.array_size() != 4) row.fail("expected a row of 4 numbers");
    for (int c = 0; c < 4; ++c) m[c][int(r)] = float(row.at(size_t(c)).number());
  }
  return m;
}

double JsonView::number_or(const std::string& key, double fallback) const {
  return has(key) ? at(key).number() : fallback;
}
int JsonView::integer_or(const std::string& key, int fallback) const {
  return has(key) ? at(key).integer() : fallback;
}
std::string JsonView::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? at(key).string() : fallback;
}
bool JsonView::boolean_or(const std::string& key, bool fallback) const {
  return has(key) ? at(key).boolean() : fallback;
}

Json matrix_to_json(const mat4& m) {
  Json rows = Json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m[0][r], m[1][r], m[2][r], m[3][r]});
  return rows;
}

Json vector_to_json(const vec3& v) {
  return Json::array({v.x, v.y, v.z});
}

Camera read_camera(const JsonView& view) {
  Camera c;
  const std::string projection = view.string_or("projection", "pinhole");
  if (projection == "pinhole") {
    c.projection = Projection::kPinhole;
  } else if (projection == "equirectangular") {
    c.projection = Projection::kEquirectangular;
  } else {
    view.at("projection")
        .fail("expected \"pinhole\" or \"equirectangular\", found \"" + projection + "\"");
  }
  c.width = view.at("width").integer();
  c.height = view.at("height").integer();
  if (c.width <= 0 || c.height <= 0) view.at("width").fail("expected a positive width and height");
  c.camera_to_world =
      view.has("camera_to_world") ? view.at("camera_to_world").matrix4() : mat4(1.0f);
  if (c.projection == Projection::kPinhole) {
    if (view.has("fov_y_deg")) {
      const double fov = view.at("fov_y_deg").number();
      if (!(fov > 0.0 && fov < 180.0)) view.at("fov_y_deg").fail("expected degrees in (0, 180)");
      c = Camera::pinhole_fov_y(c.width, c.height, float(glm::radians(fov)), c.camera_to_world);
    } else {
      c.fx = float(view.at("fx").number());
      c.fy = float(view.number_or("fy", c.fx));
      c.cx = float(view.number_or("cx", 0.5 * c.width));
      c.cy = float(view.number_or("cy", 0.5 * c.height));
    }
    c.distortion.k1 = float(view.number_or("k1", 0.0));
    c.distortion.k2 = float(view.number_or("k2", 0.0));
    c.distortion.p1 = float(view.number_or("p1", 0.0));
    c.distortion.p2 = float(view.number_or("p2", 0.0));
  }
  c.validate(view.file() + (view.path().empty() ? "" : " (" + view.path() + ")"));
  return c;
}

Json camera_to_json(const Camera& camera) {
  Json j;
  j["projection"] = camera.projection == Projection::kPinhole ? "pinhole" : "equirectangular";
  j["width"] = camera.width;
  j["height"] = camera.height;
  if (camera.projection == Projection::kPinhole) {
    j["fx"] = camera.fx;
    j["fy"] = camera.fy;
    j["cx"] = camera.cx;
    j["cy"] = camera.cy;
    if (camera.distortion.any()) {
      j["k1"] = camera.distortion.k1;
      j["k2"] = camera.distortion.k2;
      j["p1"] = camera.distortion.p1;
      j["p2"] = camera.distortion.p2;
    }
  }
  j["camera_to_world"] = matrix_to_json(camera.camera_to_world);
  return j;
}

}  // namespace strata
