// Fittable: what every representation brings to the one fitting loop (neural/fit/fit_loop.h):
// its parameters in one flat buffer (tiny-cuda-nn's shape: the optimiser owns the moments, the
// representation the parameters), a forward render and the backward pass of that render.
// The loop owns the loss, the optimiser (neural/optim/adam.h), the schedule, evaluation,
// checkpoints and the NaN guard; a Fittable owns nothing of that.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "neural/core/camera.h"
#include "neural/core/image.h"

namespace strata {

// A contiguous range of the flat parameter buffer that shares one base learning rate.
struct ParameterGroup {
  std::string name;             // e.g. "positions", "textures"
  size_t begin = 0;             // first parameter index
  size_t end = 0;               // one past the last
  float learning_rate = 1e-2f;  // base Adam step size for the group
};

class Fittable {
 public:
  virtual ~Fittable() = default;

  // The flat parameter buffer the optimiser updates in place (the same vector every call; a
  // call says the caller may write it); its size may change only inside after_step
  // (densification), never between forward and backward.
  virtual std::vector<float>& parameters() = 0;
  // Ranges of parameters() with their learning rates; they tile [0, parameters().size()).
  virtual std::vector<ParameterGroup> groups() const = 0;

  // Renders `camera` (premultiplied RGBA over a transparent background) and keeps what
  // backward() needs. The loop may pass a cropped camera (a patch of a view).
  virtual const Image& forward(const Camera& camera) = 0;
  // For the last forward(): adds dL/d(parameter) to `gradients` (parameters().size() floats),
  // given dL/d(r, g, b, a) of each rendered pixel.
  virtual void backward(const Image& dL_dimage, std::vector<float>& gradients) = 0;

  // Optional, for representations whose views each touch a small part of a large buffer (shell
  // textures): the indices of the parameters whose gradients the backward() calls since the
  // last after_step() may have made non-zero (no repeats), or nullptr (the default: any may).
  // When the loop takes the list it reads, updates and clears only those gradients and changes
  // only those parameters before the next after_step(); its optimiser is sparse, so the step is
  // the one a whole-buffer step would take.
  virtual const std::vector<size_t>* touched_parameters() { return nullptr; }

  // Called after every optimiser step (1-based `step`): project parameters back to their
  // domain (clamp, normalise). May densify or prune: then it resizes parameters() and returns
  // for each new parameter the index of the old one whose optimiser state it inherits (-1: a
  // fresh state); returns an empty vector when the layout did not change.
  virtual std::vector<long> after_step(int step) {
    (void)step;
    return {};
  }

  // Writes the representation in its own file format (atomically); for checkpoints and output.
  virtual void save(const std::string& path) const = 0;
  // One line for logs: kind and size, e.g. "gaussians: 120431" or "planes: 32 x 512x512".
  virtual std::string describe() const = 0;
};

}  // namespace strata
