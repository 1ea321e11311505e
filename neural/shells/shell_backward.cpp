#include "neural/shells/shell_backward.h"

#include <algorithm>
#include <cmath>

#include "neural/core/error.h"
#include "neural/core/parallel.h"

namespace strata {

void shells_backward(const ShellVolume& shells, const ShellRenderTrace& trace,
                     const Image& dL_dimage, std::vector<vec4>& texel_gradients,
                     std::vector<uint64_t>* touched_texels, const ShellDistortion& distortion) {
  if (dL_dimage.width != trace.width || dL_dimage.height != trace.height)
    throw std::invalid_argument("shells_backward: gradient image size differs from the render");
  const int tw = shells.texture_width(), th = shells.texture_height();
  const size_t texels = size_t(tw) * th;
  if (texel_gradients.size() != texels * shells.shell_count())
    texel_gradients.assign(texels * shells.shell_count(), vec4(0.0f));

  // Per fragment dL/d(sampled premultiplied colour), in parallel over pixels. Output
  // C = sum T_i c_i, A = sum T_i a_i, T_i = prod_{j<i} (1 - a_j):
  //   dL/dc_i.rgb = T_i g.rgb,  dL/da_i = T_i (g.a - R_{i+1}) (+ the rgb term through c_i.a
  //   is part of c_i itself), R_i = g.rgb·c_i.rgb + g.a a_i + (1 - a_i) R_{i+1}, R_n = 0.
  // The distortion D = k sum_ij w_i w_j e_ij (k: the weight, e_ij = min(1, |d_i - d_j| / scale))
  // adds to dL/da_k T_k (G_k - Q_{k+1}), G_i = dD/dw_i = 2 k sum_j w_j e_ij, Q_i = G_i a_i +
  // (1 - a_i) Q_{i+1}: the colour's recursion, as w_i = T_i a_i and T_i holds (1 - a_k), k < i.
  const float inverse_scale = 1.0f / distortion.depth_scale;
  const bool distorted = distortion.weight > 0.0f;
  std::vector<vec4> fragment_gradients(trace.fragments.size());
  const size_t pixels = size_t(trace.width) * trace.height;
  parallel_for(pixels, 1024, [&](size_t begin, size_t end) {
    std::vector<vec4> colors;
    std::vector<float> transmittance, pull;
    for (size_t p = begin; p < end; ++p) {
      const uint32_t first = trace.pixel_begin[p], last = trace.pixel_begin[p + 1];
      if (first == last) continue;
      const vec4 g = dL_dimage.pixels[p];
      colors.clear();
      transmittance.clear();
      float t = 1.0f;
      for (uint32_t i = first; i < last; ++i) {
        const ShellFragment& f = trace.fragments[i];
        colors.push_back(shells.textures[f.shell].sample_bilinear(f.u, f.v));
        transmittance.push_back(t);
        t *= 1.0f - colors.back().a;
      }
      const size_t n = colors.size();
      pull.assign(n, 0.0f);  // G_i
      if (distorted)
        for (size_t i = 0; i < n; ++i)
          for (size_t j = 0; j < n; ++j)
            pull[i] += 2.0f * distortion.weight * transmittance[j] * colors[j].a *
                       std::min(1.0f, std::abs(trace.fragments[first + i].depth -
                                               trace.fragments[first + j].depth) *
                                          inverse_scale);
      float behind = 0.0f, pulled = 0.0f;  // R_{i+1}, Q_{i+1}
      for (size_t i = n; i-- > 0;) {
        const vec4 c = colors[i];
        const float ti = transmittance[i];
        fragment_gradients[first + i] =
            vec4(ti * vec3(g), ti * (g.a - behind) + ti * (pull[i] - pulled));
        behind = glm::dot(vec3(g), vec3(c)) + g.a * c.a + (1.0f - c.a) * behind;
        pulled = pull[i] * c.a + (1.0f - c.a) * pulled;
      }
    }
  });

  // Scatter through the bilinear taps, in fragment order (deterministic).
  for (size_t i = 0; i < trace.fragments.size(); ++i) {
    const ShellFragment& f = trace.fragments[i];
    int index[4];
    float weight[4];
    bilinear_taps(tw, th, f.u, f.v, index, weight);
    vec4* shell_gradients = texel_gradients.data() + f.shell * texels;
    for (int j = 0; j < 4; ++j) shell_gradients[index[j]] += weight[j] * fragment_gradients[i];
    if (touched_texels)
      for (int j = 0; j < 4; ++j) {
        const size_t t = f.shell * texels + size_t(index[j]);
        (*touched_texels)[t >> 6] |= uint64_t(1) << (t & 63);
      }
  }
}

double shells_distortion(const ShellVolume& shells, const ShellRenderTrace& trace,
                         float depth_scale) {
  double sum = 0.0;
  std::vector<float> weight, depth;
  for (size_t p = 0; p + 1 < trace.pixel_begin.size(); ++p) {
    weight.clear();
    depth.clear();
    float t = 1.0f;
    for (uint32_t i = trace.pixel_begin[p]; i < trace.pixel_begin[p + 1]; ++i) {
      const ShellFragment& f = trace.fragments[i];
      const float a = shells.textures[f.shell].sample_bilinear(f.u, f.v).a;
      weight.push_back(t * a);
      depth.push_back(f.depth / depth_scale);  // in units of the scale
      t *= 1.0f - a;
    }
    for (size_t i = 0; i < weight.size(); ++i)
      for (size_t j = 0; j < weight.size(); ++j)
        sum += double(weight[i]) * weight[j] * std::min(1.0f, std::abs(depth[i] - depth[j]));
  }
  return sum;
}

}  // namespace strata
