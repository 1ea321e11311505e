#version 450
// Pass 2 of the planes renderer: per pixel, intersect the ray with the tile's planes, order the
// hits by distance, sample each texture bilinearly and composite front to back
// (C += T c, T *= 1 - a; stop once T < 1e-4), the CPU reference's rule
// (neural/planes/plane_set_render.cpp).
//
// Why this scales to 64+ planes at 1080p: the work per pixel is bounded by the planes that
// actually cover its tile with non-empty texels (pass 1), not by the plane count, and a pixel
// reads at most one bilinear footprint per plane it composites, stopping once it is opaque.
// There is one pass over the screen whatever the plane count (no depth peeling: peeling re-reads
// every plane once per layer, O(planes^2) texture traffic), no per-plane render targets, and
// sorting happens only where planes cross inside a tile: elsewhere pass 1 proved one order for
// the whole tile and pixels composite while walking it. Where they cross, hits are sorted in a
// small per-pixel register array, kPlanesMaxHits at a time (more hits take further passes, which
// real scenes rarely need since compositing usually saturates first). Textures of any size share
// one texel buffer (in 8x8-texel blocks), so every plane is reachable from the same dispatch.
//
// CPU devices (llvmpipe) run each `if` on both sides under a mask but leave loops once no lane
// is active, so the two paths below are loops with a trip count of 0 on the other kind of tile.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require

#include "planes_shared.h"
#include "planes_common.glsl"

layout(local_size_x = STRATA_PLANES_TILE, local_size_y = STRATA_PLANES_TILE, local_size_z = 1) in;

// Texels in 8x8 blocks: RGBA8 (r32ui view) or, with kHalfFloatTexels, RGBA16F (rg32ui view).
layout(set = 0, binding = kPlanesBindingTexels) uniform usamplerBuffer texels;
layout(constant_id = 0) const bool kHalfFloatTexels = false;
layout(set = 0, binding = kPlanesBindingTilesRead) uniform usamplerBuffer tile_records;
layout(set = 0, binding = kPlanesBindingColor, rgba32f) writeonly uniform image2D out_color;
layout(set = 0, binding = kPlanesBindingDepth, r32f) writeonly uniform image2D out_depth;

const uint kEmpty = 0xffffffffu;

// Premultiplied texel p (inside the texture) of a texture stored from texel `first` with
// `blocks_x` blocks across.
vec4 fetch_texel(uint first, uint blocks_x, bool straight, ivec2 p) {
  const uvec2 q = uvec2(p);
  const uint index = first + ((((q.y >> 3) * blocks_x + (q.x >> 3)) << 6) | ((q.y & 7u) << 3) |
                              (q.x & 7u));
  if (kHalfFloatTexels) {
    const uvec2 w = texelFetch(texels, int(index)).xy;
    return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
  }
  const vec4 c = unpackUnorm4x8(texelFetch(texels, int(index)).x);
  return straight ? vec4(c.rgb * c.a, c.a) : c;
}

// Bilinear sample of plane i's texture at texture coordinates st: Image::sample_bilinear
// (texel centres at (i + 0.5) / width, clamped to the edge texels), premultiplied.
vec4 sample_plane(uint i, vec2 st) {
  const PlaneTexture texture = plane_texture(i);
  const ivec2 size = texture.size;
  const vec2 xy = st * vec2(size) - 0.5;
  const vec2 f = floor(xy);
  const vec2 a = xy - f;
  const ivec2 p0 = clamp(ivec2(f), ivec2(0), size - 1);
  const ivec2 p1 = clamp(ivec2(f) + 1, ivec2(0), size - 1);
  const bool straight = (texture.flags & kPlaneStraightAlpha) != 0;
  const uint first = texture.first, across = texture.blocks.x;
  const vec4 top = mix(fetch_texel(first, across, straight, p0),
                       fetch_texel(first, across, straight, ivec2(p1.x, p0.y)), a.x);
  const vec4 bottom = mix(fetch_texel(first, across, straight, ivec2(p0.x, p1.y)),
                          fetch_texel(first, across, straight, p1), a.x);
  return mix(top, bottom, a.y);
}

void main() {
  const uvec2 pixel = gl_GlobalInvocationID.xy;
  const bool inside = pixel.x < pc.image.x && pixel.y < pc.image.y;
  const vec3 dir_camera = direction_in_camera(vec2(pixel) + 0.5);
  const vec3 dir = to_world(dir_camera);
  // Depth convention of Camera::depth_of_hit: z-depth for pinhole, ray distance otherwise.
  const float depth_scale = pc.image.z == kProjectionPinhole ? -dir_camera.z : 1.0;

  const uint record = (gl_WorkGroupID.y * pc.tiles.x + gl_WorkGroupID.x) * pc.tiles.z;
  const uint header = texelFetch(tile_records, int(record)).x;
  const bool all_planes = (header & kTileAllPlanes) != 0;
  const uint visits = all_planes ? pc.image.w : header & kTileCountMask;
  const bool ordered = (header & kTileOrdered) != 0;

  vec4 color = vec4(0.0);
  // Pixels outside the image (partial tiles) start opaque: they leave the loops at once.
  float transmittance = inside ? 1.0 : 0.0;
  float depth_sum = 0.0, weight_sum = 0.0;

  // Ordered tiles: composite while walking the list.
  const uint ordered_visits = ordered ? visits : 0u;
  for (uint k = 0; k < ordered_visits && transmittance >= kPlanesMinTransmittance; ++k) {
    const uint i = texelFetch(tile_records, int(record + 1 + k)).x;
    const vec4 n = plane_normal(i), ud = plane_u_dual(i), vd = plane_v_dual(i);
    const float denom = dot(n.xyz, dir);
    const float t = n.w / denom;
    const vec2 st = vec2(ud.w + t * dot(dir, ud.xyz), vd.w + t * dot(dir, vd.xyz));
    const bool hit = denom != 0.0 && t > 0.0 && st.x >= 0.0 && st.x <= 1.0 && st.y >= 0.0 &&
                     st.y <= 1.0;
    // Sampled whatever `hit` says (an `if` would not skip it), then discarded on a miss.
    const vec4 texel = hit ? sample_plane(i, st) : vec4(0.0);
    const float weight = transmittance * texel.a;
    color += transmittance * texel;
    depth_sum += weight * (hit ? t * depth_scale : 0.0);
    weight_sum += weight;
    transmittance *= 1.0 - texel.a;
  }

  // Tiles where planes cross: per pixel, collect the nearest kPlanesMaxHits hits not yet
  // composited, sorted, then composite them; repeat while hits remain and light passes.
  // A sort key is the hit distance's float bits (monotonic for t > 0) with the low bits replaced
  // by the plane index: one uint compare sorts by distance, ties by index, and the key still
  // holds the distance to 2^-(23 - index bits) for the depth output.
  const uint index_mask = (1u << pc.tiles.w) - 1u;
  const uint passes = ordered ? 0u : max(1u, (visits + kPlanesMaxHits - 1) / kPlanesMaxHits);
  uint lower = 0;  // keys up to this one were composited by an earlier pass
  bool more = transmittance >= kPlanesMinTransmittance;
  for (uint pass = 0; pass < passes; ++pass) {
    // Keys and texture coordinates of the nearest hits, ascending (kEmpty marks free slots).
    // Indexed by constants only (loops unrolled) so they stay in registers: dynamically indexed
    // arrays live in scratch memory (per-lane loads on CPU devices, spills on GPUs).
    uint keys[kPlanesMaxHits];
    vec2 sts[kPlanesMaxHits];
    [[unroll]] for (uint j = 0; j < kPlanesMaxHits; ++j) {
      keys[j] = kEmpty;
      sts[j] = vec2(0.0);
    }
    uint count = 0;
    bool overflow = false;
    for (uint k = 0; k < visits; ++k) {
      const uint i = all_planes ? k : texelFetch(tile_records, int(record + 1 + k)).x;
      const vec4 n = plane_normal(i), ud = plane_u_dual(i), vd = plane_v_dual(i);
      const float denom = dot(n.xyz, dir);
      const float t = n.w / denom;
      vec2 st = vec2(ud.w + t * dot(dir, ud.xyz), vd.w + t * dot(dir, vd.xyz));
      uint key = (floatBitsToUint(t) & ~index_mask) | i;
      const bool hit = more && denom != 0.0 && t > 0.0 && st.x >= 0.0 && st.x <= 1.0 &&
                       st.y >= 0.0 && st.y <= 1.0 && (pass == 0 || key > lower);
      // Branch-free insertion (a miss inserts kEmpty, which changes nothing): the hit sinks to
      // its place, the farthest falls out the end.
      key = hit ? key : kEmpty;
      [[unroll]] for (uint j = 0; j < kPlanesMaxHits; ++j) {
        const bool nearer = key < keys[j];
        const uint key_out = nearer ? keys[j] : key;
        const vec2 st_out = nearer ? sts[j] : st;
        keys[j] = nearer ? key : keys[j];
        sts[j] = nearer ? st : sts[j];
        key = key_out;
        st = st_out;
      }
      overflow = overflow || key != kEmpty;
      count += hit ? 1u : 0u;
    }
    count = min(count, kPlanesMaxHits);

    // Front to back: take slot 0, shift the rest down.
    for (uint k = 0; k < count && transmittance >= kPlanesMinTransmittance; ++k) {
      const uint key = keys[0];
      const vec2 st = sts[0];
      [[unroll]] for (uint j = 1; j < kPlanesMaxHits; ++j) {
        keys[j - 1] = keys[j];
        sts[j - 1] = sts[j];
      }
      lower = key;
      const uint i = key & index_mask;
      const float t = uintBitsToFloat(key & ~index_mask);
      const vec4 texel = sample_plane(i, st);
      const float weight = transmittance * texel.a;
      color += transmittance * texel;
      depth_sum += weight * (t * depth_scale);
      weight_sum += weight;
      transmittance *= 1.0 - texel.a;
    }
    more = more && overflow && transmittance >= kPlanesMinTransmittance;
  }

  if (inside) {
    imageStore(out_color, ivec2(pixel), color);
    imageStore(out_depth, ivec2(pixel), vec4(weight_sum > 0.0 ? depth_sum / weight_sum : 0.0));
  }
}
