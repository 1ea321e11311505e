// Layered Gaussian panoramas (LayerPano3D): equirectangular RGB(A) layers with a depth map
// each (ray distance), ordered background to foreground, lifted to 3D Gaussians around the
// eye. Every pixel becomes one Gaussian on its ray at its depth, flat along the ray and as wide
// as the pixel's solid angle at that depth, so the panorama has no holes seen from its eye; the
// layer id is kept per Gaussian, so hidden parts of the background fill in when the eye moves.
//
// Files: panorama.json + layer_0.ply, layer_1.ply, ... (Inria PLY, one per layer).
#pragma once

#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"
#include "neural/gaussians/gaussian_cloud.h"

namespace strata {

// One equirectangular layer: colour (premultiplied; alpha 0 = no content) and ray distance.
struct PanoramaLayer {
  std::string name;   // "background", "foreground", ...
  Image color;        // equirectangular, the eye camera's size
  ScalarImage depth;  // metres along the ray; <= 0 or non-finite = no content
};

struct LiftOptions {
  float footprint = 0.5f;  // Gaussian std-dev across the ray, in pixel spacings at its depth
  float thickness = 0.1f;  // std-dev along the ray, as a fraction of the cross-ray one
  float opacity = 0.99f;   // opacity of a pixel with alpha 1 (scaled by the pixel's alpha)
};

struct GaussianPanorama {
  Camera eye;                       // equirectangular camera at the eye (pose and size)
  std::vector<std::string> layers;  // layer names, id = index, background first
  GaussianCloud cloud;              // every layer's Gaussians, each with its layer id
};

// Lifts one layer: a Gaussian per pixel with content. SH degree 0 (the pixel's colour).
GaussianCloud lift_panorama_layer(const PanoramaLayer& layer, const Camera& eye, uint16_t layer_id,
                                  const LiftOptions& options = {});

// Reads an input folder laid out like room_pano: pano.json (camera_to_world or eye) and either
//  - "layers": [{"name", "image", "depth", "depth_scale"?}, ...] background first (depth as
//    float EXR in metres, or 16-bit PNG holding metres * depth_scale), or
//  - pano_full.png + pano_background.png with pano_full_depth_0001.exr and
//    pano_background_depth_0001.exr: the background layer is pano_background; the foreground
//    layer holds the pixels of pano_full that are nearer than the background (by more than
//    2 % + 2 cm), i.e. the objects.
// Throws InputError naming the file and field.
std::vector<PanoramaLayer> read_panorama_layers(const std::string& folder, Camera* eye);

// Builds the layered panorama from a folder (read_panorama_layers + lift_panorama_layer).
GaussianPanorama build_gaussian_panorama(const std::string& folder,
                                         const LiftOptions& options = {});

// Writes panorama.json and layer_<id>.ply into `folder`, each file atomically.
void save_gaussian_panorama(const GaussianPanorama& panorama, const std::string& folder);
// Reads panorama.json (or the folder holding it) and its PLY files.
GaussianPanorama load_gaussian_panorama(const std::string& path);

}  // namespace strata
