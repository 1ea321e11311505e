// Declarations shared by the Gaussian passes (shaders/gaussians_*.comp). Included after
// gaussians_shared.h.

layout(push_constant) uniform PushBlock {
  GaussiansPush pc;
};

// GpuProjected records, kGaussProjectedTexels texels each (floats stored as their bits).
layout(set = 0, binding = kGaussBindingProjected, rgba32ui) uniform uimageBuffer projected;

uint tiles_x() { return pc.params.x; }
uint tiles_y() { return pc.params.y; }
bool wraps() { return pc.image.z == kGaussProjectionEquirect; }

// Index of this invocation in a per-Gaussian pass (2D dispatch: rows of at most 65535 groups).
uint gaussian_index() {
  return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * STRATA_GAUSS_GROUP +
         gl_LocalInvocationIndex;
}

// d = mean - pixel centre along x; across the panorama seam where the image wraps.
float wrap_dx(float dx) {
  const float width = float(pc.image.x);
  if (!wraps()) return dx;
  return dx > 0.5 * width ? dx - width : (dx < -0.5 * width ? dx + width : dx);
}

// The bit of the 8-pixel slice (half a tile row: bit 2 row + half) that holds tile pixel `local`.
uint slice_bit(uvec2 local) { return 1u << (local.y * 2u + local.x / 8u); }

// Tiles a touched-tile rectangle spans across (the range may wrap the panorama seam).
uint rect_span_x(ivec4 r) {
  return r.x <= r.z ? uint(r.z - r.x + 1) : uint(int(tiles_x()) - r.x + r.z + 1);
}
