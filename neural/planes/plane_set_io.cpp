#include "neural/planes/plane_set_io.h"

#include <cstdio>
#include <filesystem>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
constexpr int kPlanesVersion = 1;

std::string resolve_json(const std::string& path, const char* name) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path json = fs::path(path) / name;
    if (!fs::exists(json, ec))
      throw InputError(path, "", std::string("the folder holds no ") + name);
    return json.string();
  }
  return path;
}
}  // namespace

PlaneSet load_plane_set(const std::string& path) {
  const std::string file = resolve_json(path, "planes.json");
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  if (!json.is_object()) root.fail("expected a JSON object");
  if (root.has("kind") && root.at("kind").string() != "planes")
    root.at("kind").fail("expected \"planes\", found \"" + root.at("kind").string() + "\"");
  const int version = root.integer_or("version", kPlanesVersion);
  if (version != kPlanesVersion)
    root.at("version").fail("expected version " + std::to_string(kPlanesVersion) + ", found " +
                            std::to_string(version));
  PlaneSet set;
  if (root.has("reference_camera")) set.reference_camera = read_camera(root.at("reference_camera"));
  const JsonView list = root.at("planes");
  const size_t count = list.array_size();
  if (count == 0) list.fail("expected at least one plane, found none");
  const fs::path folder = fs::path(file).parent_path();
  for (size_t i = 0; i < count; ++i) {
    const JsonView entry = list.at(i);
    Plane p;
    p.name = entry.string_or("name", "plane_" + std::to_string(i));
    p.origin = entry.at("origin").vector3();
    p.u_axis = entry.at("u_axis").vector3();
    p.v_axis = entry.at("v_axis").vector3();
    const std::string image_path = (folder / entry.at("image").string()).string();
    p.texture = read_image(image_path);
    if (entry.has("width") && entry.at("width").integer() != p.texture.width)
      entry.at("width").fail("says " + std::to_string(entry.at("width").integer()) + " but " +
                             image_path + " is " + std::to_string(p.texture.width) +
                             " pixels wide");
    if (entry.has("height") && entry.at("height").integer() != p.texture.height)
      entry.at("height").fail("says " + std::to_string(entry.at("height").integer()) + " but " +
                              image_path + " is " + std::to_string(p.texture.height) +
                              " pixels high");
    set.planes.push_back(std::move(p));
  }
  set.validate(file);
  return set;
}

void save_plane_set(const PlaneSet& planes, const std::string& folder) {
  ensure_writable_directory(folder);
  Json root;
  root["version"] = kPlanesVersion;
  root["kind"] = "planes";
  if (planes.reference_camera) root["reference_camera"] = camera_to_json(*planes.reference_camera);
  Json list = Json::array();
  for (size_t i = 0; i < planes.planes.size(); ++i) {
    const Plane& p = planes.planes[i];
    char name[32];
    std::snprintf(name, sizeof(name), "plane_%02zu.png", i);
    write_png((fs::path(folder) / name).string(), p.texture);
    list.push_back({{"name", p.name},
                    {"image", name},
                    {"width", p.texture.width},
                    {"height", p.texture.height},
                    {"origin", vector_to_json(p.origin)},
                    {"u_axis", vector_to_json(p.u_axis)},
                    {"v_axis", vector_to_json(p.v_axis)}});
  }
  root["planes"] = list;
  write_json_file((fs::path(folder) / "planes.json").string(), root);
}

}  // namespace strata
