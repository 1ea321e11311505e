// Declarations and camera math shared by the two planes passes (planes_tiles.comp and
// planes.comp). Included after planes_shared.h.

layout(push_constant) uniform PushBlock {
  PlanesPush pc;
};

// GpuPlane records as RGBA32F texels, kPlaneTexels per plane.
layout(set = 0, binding = kPlanesBindingPlanes) uniform samplerBuffer plane_texels;
const int kPlaneTexels = 4;
vec4 plane_normal(uint i) { return texelFetch(plane_texels, int(i) * kPlaneTexels + 0); }
vec4 plane_u_dual(uint i) { return texelFetch(plane_texels, int(i) * kPlaneTexels + 1); }
vec4 plane_v_dual(uint i) { return texelFetch(plane_texels, int(i) * kPlaneTexels + 2); }

// GpuPlane::texture unpacked.
struct PlaneTexture {
  uint first;      // first texel in the texel buffer
  ivec2 size;      // texels
  uvec2 blocks;    // blocks across and down
  uint flags;      // kPlaneStraightAlpha...
  uint occupancy;  // first entry of the occupancy table
};
PlaneTexture plane_texture(uint i) {
  const uvec4 t = floatBitsToUint(texelFetch(plane_texels, int(i) * kPlaneTexels + 3));
  PlaneTexture p;
  p.first = t.x;
  p.size = ivec2(t.y & 0xffffu, t.y >> 16);
  p.blocks = (uvec2(p.size) + kPlanesBlock - 1) / kPlanesBlock;
  p.flags = t.z;
  p.occupancy = t.w;
  return p;
}

const float kPi = 3.14159265358979323846;

// Unit direction in the camera's frame through image point `pixel` (pixels): Camera's
// direction_in_camera (neural/core/camera.cpp), written the same way so both agree to rounding.
vec3 direction_in_camera(vec2 pixel) {
  if (pc.image.z == kProjectionEquirectangular) {
    const float phi = (pixel.x / float(pc.image.x) - 0.5) * 2.0 * kPi;
    const float theta = (0.5 - pixel.y / float(pc.image.y)) * kPi;
    return vec3(cos(theta) * sin(phi), sin(theta), -cos(theta) * cos(phi));
  }
  return normalize(vec3((pixel.x - pc.intrinsics.z) / pc.intrinsics.x,
                        -(pixel.y - pc.intrinsics.w) / pc.intrinsics.y, -1.0));
}

// Camera-space direction to world space (the pose's rotation; no renormalisation, as on the CPU).
vec3 to_world(vec3 d) {
  return pc.rotation0.xyz * d.x + pc.rotation1.xyz * d.y + pc.rotation2.xyz * d.z;
}
