// Packing UV charts by outline (neural/mesh/chart_packing.h): charts keep their padding from
// each other and from the border, small charts go into the empty corners of large ones' boxes,
// and a chart too large for the atlas is left out without stopping the rest.
#include <catch2/catch.hpp>
#include <random>

#include "neural/mesh/chart_packing.h"

using namespace strata;

namespace {

// A blob: the texels of a disc, with a bite taken out of it when `bite` (a crescent).
ChartMask blob(int width, int height, bool bite) {
  ChartMask m(width, height);
  const vec2 centre(0.5f * width, 0.5f * height), half(0.5f * width, 0.5f * height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const vec2 p = (vec2(x + 0.5f, y + 0.5f) - centre) / half;
      const vec2 q = p - vec2(0.6f, 0.0f);
      if (glm::dot(p, p) <= 1.0f && (!bite || glm::dot(q, q) > 0.5f)) m.set(x, y);
    }
  m.set(width / 2, height / 2);  // never empty
  return m;
}

// Every chart's texels in the atlas, by chart (-1: free); fails on texels outside it.
std::vector<int> paint(const std::vector<ChartMask>& masks, const ChartPacking& packing, int size) {
  std::vector<int> label(size_t(size) * size, -1);
  for (size_t i = 0; i < masks.size(); ++i) {
    if (packing.positions[i] == ivec2(-1)) continue;
    for (int y = 0; y < masks[i].height; ++y)
      for (int x = 0; x < masks[i].width; ++x) {
        if (!masks[i].test(x, y)) continue;
        const ivec2 p = packing.positions[i] + ivec2(x, y);
        REQUIRE(p.x >= 0);
        REQUIRE(p.y >= 0);
        REQUIRE(p.x < size);
        REQUIRE(p.y < size);
        REQUIRE(label[size_t(p.y) * size + size_t(p.x)] == -1);
        label[size_t(p.y) * size + size_t(p.x)] = int(i);
      }
  }
  return label;
}

}  // namespace

TEST_CASE("chart masks are set, tested and counted texel by texel", "[mesh]") {
  ChartMask m(70, 3);  // rows wider than one 64-bit word
  m.set(0, 0);
  m.set(69, 2);
  m.set(64, 1);
  m.set(70, 0);  // outside: ignored
  m.set(-1, 1);
  CHECK(m.count() == 3);
  CHECK(m.test(0, 0));
  CHECK(m.test(69, 2));
  CHECK(m.test(64, 1));
  CHECK_FALSE(m.test(63, 1));
  CHECK_FALSE(m.test(70, 0));
}

TEST_CASE("packed charts keep their padding from each other and from the border", "[mesh]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> side(1, 48);
  std::vector<ChartMask> masks;
  for (int i = 0; i < 120; ++i) masks.push_back(blob(side(rng), side(rng), i % 3 == 0));
  const int size = 512, padding = 3;
  const ChartPacking packing = pack_chart_masks(masks, size, padding);
  REQUIRE(packing.complete());
  CHECK(packing.placed == masks.size());
  CHECK(packing.placed_fraction == Approx(1.0));
  const std::vector<int> label = paint(masks, packing, size);
  size_t near_other = 0, near_border = 0;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int c = label[size_t(y) * size + size_t(x)];
      if (c < 0) continue;
      near_border += x < padding || y < padding || x >= size - padding || y >= size - padding;
      for (int dy = -padding; dy <= padding; ++dy)
        for (int dx = -padding; dx <= padding; ++dx) {
          const int xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
          const int o = label[size_t(yy) * size + size_t(xx)];
          near_other += o >= 0 && o != c;
        }
    }
  CHECK(near_other == 0);
  CHECK(near_border == 0);
  // Same masks, same places.
  CHECK(pack_chart_masks(masks, size, padding).positions == packing.positions);
}

TEST_CASE("small charts go into the empty corner of a large chart's box", "[mesh]") {
  // An L: a 100 x 100 box without its 60 x 60 top-right quarter, in a 112² atlas. Around its box
  // there is no room for a 16 x 16 chart: a box packer could place none of them.
  ChartMask l(100, 100);
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x)
      if (x < 40 || y >= 60) l.set(x, y);
  std::vector<ChartMask> masks{l};
  for (int i = 0; i < 4; ++i) {
    ChartMask square(16, 16);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) square.set(x, y);
    masks.push_back(square);
  }
  const ChartPacking packing = pack_chart_masks(masks, 112, 2);
  REQUIRE(packing.complete());
  const ivec2 corner = packing.positions[0];
  for (size_t i = 1; i < masks.size(); ++i) {
    const ivec2 p = packing.positions[i] - corner;
    CHECK(p.x >= 40);  // in the L's empty quarter
    CHECK(p.y + 16 <= 60);
    CHECK(p.x + 16 <= 100);
  }
  paint(masks, packing, 112);  // and no texel taken twice
}

TEST_CASE("a chart larger than the atlas is left out; the others are packed", "[mesh]") {
  std::vector<ChartMask> masks{blob(10, 10, false), blob(200, 20, false), blob(12, 8, true)};
  const ChartPacking packing = pack_chart_masks(masks, 128, 2);
  CHECK_FALSE(packing.complete());
  CHECK(packing.placed == 2);
  CHECK(packing.positions[1] == ivec2(-1));
  CHECK(packing.positions[0] != ivec2(-1));
  CHECK(packing.positions[2] != ivec2(-1));
  CHECK(packing.placed_fraction < 0.5);
  paint(masks, packing, 128);
}
