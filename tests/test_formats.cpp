// Round trips and bad input for planes.json and layers.json.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "neural/core/error.h"
#include "neural/core/image_io.h"
#include "neural/core/metrics.h"
#include "neural/layers/layer_stack_io.h"
#include "neural/planes/plane_set_io.h"
#include "neural/scene/scene.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

using test::fresh_dir;
using test::write_text;

Image gradient(int w, int h) {
  Image image(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float a = float(x + y) / float(w + h - 2);
      image.at(x, y) = vec4(vec3(float(x) / w, float(y) / h, 0.5f) * a, a);
    }
  return image;
}

// A folder with one valid 4x2 plane and a planes.json whose plane entry is `plane_fields`.
std::string planes_folder(const std::string& name, const std::string& plane_fields,
                          int planes = 1) {
  const std::string dir = fresh_dir(name);
  write_png(dir + "/p.png", Image(4, 2, vec4(1.0f)));
  std::string list;
  for (int i = 0; i < planes; ++i) list += std::string(i ? "," : "") + "{" + plane_fields + "}";
  write_text(dir + "/planes.json",
             "{\"version\": 1, \"kind\": \"planes\", \"planes\": [" + list + "]}");
  return dir;
}

const char* kGoodPlane =
    R"("image": "p.png", "origin": [0, 1, -2], "u_axis": [1, 0, 0], "v_axis": [0, -1, 0])";

}  // namespace

TEST_CASE("planes.json round trip keeps poses, textures and the reference camera",
          "[formats][planes]") {
  PlaneSet set;
  set.reference_camera =
      Camera::pinhole_fov_y(64, 48, glm::radians(55.0f), look_at(vec3(0.5f, 1, 3), vec3(0)));
  Plane a{"floor", vec3(-1, 0, -1), vec3(2, 0, 0), vec3(0, 0, 2), gradient(16, 8)};
  Plane b{"wall", vec3(-1, 2, -1), vec3(2, 0, 0.5f), vec3(0, -2, 0), gradient(5, 7)};
  set.planes = {a, b};
  const std::string dir = fresh_dir("roundtrip_planes");
  save_plane_set(set, dir);
  const PlaneSet loaded = load_plane_set(dir);
  REQUIRE(loaded.planes.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(loaded.planes[i].name == set.planes[i].name);
    CHECK(glm::length(loaded.planes[i].origin - set.planes[i].origin) < 1e-6f);
    CHECK(glm::length(loaded.planes[i].u_axis - set.planes[i].u_axis) < 1e-6f);
    CHECK(glm::length(loaded.planes[i].v_axis - set.planes[i].v_axis) < 1e-6f);
    CHECK(psnr(loaded.planes[i].texture, set.planes[i].texture) > 45.0);  // 8-bit quantisation
  }
  REQUIRE(loaded.reference_camera);
  CHECK(loaded.reference_camera->fy == Approx(set.reference_camera->fy));
  CHECK(glm::length(loaded.reference_camera->position() - set.reference_camera->position()) <
        1e-5f);
  // No temporary files are left behind.
  for (const auto& entry : fs::directory_iterator(dir))
    CHECK(entry.path().string().find(".tmp") == std::string::npos);
}

TEST_CASE("layers.json round trip keeps every layer property", "[formats][layers]") {
  LayerStack stack;
  stack.width = 20;
  stack.height = 10;
  stack.fov_y_deg = 42.0f;
  Layer bg{"background", "", gradient(20, 10), ivec2(0, 0), 1.0f, true, BlendMode::kNormal, 9.0f};
  Layer fg{"glow",      "", gradient(6, 4), ivec2(3, 2), 0.5f, false, BlendMode::kPremultiplied,
           std::nullopt};
  Layer mul{"shade", "", gradient(4, 4), ivec2(-1, 7), 0.8f, true, BlendMode::kMultiply, 2.5f};
  stack.layers = {bg, fg, mul};
  const std::string dir = fresh_dir("roundtrip_layers");
  save_layer_stack(stack, dir);
  const LayerStack loaded = load_layer_stack(dir + "/layers.json");
  REQUIRE(loaded.layers.size() == 3);
  CHECK(loaded.width == 20);
  CHECK(loaded.fov_y_deg == Approx(42.0f));
  for (size_t i = 0; i < 3; ++i) {
    const Layer &a = stack.layers[i], &b = loaded.layers[i];
    CHECK(a.name == b.name);
    CHECK(a.offset == b.offset);
    CHECK(a.opacity == Approx(b.opacity));
    CHECK(a.visible == b.visible);
    CHECK(a.blend == b.blend);
    CHECK(a.depth.has_value() == b.depth.has_value());
    if (a.depth) CHECK(*a.depth == Approx(*b.depth));
    CHECK(psnr(a.image, b.image) > 40.0);
  }
  CHECK(psnr(composite(stack), composite(loaded)) > 40.0);
}

TEST_CASE("planes.json bad input names the file and the field", "[formats][planes][bad_input]") {
  SECTION("missing file") {
    REQUIRE_THROWS_WITH(load_plane_set(test::output_dir() + "/nope/planes.json"),
                        Contains("not found"));
  }
  SECTION("malformed JSON") {
    const std::string dir = fresh_dir("bad_json");
    write_text(dir + "/planes.json", "{\"planes\": [ {\"image\": \"p.png\", ]");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes.json") && Contains("malformed JSON"));
  }
  SECTION("PNG size disagrees with the JSON") {
    const std::string dir = planes_folder("bad_size", std::string(kGoodPlane) + ", \"width\": 5");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes[0].width") && Contains("p.png"));
  }
  SECTION("NaN in a pose") {
    const std::string dir = planes_folder(
        "bad_nan",
        R"("image": "p.png", "origin": [0, NaN, 0], "u_axis": [1, 0, 0], "v_axis": [0, -1, 0])");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes.json"));
  }
  SECTION("infinite number in a pose") {
    const std::string dir = planes_folder(
        "bad_inf",
        R"("image": "p.png", "origin": [0, 1e999, 0], "u_axis": [1, 0, 0], "v_axis": [0, -1, 0])");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes.json") && Contains("overflow"));
  }
  SECTION("zero planes") {
    const std::string dir = planes_folder("bad_zero", kGoodPlane, 0);
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes") && Contains("at least one plane"));
  }
  SECTION("degenerate axes") {
    const std::string dir = planes_folder(
        "bad_axes",
        R"("image": "p.png", "origin": [0, 0, 0], "u_axis": [1, 0, 0], "v_axis": [2, 0, 0])");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes[0]") && Contains("not parallel"));
  }
  SECTION("missing texture file") {
    const std::string dir = planes_folder(
        "bad_missing_png",
        R"("image": "gone.png", "origin": [0, 0, 0], "u_axis": [1, 0, 0], "v_axis": [0, -1, 0])");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("gone.png") && Contains("not found"));
  }
  SECTION("a texture that is not an image") {
    const std::string dir = planes_folder("bad_png", kGoodPlane);
    write_text(dir + "/p.png", "this is not a PNG");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("p.png") && Contains("cannot decode"));
  }
  SECTION("missing required field") {
    const std::string dir =
        planes_folder("bad_field", R"("image": "p.png", "origin": [0, 0, 0], "u_axis": [1, 0, 0])");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("planes[0].v_axis") && Contains("missing"));
  }
  SECTION("newer version") {
    const std::string dir = fresh_dir("bad_version");
    write_text(dir + "/planes.json", R"({"version": 7, "planes": []})");
    REQUIRE_THROWS_WITH(load_plane_set(dir), Contains("version"));
  }
}

TEST_CASE("layers.json bad input names the file and the field", "[formats][layers][bad_input]") {
  const std::string dir = fresh_dir("bad_layers");
  write_png(dir + "/a.png", Image(4, 4, vec4(1.0f)));
  SECTION("unknown blend mode") {
    write_text(dir + "/layers.json",
               R"({"width": 4, "height": 4, "layers": [{"image": "a.png", "blend": "overlay"}]})");
    REQUIRE_THROWS_WITH(load_layer_stack(dir), Contains("layers[0].blend") && Contains("overlay"));
  }
  SECTION("opacity out of range") {
    write_text(dir + "/layers.json",
               R"({"width": 4, "height": 4, "layers": [{"image": "a.png", "opacity": 1.5}]})");
    REQUIRE_THROWS_WITH(load_layer_stack(dir), Contains("layers[0].opacity"));
  }
  SECTION("size mismatch") {
    write_text(dir + "/layers.json",
               R"({"width": 4, "height": 4, "layers": [{"image": "a.png", "height": 3}]})");
    REQUIRE_THROWS_WITH(load_layer_stack(dir), Contains("layers[0].height"));
  }
  SECTION("negative depth") {
    write_text(dir + "/layers.json",
               R"({"width": 4, "height": 4, "layers": [{"image": "a.png", "depth": -1}]})");
    REQUIRE_THROWS_WITH(load_layer_stack(dir), Contains("layers[0].depth"));
  }
  SECTION("no layers") {
    write_text(dir + "/layers.json", R"({"width": 4, "height": 4, "layers": []})");
    REQUIRE_THROWS_WITH(load_layer_stack(dir), Contains("at least one layer"));
  }
}

TEST_CASE("load_scene finds what a folder or file holds", "[formats][scene]") {
  const Scene room = load_scene(test::source_dir() + "/assets/room_corner");
  REQUIRE(room.items.size() == 1);
  REQUIRE(room.reference_camera);
  CHECK(std::holds_alternative<PlaneSet>(room.items[0].content));
  CHECK(describe(room).find("structural MPI") != std::string::npos);
  REQUIRE_THROWS_WITH(load_scene(test::output_dir()), Contains("nothing strata reads"));
  REQUIRE_THROWS_WITH(load_scene(test::source_dir() + "/README.md"),
                      Contains("unsupported file type"));
}
