// Makes assets/room_corner: a structural MPI of a room corner. The floor and two walls are posed
// planes on the room's own surfaces, a glass panel is a posed plane at an angle, and a ball is
// cut into fronto-parallel slices (an MPI of an object) facing the reference camera. Textures
// are shaded procedurally with one point light and the ball's shadow.
//
// usage: make_sample_scene OUT_FOLDER
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/planes/plane_set_io.h"

using namespace strata;

namespace {

const vec3 kLight(0.6f, 2.6f, 0.9f);  // point light, metres
const vec3 kBallCentre(0.45f, 0.5f, -0.5f);
constexpr float kBallRadius = 0.5f;

float hash(int x, int y) {
  unsigned h = unsigned(x) * 374761393u + unsigned(y) * 668265263u;
  h = (h ^ (h >> 13)) * 1274126177u;
  return float(h & 0xffffff) / float(0xffffff);
}

// Distance along the ray to the ball, or -1.
float hit_ball(vec3 origin, vec3 dir) {
  const vec3 oc = origin - kBallCentre;
  const float b = glm::dot(oc, dir), c = glm::dot(oc, oc) - kBallRadius * kBallRadius;
  const float disc = b * b - c;
  if (disc < 0.0f) return -1.0f;
  const float t = -b - std::sqrt(disc);
  return t > 0.0f ? t : -1.0f;
}

// Diffuse light at a surface point with normal n, with the ball's soft shadow.
float lighting(vec3 p, vec3 n) {
  const vec3 to_light = kLight - p;
  const float dist = glm::length(to_light);
  const vec3 l = to_light / dist;
  float diffuse = std::max(0.0f, std::abs(glm::dot(n, l))) * 5.0f / (dist * dist + 1.0f);
  // Soft shadow: how close the ray to the light passes to the ball, in units of its radius.
  const vec3 oc = kBallCentre - p;
  const float along = glm::dot(oc, l);
  if (along > 0.0f && along < dist) {
    const float miss = glm::length(oc - along * l) / kBallRadius;
    diffuse *= glm::smoothstep(0.75f, 1.15f, miss);
  }
  return 0.25f + diffuse;
}

vec3 floor_albedo(vec3 p) {
  // Wooden planks along x, 0.25 m wide, with per-plank tone and fine grain.
  const int plank = int(std::floor(p.z / 0.25f));
  const float offset = hash(plank, 7) * 2.0f;
  const int board = int(std::floor((p.x + offset) / 1.3f));
  const float tone = 0.75f + 0.25f * hash(plank, board);
  const float grain = 0.9f + 0.1f * std::sin(p.x * 40.0f + 3.0f * std::sin(p.z * 25.0f + plank));
  const float seam_z = std::abs(p.z / 0.25f - std::round(p.z / 0.25f));
  const float seam_x = std::abs((p.x + offset) / 1.3f - std::round((p.x + offset) / 1.3f));
  const float seam = (seam_z < 0.02f || seam_x < 0.004f) ? 0.55f : 1.0f;
  return vec3(0.62f, 0.42f, 0.25f) * tone * grain * seam;
}

vec3 back_wall_albedo(vec3 p) {
  // Wallpaper: soft vertical stripes and a framed picture.
  const float stripe = 0.5f + 0.5f * std::cos(p.x * 2.0f * kPi / 0.3f);
  vec3 c = glm::mix(vec3(0.80f, 0.78f, 0.70f), vec3(0.70f, 0.74f, 0.78f), stripe * 0.6f);
  const vec2 q(p.x + 0.6f, p.y - 1.7f);  // picture centre
  if (std::abs(q.x) < 0.55f && std::abs(q.y) < 0.38f) {
    if (std::abs(q.x) > 0.49f || std::abs(q.y) > 0.32f) return vec3(0.25f, 0.16f, 0.08f);  // frame
    const float sky = glm::clamp(0.5f + q.y * 1.5f, 0.0f, 1.0f);
    c = glm::mix(vec3(0.95f, 0.65f, 0.35f), vec3(0.35f, 0.55f, 0.85f), sky);
    if (q.y < -0.12f + 0.08f * std::sin(q.x * 9.0f)) c = vec3(0.18f, 0.35f, 0.2f);  // hills
    const float sun = glm::length(q - vec2(0.2f, 0.08f));
    if (sun < 0.07f) c = vec3(1.0f, 0.9f, 0.6f);
  }
  return c;
}

vec3 side_wall_albedo(vec3 p) {
  // Painted brick: staggered rows, mortar lines.
  const float row = std::floor(p.y / 0.12f);
  const float shift = std::fmod(row, 2.0f) * 0.13f;
  const float col = std::floor((p.z + shift) / 0.26f);
  const float mortar_y = std::abs(p.y / 0.12f - std::round(p.y / 0.12f));
  const float mortar_z = std::abs((p.z + shift) / 0.26f - std::round((p.z + shift) / 0.26f));
  if (mortar_y < 0.07f || mortar_z < 0.035f) return vec3(0.78f, 0.76f, 0.72f);
  return vec3(0.70f, 0.36f, 0.28f) * (0.85f + 0.15f * hash(int(row), int(col)));
}

// Fills a plane's texture from a function of the world point at each texel centre.
template <typename Shade>
void paint(Plane& plane, int width, int height, Shade shade) {
  plane.texture = Image(width, height);
  parallel_for(size_t(height), 16, [&](size_t y0, size_t y1) {
    for (int y = int(y0); y < int(y1); ++y)
      for (int x = 0; x < width; ++x) {
        const vec3 p =
            plane.origin + (x + 0.5f) / width * plane.u_axis + (y + 0.5f) / height * plane.v_axis;
        plane.texture.at(x, y) = shade(p);
      }
  });
}

vec4 opaque(vec3 c) {
  return vec4(glm::clamp(c, 0.0f, 1.0f), 1.0f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr,
                 "usage: make_sample_scene OUT_FOLDER\nMakes the room-corner structural MPI sample "
                 "scene.\n");
    return argc == 2 ? 0 : 2;
  }
  try {
    PlaneSet set;
    const Camera reference = Camera::pinhole_fov_y(
        640, 480, glm::radians(50.0f), look_at(vec3(0.2f, 1.1f, 3.0f), vec3(0.2f, 1.1f, -1.0f)));
    set.reference_camera = reference;

    Plane back{"back_wall", vec3(-2.0f, 3.0f, -2.0f), vec3(4.5f, 0, 0), vec3(0, -3.0f, 0), {}};
    paint(back, 600, 400,
          [](vec3 p) { return opaque(back_wall_albedo(p) * lighting(p, vec3(0, 0, 1))); });
    Plane side{"left_wall", vec3(-2.0f, 3.0f, 3.5f), vec3(0, 0, -5.5f), vec3(0, -3.0f, 0), {}};
    paint(side, 660, 360,
          [](vec3 p) { return opaque(side_wall_albedo(p) * lighting(p, vec3(1, 0, 0))); });
    Plane floor{"floor", vec3(-2.0f, 0.0f, -2.0f), vec3(4.5f, 0, 0), vec3(0, 0, 5.5f), {}};
    paint(floor, 512, 626,
          [](vec3 p) { return opaque(floor_albedo(p) * lighting(p, vec3(0, 1, 0))); });
    set.planes = {back, side, floor};

    // A tinted glass panel standing at an angle: crosses the ball's slices in depth.
    const vec3 panel_dir = glm::normalize(vec3(1.0f, 0.0f, 0.8f));
    Plane glass{"glass_panel", vec3(-1.3f, 1.5f, -0.9f), panel_dir * 1.1f, vec3(0, -1.5f, 0), {}};
    paint(glass, 220, 300, [&](vec3 p) {
      const vec3 q = p - glass.origin;
      const float s = glm::dot(q, panel_dir) / 1.1f, t = -q.y / 1.5f;
      if (s < 0.04f || s > 0.96f || t < 0.03f || t > 0.97f)
        return vec4(0.15f, 0.15f, 0.17f, 1.0f);  // frame
      const float a = 0.35f;
      return vec4(vec3(0.35f, 0.6f, 0.75f) * a, a);
    });
    set.planes.push_back(glass);

    // The ball: fronto-parallel slices over the depths of its visible half, each holding the
    // surface points whose depth falls in its slab (alpha = coverage, 4x4 supersampled).
    constexpr int kSlices = 10;
    const float centre_depth = glm::dot(kBallCentre - reference.position(), reference.forward());
    const float near_depth = centre_depth - kBallRadius,
                far_depth = centre_depth + 0.1f * kBallRadius;
    vec2 centre_px;
    float unused;
    reference.project(kBallCentre, &centre_px, &unused);
    const float radius_px = kBallRadius / near_depth * reference.fy * 1.05f;
    const vec2 lo = centre_px - radius_px, size(2.0f * radius_px);
    const int texture_size = 160;
    for (int i = 0; i < kSlices; ++i) {
      // Slab i spans [edge_i, edge_i+1] in depth, farthest slice first.
      const float slab_far = far_depth - (far_depth - near_depth) * float(i) / kSlices;
      const float slab_near = far_depth - (far_depth - near_depth) * float(i + 1) / kSlices;
      const float depth = 0.5f * (slab_far + slab_near);
      Plane slice;
      slice.name = "ball_" + std::to_string(i);
      const vec3 corner((lo.x - reference.cx) / reference.fx * depth,
                        (reference.cy - lo.y) / reference.fy * depth, -depth);
      slice.origin = vec3(reference.camera_to_world * vec4(corner, 1.0f));
      slice.u_axis = mat3(reference.camera_to_world) * vec3(size.x / reference.fx * depth, 0, 0);
      slice.v_axis = mat3(reference.camera_to_world) * vec3(0, -size.y / reference.fy * depth, 0);
      slice.texture = Image(texture_size, texture_size);
      for (int y = 0; y < texture_size; ++y)
        for (int x = 0; x < texture_size; ++x) {
          vec4 sum(0.0f);
          for (int sy = 0; sy < 4; ++sy)
            for (int sx = 0; sx < 4; ++sx) {
              const vec2 px = lo + vec2((x + (sx + 0.5f) / 4.0f) / texture_size,
                                        (y + (sy + 0.5f) / 4.0f) / texture_size) *
                                       size;
              const Ray ray = reference.ray(px);
              const float t = hit_ball(ray.origin, ray.direction);
              if (t < 0.0f) continue;
              const float z = reference.depth_of_hit(t, reference.direction_in_camera(px));
              if (z > slab_far || z <= slab_near) continue;
              const vec3 p = ray.origin + t * ray.direction, n = glm::normalize(p - kBallCentre);
              const vec3 l = glm::normalize(kLight - p), h = glm::normalize(l - ray.direction);
              const float diffuse = std::max(0.0f, glm::dot(n, l));
              const float specular = std::pow(std::max(0.0f, glm::dot(n, h)), 40.0f);
              const float stripes = 0.5f + 0.5f * std::sin(12.0f * std::atan2(n.z, n.x));
              const vec3 albedo = glm::mix(vec3(0.85f, 0.2f, 0.15f), vec3(0.95f, 0.85f, 0.3f),
                                           glm::step(0.5f, stripes));
              sum += vec4(
                  glm::clamp(albedo * (0.2f + 0.9f * diffuse) + 0.5f * specular, 0.0f, 1.0f), 1.0f);
            }
          slice.texture.at(x, y) = sum / 16.0f;  // premultiplied by coverage
        }
      set.planes.push_back(slice);
    }
    set.validate("room_corner");
    save_plane_set(set, argv[1]);
    std::printf("wrote %zu planes to %s/planes.json\n", set.planes.size(), argv[1]);
  } catch (const InputError& e) {
    std::fprintf(stderr, "make_sample_scene: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
