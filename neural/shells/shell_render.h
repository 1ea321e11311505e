// The CPU reference renderer for shells: every shell's triangles are rasterised (pinhole
// projection, top-left fill rule so shared edges are drawn once, triangles clipped at a near
// plane, perspective-correct UVs), each pixel keeps its list of fragments, sorts it by depth and
// composites front to back (C += T c, T *= 1 - a; stop once T < 1e-4) — DESIGN.md's rule, so
// crossing shells are ordered per pixel. Multithreaded over 16x16 tiles.
#pragma once

#include <cstdint>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/shells/shell_volume.h"

namespace strata {

// One composited fragment: where a pixel's ray met a shell.
struct ShellFragment {
  float depth;     // Camera::depth_of_hit (z-depth), metres
  float u, v;      // texture coordinates in [0,1]^2 (v down), perspective-correct
  uint32_t shell;  // shell index
};

// What the backward pass needs from a forward render: each pixel's fragments, front to back,
// only those that were composited (the early stop is part of the forward).
struct ShellRenderTrace {
  int width = 0, height = 0;             // the camera's size, pixels
  std::vector<uint32_t> pixel_begin;     // width*height+1 offsets into fragments
  std::vector<ShellFragment> fragments;  // pixel by pixel (row-major), front to back
};

// The near plane: triangles are clipped at this z-depth (metres) in front of the camera.
constexpr float kShellNearDepth = 1e-3f;

// Renders `shells` (item space = world space) seen by `camera`. Colour premultiplied RGBA;
// depth is the expected depth (sum w_i d_i / sum w_i, w_i = T_i a_i; 0 where nothing was hit).
// Precondition: shells.validate() passes. Throws InputError for a non-pinhole camera (lens
// distortion is ignored). When `trace` is given it receives the fragments for backward. With
// `want_layers`, RenderOutput::layer holds per pixel the shell index with the largest w_i (-1:
// none).
RenderOutput render_shells(const ShellVolume& shells, const Camera& camera,
                           ShellRenderTrace* trace = nullptr, bool want_layers = false);

// The four texels and weights of Image::sample_bilinear(s, t) on a width x height texture
// (identical arithmetic): sample = sum weights[i] * texel(index[i]), index = y * width + x.
void bilinear_taps(int width, int height, float s, float t, int index[4], float weight[4]);

}  // namespace strata
