// strata convert: turns one representation into another. `convert pano DIR --out OUT` lifts
// equirectangular layers with depth to a layered Gaussian panorama (LayerPano3D).
#include <cstdio>

#include <chrono>
#include "apps/strata/commands.h"

#include "neural/panorama/gaussian_panorama.h"

namespace strata::cli {

namespace {

struct PanoOptions {
  std::string input;
  std::string out;
  LiftOptions lift;
};

void run_convert_pano(const PanoOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const GaussianPanorama panorama = build_gaussian_panorama(o.input, o.lift);
  save_gaussian_panorama(panorama, o.out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("lifted %zu Gaussians in %zu layers from a %dx%d panorama in %.2f s\n",
              panorama.cloud.size(), panorama.layers.size(), panorama.eye.width,
              panorama.eye.height, seconds);
  for (size_t l = 0; l < panorama.layers.size(); ++l) {
    size_t count = 0;
    for (uint16_t id : panorama.cloud.layers) count += id == l;
    std::printf("  layer_%zu.ply  %-12s %zu Gaussians\n", l, panorama.layers[l].c_str(), count);
  }
  std::printf("wrote %s/panorama.json; view it with: strata render %s --eye --out DIR\n",
              o.out.c_str(), o.out.c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
  CLI::App* convert = app.add_subcommand("convert", "Convert one representation into another");
  convert->require_subcommand(1);
  auto pano = std::make_shared<PanoOptions>();
  CLI::App* command = convert->add_subcommand("pano",
                                              "Lift equirectangular layers with depth to a layered "
                                              "Gaussian panorama (panorama.json + layer_N.ply)");
  command
      ->add_option(
          "input", pano->input,
          "Folder with pano.json and its layers (or pano_full/pano_background + depth EXRs)")
      ->required();
  command->add_option("--out", pano->out, "Output folder")->required();
  command
      ->add_option("--footprint", pano->lift.footprint,
                   "Gaussian width across the ray, in pixel spacings")
      ->capture_default_str();
  command
      ->add_option("--thickness", pano->lift.thickness,
                   "Gaussian depth along the ray, relative to its width")
      ->capture_default_str();
  command->callback([pano] { run_convert_pano(*pano); });
}

}  // namespace strata::cli
