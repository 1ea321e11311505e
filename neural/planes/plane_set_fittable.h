// A PlaneSet as a Fittable (neural/fit/fittable.h): the poses stay, the textures are fitted.
// Parameters: per texel a straight colour and an alpha, each through a sigmoid (so every value
// the optimiser reaches is a valid texel): premultiplied texel = (sigmoid(r) sigmoid(a), ...,
// sigmoid(a)). Layout: all planes' colour logits (3 per texel), then all alpha logits (1 per
// texel); groups "colour" and "alpha".
#pragma once

#include <string>
#include <vector>

#include "neural/fit/fittable.h"
#include "neural/planes/plane_set.h"
#include "neural/planes/plane_set_backward.h"

namespace strata {

class PlaneSetFittable : public Fittable {
 public:
  // Starts from `planes`' textures (straight colour and alpha clamped into (0, 1) first).
  // Learning rates are those of the two groups.
  explicit PlaneSetFittable(PlaneSet planes, float color_learning_rate = 0.05f,
                            float alpha_learning_rate = 0.05f);

  std::vector<float>& parameters() override { return params_; }
  std::vector<ParameterGroup> groups() const override;
  const Image& forward(const Camera& camera) override;
  void backward(const Image& dL_dimage, std::vector<float>& gradients) override;
  // Writes planes.json and the PNGs into the folder `path` (plane_set_io.h).
  void save(const std::string& path) const override;
  std::string describe() const override;

  // The planes with textures from the current parameters.
  const PlaneSet& planes() const;

 private:
  void update_textures() const;  // parameters -> premultiplied textures

  mutable PlaneSet planes_;
  std::vector<float> params_;
  mutable std::vector<float> applied_;  // the parameters the textures were last computed from
  std::vector<size_t> texel_offset_;    // first texel of each plane in the texel numbering
  size_t texels_ = 0;
  float color_lr_, alpha_lr_;
  Camera last_camera_;
  Image last_render_;
  std::vector<TextureGradient> texture_gradients_;
};

}  // namespace strata
