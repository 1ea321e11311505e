// ShellVolume as a Fittable (neural/fit/fittable.h): the parameters are the shell textures —
// first the straight colours r, g, b of every texel (shell by shell, kept in [0, 1] by
// after_step), then the logit of every texel's alpha (alpha = sigmoid(logit), never leaving
// (0, 1)); two groups with their own rates. The mesh and offsets stay fixed.
// The renderer samples premultiplied texels (r a, g a, b a, a), as the file and every renderer do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neural/fit/fittable.h"
#include "neural/shells/shell_render.h"
#include "neural/shells/shell_volume.h"

namespace strata {

struct ShellFitRates {
  float color = 0.02f;      // Adam step for the straight colours
  float alpha = 0.1f;       // Adam step for the alpha logits
  float distortion = 0.0f;  // weight of the distortion loss (shell_backward.h), per pixel, with
                            // depths in units of the shells' span: 0 leaves alpha free to spread
};

class ShellFittable : public Fittable {
 public:
  // Takes `initial` (validated); its textures become the starting parameters (alpha clamped to
  // [1e-4, 1 - 1e-4] so its logit is finite).
  explicit ShellFittable(ShellVolume initial, ShellFitRates rates = {});

  std::vector<float>& parameters() override;
  std::vector<ParameterGroup> groups() const override;
  const Image& forward(const Camera& camera) override;
  void backward(const Image& dL_dimage, std::vector<float>& gradients) override;
  // The texels the step's views sampled (through the trace's bilinear taps), as parameters.
  const std::vector<size_t>* touched_parameters() override;
  std::vector<long> after_step(int step) override;
  void save(const std::string& path) const override;  // a shells folder (shells_io.h)
  std::string describe() const override;

  // The shells with the current parameters' textures.
  const ShellVolume& shells() const;

 private:
  void update_textures() const;  // params -> premultiplied textures, when stale
  void update_texel(size_t j) const;

  mutable ShellVolume shells_;
  ShellFitRates rates_;
  size_t texels_ = 0;                         // per shell
  std::vector<float> params_;                 // 3 colours per texel, then 1 alpha logit per texel
  mutable bool textures_stale_ = false;       // every texel may differ from params_
  mutable std::vector<size_t> stale_texels_;  // or only these (a listed step changed them)
  RenderOutput last_;
  ShellRenderTrace trace_;
  std::vector<vec4> texel_gradients_;    // zero but for the step's texels
  std::vector<uint64_t> touched_bits_;   // per texel (all shells): touched in this step
  std::vector<size_t> step_texels_;      // the same texels, ascending
  std::vector<size_t> step_parameters_;  // their parameters, for touched_parameters()
  bool listed_step_ = false;             // the loop took the list: only those parameters moved
};

}  // namespace strata
