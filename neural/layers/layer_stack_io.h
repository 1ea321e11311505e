// layers.json: a LayerStack as JSON plus one PNG per layer.
//
// {
//   "version": 1, "kind": "layers", "width": 640, "height": 480, "fov_y_deg": 50,
//   "layers": [{"name": "sky", "image": "sky.png", "opacity": 1.0, "visible": true,
//               "blend": "normal", "offset": [0, 0], "depth": 12.0,
//               "width": 640, "height": 480}, ...]      // back (bottom) layer first
// }
// Only "image" is required per layer. "blend" is one of normal, premultiplied (the PNG holds
// premultiplied colour), multiply, screen, add. "width"/"height", when present, must match the
// PNG. "depth" (metres) makes the layer a card in 3D.
#pragma once

#include <string>

#include "neural/layers/layer_stack.h"

namespace strata {

// Reads a layers.json file, or the layers.json inside a folder. Throws InputError naming the
// file and field (missing image, size mismatch, unknown blend mode, bad opacity or depth...).
LayerStack load_layer_stack(const std::string& path);

// Writes layers.json and layer_XX.png (straight alpha; premultiplied layers are written with
// blend "premultiplied" and premultiplied colour) into `folder`, each file atomically.
void save_layer_stack(const LayerStack& stack, const std::string& folder);

}  // namespace strata
