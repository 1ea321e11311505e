// What the window shows of a rendered frame: colour over the background, expected depth in false
// colour, or alpha; and the side-by-side comparison with a dataset photograph. Produces the
// 8-bit RGBA pixels the presenter copies into the window.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/core/image.h"

namespace strata::viewer {

// 8-bit RGBA, top row first, alpha 255 (what the window shows).
struct Rgba8Image {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // width * height * 4
};

enum class ViewMode { kColor, kDepth, kAlpha, kLayers };

const char* view_name(ViewMode mode);
// "color"/"colour", "depth", "alpha", "layers"; false for anything else.
bool parse_view(const std::string& text, ViewMode* mode);

// The frame as `mode` shows it. kLayers needs a layer-id output the renderers do not have yet:
// it shows colour (see the README's viewer section).
Rgba8Image shade(const RenderOutput& frame, ViewMode mode, vec3 background);
// Colour composited over `background`, quantised as PNG files are (round to nearest).
Rgba8Image over_background_8(const Image& image, vec3 background);
// `left` and `right` (same height) side by side.
Rgba8Image side_by_side(const Rgba8Image& left, const Rgba8Image& right);
// Back to a float image (alpha 1), e.g. to write a PNG.
Image to_image(const Rgba8Image& image);

}  // namespace strata::viewer
