#include "renderer/bench_scene.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "neural/planes/fronto_parallel_mpi.h"

namespace strata {

namespace {

constexpr float kFovY = 50.0f * kPi / 180.0f;
// The room, metres: the camera stands at the origin looking down -z.
constexpr float kLeft = -3.5f, kRight = 3.5f, kBottom = -1.5f, kTop = 2.0f;
constexpr float kBack = -8.0f, kFront = 0.5f;
constexpr float kNearPlane = 1.2f, kFarPlane = 7.5f;

// A small deterministic generator (splitmix64).
struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform(float lo = 0.0f, float hi = 1.0f) {
    return lo + (hi - lo) * float(next() >> 40) / float(1ull << 24);
  }
};

float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

vec3 hue(float h) {
  const vec3 k = glm::abs(glm::fract(vec3(h) + vec3(0.0f, 2.0f / 3.0f, 1.0f / 3.0f)) * 6.0f - 3.0f);
  return glm::clamp(k - 1.0f, 0.0f, 1.0f);
}

// Fills a texture of w x h with colour(x, y) (straight rgb) and alpha(x, y), premultiplied.
template <typename Fn>
Image paint(int w, int h, Fn&& fn) {
  Image image(std::max(w, 1), std::max(h, 1));
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const vec2 uv((x + 0.5f) / float(image.width), (y + 0.5f) / float(image.height));
      const vec4 c = fn(uv, x, y);
      image.at(x, y) = vec4(vec3(c) * c.a, c.a);
    }
  return image;
}

Plane make_plane(const char* name, vec3 origin, vec3 u, vec3 v, Image texture) {
  Plane p;
  p.name = name;
  p.origin = origin;
  p.u_axis = u;
  p.v_axis = v;
  p.texture = std::move(texture);
  return p;
}

// The structural planes in the order they are added as the plane budget allows.
std::vector<Plane> structural_planes(int count, int width) {
  std::vector<Plane> planes;
  const int W = width;
  auto add = [&](Plane p) {
    if (int(planes.size()) < count) planes.push_back(std::move(p));
  };
  // Back wall: wallpaper stripes with a bright window, opaque.
  add(make_plane("back_wall", vec3(kLeft, kTop, kBack), vec3(kRight - kLeft, 0, 0),
                 vec3(0, kBottom - kTop, 0), paint(W, W / 2, [](vec2 uv, int, int) {
                   const float stripe = 0.75f + 0.25f * std::sin(uv.x * 120.0f);
                   vec3 c = vec3(0.55f, 0.45f, 0.35f) * stripe;
                   const float window = smoothstep(
                       0.02f, 0.0f,
                       std::max(std::abs(uv.x - 0.5f) - 0.15f, std::abs(uv.y - 0.35f) - 0.15f));
                   c = glm::mix(c, vec3(0.7f, 0.85f, 1.0f) * (1.0f - 0.4f * uv.y), window);
                   return vec4(c, 1.0f);
                 })));
  // Floor: checkerboard tiles, opaque, receding from the camera.
  add(make_plane("floor", vec3(kLeft, kBottom, kBack), vec3(kRight - kLeft, 0, 0),
                 vec3(0, 0, kFront - kBack), paint(W * 3 / 4, W * 9 / 10, [](vec2 uv, int, int) {
                   const int check = (int(uv.x * 14.0f) + int(uv.y * 17.0f)) & 1;
                   const float grout = smoothstep(
                       0.0f, 0.04f, std::min(glm::fract(uv.x * 14.0f), glm::fract(uv.y * 17.0f)));
                   const vec3 c = check ? vec3(0.8f, 0.78f, 0.7f) : vec3(0.25f, 0.22f, 0.2f);
                   return vec4(c * (0.6f + 0.4f * grout), 1.0f);
                 })));
  // Left wall: bricks.
  add(make_plane("left_wall", vec3(kLeft, kTop, kFront), vec3(0, 0, kBack - kFront),
                 vec3(0, kBottom - kTop, 0), paint(W, W * 2 / 5, [](vec2 uv, int, int) {
                   const float row = uv.y * 18.0f;
                   const float shift = (int(row) & 1) ? 0.5f : 0.0f;
                   const float col = uv.x * 40.0f + shift;
                   const float mortar =
                       smoothstep(0.0f, 0.08f, std::min(glm::fract(row), glm::fract(col)));
                   const vec3 brick =
                       vec3(0.6f, 0.25f, 0.18f) * (0.8f + 0.2f * std::sin(float(int(col)) * 12.9f));
                   return vec4(glm::mix(vec3(0.75f), brick, mortar), 1.0f);
                 })));
  // Right wall: vertical planks.
  add(make_plane("right_wall", vec3(kRight, kTop, kBack), vec3(0, 0, kFront - kBack),
                 vec3(0, kBottom - kTop, 0), paint(W, W * 2 / 5, [](vec2 uv, int, int) {
                   const float plank = uv.x * 30.0f;
                   const float grain =
                       0.85f + 0.15f * std::sin(uv.y * 90.0f + float(int(plank)) * 3.7f);
                   const float gap = smoothstep(0.0f, 0.05f, glm::fract(plank));
                   return vec4(vec3(0.55f, 0.4f, 0.22f) * grain * (0.5f + 0.5f * gap), 1.0f);
                 })));
  // Ceiling: soft gradient with light panels.
  add(make_plane(
      "ceiling", vec3(kLeft, kTop, kFront), vec3(kRight - kLeft, 0, 0), vec3(0, 0, kBack - kFront),
      paint(W / 2, W * 3 / 5, [](vec2 uv, int, int) {
        const float panel = smoothstep(0.03f, 0.0f,
                                       std::max(std::abs(glm::fract(uv.x * 3.0f) - 0.5f) - 0.3f,
                                                std::abs(glm::fract(uv.y * 4.0f) - 0.5f) - 0.25f));
        return vec4(glm::mix(vec3(0.85f, 0.85f, 0.82f) * (0.7f + 0.3f * uv.y), vec3(1.0f), panel),
                    1.0f);
      })));
  // Glass pane crossing the fronto-parallel planes diagonally: tinted, alpha 0.2-0.4.
  add(make_plane("glass", vec3(-2.2f, 1.0f, -1.8f), vec3(2.6f, 0.0f, -3.4f),
                 vec3(0.0f, -2.5f, 0.0f), paint(W * 2 / 5, W * 3 / 10, [](vec2 uv, int, int) {
                   const float streak = 0.5f + 0.5f * std::sin((uv.x + 0.6f * uv.y) * 40.0f);
                   const float frame = smoothstep(
                       0.03f, 0.0f,
                       std::min(std::min(uv.x, 1.0f - uv.x), std::min(uv.y, 1.0f - uv.y)));
                   const float a = glm::mix(0.2f + 0.2f * streak, 1.0f, frame);
                   return vec4(glm::mix(vec3(0.6f, 0.85f, 0.8f), vec3(0.15f), frame), a);
                 })));
  // A tilted perforated board crossing planes both ways: opaque with round holes.
  add(make_plane("board", vec3(0.6f, 0.9f, -2.6f), vec3(2.0f, 0.0f, -2.4f), vec3(0.3f, -2.2f, 0.4f),
                 paint(W * 3 / 10, W * 3 / 10, [](vec2 uv, int, int) {
                   const vec2 cell = glm::fract(uv * 6.0f) - 0.5f;
                   const float hole = smoothstep(0.22f, 0.26f, glm::length(cell));
                   const vec3 c =
                       glm::mix(vec3(0.2f, 0.3f, 0.65f), vec3(0.9f, 0.6f, 0.2f), uv.x * uv.y);
                   return vec4(c, hole);
                 })));
  return planes;
}

// The texture of one fronto-parallel plane: a few soft-edged objects (discs, rings and rounded
// boxes with patterned colour) on transparency, sometimes a faint haze band.
Image fronto_texture(int w, int h, Random& rng) {
  Image image(w, h, vec4(0.0f));
  if (rng.uniform() < 0.3f) {  // low-alpha haze: exercises precision of faint layers
    const float y0 = rng.uniform(0.2f, 0.8f), half = rng.uniform(0.05f, 0.12f);
    const vec3 c = glm::mix(vec3(0.8f), hue(rng.uniform()), 0.3f);
    const float a = rng.uniform(0.02f, 0.06f);
    for (int y = 0; y < h; ++y) {
      const float v = (y + 0.5f) / h;
      const float alpha = a * smoothstep(half, 0.0f, std::abs(v - y0));
      if (alpha <= 0.0f) continue;
      for (int x = 0; x < w; ++x) image.at(x, y) = vec4(c * alpha, alpha);
    }
  }
  const int objects = 2 + int(rng.next() % 4);
  for (int k = 0; k < objects; ++k) {
    const float cx = rng.uniform(0.05f, 0.95f) * w, cy = rng.uniform(0.05f, 0.95f) * h;
    const float r = rng.uniform(0.03f, 0.11f) * w;
    const int shape = int(rng.next() % 3);
    const vec3 c0 = hue(rng.uniform()), c1 = hue(rng.uniform()) * 0.5f;
    const float base_alpha = rng.uniform(0.55f, 1.0f);
    const float freq = rng.uniform(0.15f, 0.6f);
    const int x0 = std::max(0, int(cx - r - 2)), x1 = std::min(w - 1, int(cx + r + 2));
    const int y0 = std::max(0, int(cy - r - 2)), y1 = std::min(h - 1, int(cy + r + 2));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const vec2 d(x + 0.5f - cx, y + 0.5f - cy);
        float dist;  // signed distance to the outline, pixels (negative inside)
        if (shape == 0)
          dist = glm::length(d) - r;
        else if (shape == 1)
          dist = std::abs(glm::length(d) - 0.7f * r) - 0.3f * r;
        else
          dist = glm::length(glm::max(glm::abs(d) - vec2(0.8f * r, 0.5f * r), 0.0f)) - 0.2f * r;
        const float coverage = smoothstep(1.5f, -1.5f, dist);
        if (coverage <= 0.0f) continue;
        const float pattern = 0.5f + 0.5f * std::sin((d.x + 0.5f * d.y) * freq);
        const vec3 colour = glm::mix(c1, c0, pattern);
        const float a = base_alpha * coverage;
        // "over" onto what is already there (objects may overlap the haze or each other).
        image.at(x, y) = vec4(colour * a, a) + (1.0f - a) * image.at(x, y);
      }
  }
  return image;
}

}  // namespace

PlaneSet make_bench_planes(const BenchSceneOptions& options) {
  if (options.planes < 1 || options.width < 1 || options.height < 1)
    throw std::invalid_argument("make_bench_planes: planes, width and height must be >= 1");
  PlaneSet set;
  const Camera reference = Camera::pinhole_fov_y(options.width, options.height, kFovY, mat4(1.0f));
  set.reference_camera = reference;
  const int structural = std::clamp(options.planes / 4, 1, 7);
  set.planes = structural_planes(structural, options.width);
  const int fronto = options.planes - int(set.planes.size());
  if (fronto > 0) {
    Random rng{0x5eed0000ull + options.seed};
    const std::vector<float> depths = inverse_depth_spacing(kNearPlane, kFarPlane, fronto);
    for (int i = 0; i < fronto; ++i) {
      Plane p = fronto_parallel_plane(reference, depths[size_t(i)]);
      char name[32];
      std::snprintf(name, sizeof(name), "mpi_%02d", i);
      p.name = name;
      p.texture = fronto_texture(options.width, options.height, rng);
      set.planes.push_back(std::move(p));
    }
  }
  return set;
}

Camera bench_camera(int width, int height, int frame, int frames) {
  const float a = 2.0f * kPi * float(frame) / float(std::max(frames, 1));
  const vec3 eye(0.3f * std::cos(a), 0.12f * std::sin(a), -0.1f + 0.1f * std::sin(2.0f * a));
  return Camera::pinhole_fov_y(width, height, kFovY, look_at(eye, vec3(0.0f, 0.0f, -5.0f)));
}

}  // namespace strata
