// Baking shell textures from a radiance field (the closed form that starts a fit, as DESIGN.md
// asks): each texel of shell k is a point on the base surface p (with its interpolated normal n)
// and shell k covers the slab of offsets between the midpoints to its neighbouring shells. Its
// alpha is 1 - exp(-integral of density over that slab along n), its colour the field's
// volume-rendered colour over the slab seen along -n (looking into the surface).
#pragma once

#include <string>

#include "neural/field/radiance_field.h"
#include "neural/shells/shell_volume.h"

namespace strata {

struct ShellBakeOptions {
  int samples_per_slab = 8;  // density samples along n per texel and shell
  int dilate = 4;            // texel rings filled beyond UV chart borders (bilinear seams)
  bool progress = true;      // progress bar on stderr
};

// Overwrites every texture of `shells` (validated; item space = the field's world space) from
// `field`. Texels that no triangle covers stay transparent, except the `dilate` rings around
// charts, which copy their covered neighbours.
void bake_shells_from_field(ShellVolume& shells, const RadianceField& field,
                            const ShellBakeOptions& options = {});

// Per texel of a width x height texture: the base triangle that covers its centre in UV space
// (-1: none) and the barycentric coordinates of the centre in it.
struct TexelSurface {
  std::vector<int> triangle;      // width * height, row-major
  std::vector<vec3> barycentric;  // width * height
};
TexelSurface texel_surface(const TriangleMesh& base, int width, int height);

// Fills texels of `image` whose `covered` flag is false and that touch covered ones, `rings`
// times (the average of covered 8-neighbours); the flags of filled texels are set.
void dilate_texels(Image& image, std::vector<bool>& covered, int rings);

}  // namespace strata
