#include <catch2/catch.hpp>

#include "neural/core/metrics.h"
#include "neural/layers/layer_stack.h"
#include "neural/planes/plane_set_render.h"
#include "neural/scene/scene.h"

using namespace strata;

namespace {
Layer solid_layer(int w, int h, vec4 straight, BlendMode mode = BlendMode::kNormal) {
  Layer l;
  l.name = "solid";
  l.image = Image(w, h, vec4(vec3(straight) * straight.a, straight.a));
  l.blend = mode;
  return l;
}
}  // namespace

TEST_CASE("layer stack composites with opacity, visibility and offsets", "[layers]") {
  LayerStack stack;
  stack.width = 8;
  stack.height = 4;
  stack.layers.push_back(solid_layer(8, 4, vec4(0, 0, 1, 1)));  // opaque blue background
  Layer red = solid_layer(4, 4, vec4(1, 0, 0, 1));
  red.offset = ivec2(4, 0);  // right half only
  red.opacity = 0.25f;
  stack.layers.push_back(red);
  Layer hidden = solid_layer(8, 4, vec4(0, 1, 0, 1));
  hidden.visible = false;
  stack.layers.push_back(hidden);
  const Image out = composite(stack);
  CHECK(out.at(1, 1).b == Approx(1.0f));
  CHECK(out.at(1, 1).r == Approx(0.0f));
  CHECK(out.at(6, 1).r == Approx(0.25f));
  CHECK(out.at(6, 1).b == Approx(0.75f));
  CHECK(out.at(6, 1).g == Approx(0.0f));  // the hidden green layer is skipped
  CHECK(out.at(6, 1).a == Approx(1.0f));
}

TEST_CASE("blend modes follow the W3C compositing formulas", "[layers]") {
  const vec4 below_straight(0.5f, 0.4f, 0.2f, 1.0f);
  const vec3 top(0.5f, 1.0f, 0.6f);
  auto blend_with = [&](BlendMode mode, float top_alpha) {
    LayerStack stack;
    stack.width = stack.height = 1;
    stack.layers.push_back(solid_layer(1, 1, below_straight));
    stack.layers.push_back(solid_layer(1, 1, vec4(top, top_alpha), mode));
    return composite(stack).at(0, 0);
  };
  const vec4 multiply = blend_with(BlendMode::kMultiply, 1.0f);
  CHECK(multiply.r == Approx(0.25f));
  CHECK(multiply.g == Approx(0.4f));
  CHECK(multiply.b == Approx(0.12f));
  const vec4 screen = blend_with(BlendMode::kScreen, 1.0f);
  CHECK(screen.r == Approx(0.75f));
  CHECK(screen.g == Approx(1.0f));
  const vec4 add = blend_with(BlendMode::kAdd, 0.5f);  // half-strength add over an opaque base
  CHECK(add.r == Approx(0.5f * 0.5f + 0.5f * 1.0f));   // (1-as) cb + as min(1, cs + cb)
  CHECK(add.b == Approx(0.5f * 0.2f + 0.5f * 0.8f));
  const vec4 normal = blend_with(BlendMode::kNormal, 0.5f);
  CHECK(normal.r == Approx(0.5f));
  CHECK(normal.g == Approx(0.7f));
  CHECK(normal.a == Approx(1.0f));
}

TEST_CASE("layers with depth become cards that reproduce the composite from the reference view",
          "[layers]") {
  LayerStack stack;
  stack.width = 40;
  stack.height = 30;
  Layer back = solid_layer(40, 30, vec4(0.2f, 0.3f, 0.9f, 1.0f));
  back.depth = 8.0f;
  Layer front = solid_layer(20, 10, vec4(0.9f, 0.6f, 0.1f, 0.6f));
  front.offset = ivec2(10, 12);
  front.depth = 2.0f;
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 20; ++x) front.image.at(x, y) *= float((x + y) % 3) / 2.0f;  // some texture
  stack.layers = {back, front};
  Scene scene;
  scene.items.push_back(SceneItem{"stack", "", mat4(1.0f), stack, {}, {}});
  const PlaneSet cards = scene_planes(scene);
  REQUIRE(cards.planes.size() == 2);
  const RenderOutput out = render_planes(cards, stack.reference_camera());
  CHECK(psnr(out.color, composite(stack)) > 50.0);
  CHECK(out.depth.at(2, 2) == Approx(8.0f).epsilon(1e-4));
}
