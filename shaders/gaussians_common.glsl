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

// Tiles a touched-tile rectangle spans across (the range may wrap the panorama seam).
uint rect_span_x(ivec4 r) {
  return r.x <= r.z ? uint(r.z - r.x + 1) : uint(int(tiles_x()) - r.x + r.z + 1);
}
