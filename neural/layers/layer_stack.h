// LayerStack: ordered 2D RGBA layers (back to front) with opacity, visibility and a blend mode.
// A layer with a depth becomes a card in 3D: a rectangle facing the stack's reference camera,
// covering the layer's pixels at that depth.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"

namespace strata {

enum class BlendMode {
  kNormal,         // straight-alpha PNG, composited "over"
  kPremultiplied,  // PNG colour already multiplied by alpha, composited "over"
  kMultiply,       // result = below * layer colour, weighted by the layer's alpha
  kScreen,         // result = 1 - (1 - below)(1 - layer colour), weighted by alpha
  kAdd,            // result = below + layer colour * alpha
};

// "normal", "premultiplied", "multiply", "screen", "add"; nullopt for anything else.
std::optional<BlendMode> parse_blend_mode(const std::string& name);
const char* blend_mode_name(BlendMode mode);

struct Layer {
  std::string name;      // for people
  std::string file;      // image file name relative to the stack's folder
  Image image;           // premultiplied RGBA
  ivec2 offset{0, 0};    // canvas pixel of the image's top-left corner
  float opacity = 1.0f;  // multiplies alpha, in [0, 1]
  bool visible = true;   // hidden layers are skipped everywhere
  BlendMode blend = BlendMode::kNormal;
  std::optional<float> depth;  // metres from the reference camera along its axis (> 0)
};

struct LayerStack {
  int width = 0;              // canvas, pixels
  int height = 0;             // canvas, pixels
  float fov_y_deg = 50.0f;    // vertical field of view of the reference camera
  std::vector<Layer> layers;  // index 0 is the back (bottom) layer

  // The pinhole camera at the origin looking down -z that sees the canvas.
  Camera reference_camera() const;
  // Checks sizes, opacities and depths; throws InputError naming `where` and the layer.
  void validate(const std::string& where) const;
};

// Composites the visible layers back to front onto a transparent canvas (premultiplied).
Image composite(const LayerStack& stack);

}  // namespace strata
