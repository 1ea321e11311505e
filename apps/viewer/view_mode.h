// What the window shows of a rendered frame: colour over the background, expected depth in false
// colour, alpha, or each pixel's dominant layer in false colour; and the side-by-side comparison
// with a dataset photograph. Produces the 8-bit RGBA pixels the presenter copies into the window.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
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

// The frame as `mode` shows it. kLayers colours each pixel by its label (RenderOutput::layer,
// layer_color) weighted by its alpha over `background`; a frame without labels shows colour.
Rgba8Image shade(const RenderOutput& frame, ViewMode mode, vec3 background);
// The false colour of layer label `label` (>= 0): hue steps by the golden ratio from label to
// label, so neighbouring labels are far apart; deterministic, rgb in [0, 1].
vec3 layer_color(int label);
// The false-colour image of `frame`'s labels: premultiplied layer_color(label) * alpha with the
// frame's alpha (transparent where no label); what `strata render --layers` writes. Requires
// labels (frame.layer the size of frame.color).
Image layer_false_color(const RenderOutput& frame);
// The labels (>= 0) that `frame` shows, with their pixel counts, most pixels first.
std::vector<std::pair<int, size_t>> labels_shown(const RenderOutput& frame);
// Colour composited over `background`, quantised as PNG files are (round to nearest).
Rgba8Image over_background_8(const Image& image, vec3 background);
// `left` and `right` (same height) side by side.
Rgba8Image side_by_side(const Rgba8Image& left, const Rgba8Image& right);
// Back to a float image (alpha 1), e.g. to write a PNG.
Image to_image(const Rgba8Image& image);

}  // namespace strata::viewer
