#include "neural/shells/shells_io.h"

#include <cstdio>
#include <filesystem>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/json_io.h"
#include "neural/mesh/mesh_io.h"
#include "neural/mesh/mesh_normals.h"
#include "neural/mesh/mesh_repair.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
constexpr int kShellsVersion = 1;

std::string resolve_json(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path json = fs::path(path) / "shells.json";
    if (!fs::exists(json, ec)) throw InputError(path, "", "the folder holds no shells.json");
    return json.string();
  }
  return path;
}
}  // namespace

bool is_shell_volume_path(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fs::exists(fs::path(path) / "shells.json", ec);
  return fs::path(path).filename() == "shells.json";
}

ShellVolume load_shell_volume(const std::string& path) {
  const std::string file = resolve_json(path);
  const Json json = read_json_file(file);
  const JsonView root(json, file);
  if (!json.is_object()) root.fail("expected a JSON object");
  if (root.has("kind") && root.at("kind").string() != "shells")
    root.at("kind").fail("expected \"shells\", found \"" + root.at("kind").string() + "\"");
  const int version = root.integer_or("version", kShellsVersion);
  if (version != kShellsVersion)
    root.at("version").fail("expected version " + std::to_string(kShellsVersion) + ", found " +
                            std::to_string(version));
  const fs::path folder = fs::path(file).parent_path();
  ShellVolume shells;
  const std::string mesh_path = (folder / root.at("mesh").string()).string();
  shells.base = read_mesh(mesh_path);
  repair_mesh(&shells.base, mesh_path);
  if (shells.base.triangle_count() == 0)
    throw InputError(mesh_path, "", "expected at least one non-degenerate triangle");
  if (!shells.base.has_uvs())
    root.at("mesh").fail("the mesh " + mesh_path +
                         " has no texture coordinates; shells need the UVs their textures use");
  if (!shells.base.has_normals()) {
    warn(mesh_path + ": no usable normals; computing smooth ones");
    compute_vertex_normals(&shells.base, true);
  }
  for (size_t i = 0; i < shells.base.normals.size(); ++i) {
    vec3& n = shells.base.normals[i];
    const float length = glm::length(n);
    if (!(length > 1e-6f) || !std::isfinite(length))
      throw InputError(mesh_path, "normals[" + std::to_string(i) + "]",
                       "expected a non-zero finite normal");
    n /= length;
  }
  const JsonView list = root.at("shells");
  const size_t count = list.array_size();
  if (count == 0) list.fail("expected at least one shell, found none");
  if (count > 256) list.fail("expected at most 256 shells, found " + std::to_string(count));
  const int width = root.at("texture_width").integer();
  const int height = root.at("texture_height").integer();
  if (width < 1 || width > 16384) root.at("texture_width").fail("expected 1..16384 texels");
  if (height < 1 || height > 16384) root.at("texture_height").fail("expected 1..16384 texels");
  for (size_t k = 0; k < count; ++k) {
    const JsonView entry = list.at(k);
    const float offset = float(entry.at("offset").number());
    if (k > 0 && !(offset > shells.offsets.back()))
      entry.at("offset").fail(
          "expected offsets in ascending order (this one is not larger than "
          "the previous shell's)");
    shells.offsets.push_back(offset);
    const std::string image_path = (folder / entry.at("image").string()).string();
    Image texture = read_image(image_path);
    if (texture.width != width || texture.height != height)
      entry.at("image").fail(image_path + " is " + std::to_string(texture.width) + "x" +
                             std::to_string(texture.height) + ", expected " +
                             std::to_string(width) + "x" + std::to_string(height) +
                             " (texture_width x texture_height)");
    shells.textures.push_back(std::move(texture));
  }
  shells.validate(file);
  return shells;
}

void save_shell_volume(const ShellVolume& shells, const std::string& folder) {
  ensure_writable_directory(folder);
  write_obj(shells.base, (fs::path(folder) / "base.obj").string());
  Json root;
  root["version"] = kShellsVersion;
  root["kind"] = "shells";
  root["mesh"] = "base.obj";
  root["texture_width"] = shells.texture_width();
  root["texture_height"] = shells.texture_height();
  Json list = Json::array();
  for (size_t k = 0; k < shells.shell_count(); ++k) {
    char name[32];
    std::snprintf(name, sizeof(name), "shell_%02zu.png", k);
    write_png((fs::path(folder) / name).string(), shells.textures[k]);
    list.push_back({{"offset", shells.offsets[k]}, {"image", name}});
  }
  root["shells"] = list;
  write_json_file((fs::path(folder) / "shells.json").string(), root);
}

}  // namespace strata
