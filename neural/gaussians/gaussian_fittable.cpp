// GaussianFittable: 3D Gaussian splatting's parameters, densification and pruning on the one
// fitting loop (see gaussian_fittable.h).
#include "neural/gaussians/gaussian_fittable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "neural/core/error.h"
#include "neural/gaussians/gaussian_backward.h"
#include "neural/gaussians/gaussian_io.h"

namespace strata {

namespace {

// Per-Gaussian widths of the blocks, in buffer order (positions, log scales, rotations, opacity
// logits, SH DC, SH rest).
std::vector<size_t> block_widths(size_t k) {
  return {3, 3, 4, 1, 3, 3 * (k - 1)};
}

}  // namespace

GaussianFittable::GaussianFittable(const GaussianCloud& seed, const GaussianFitOptions& options)
    : options_(options), rng_(options.seed) {
  seed.check_consistent();
  if (seed.empty())
    throw InputError("", "seed", "a Gaussian fit needs at least one Gaussian to start from");
  if (options.sh_degree < 0 || options.sh_degree > kMaxShDegree)
    throw InputError("", "sh_degree", "expected an SH degree 0..3");
  if (!(options.scene_extent > 0.0f) || !std::isfinite(options.scene_extent))
    throw InputError("", "scene_extent", "expected a positive, finite scene size");
  options_.render.background = vec4(0.0f);  // the Fittable contract: transparent
  GaussianCloud start = seed;
  start.set_sh_degree(options.sh_degree);
  coefficients_ = start.sh_coefficients();
  active_degree_ = options.sh_increase_every > 0 ? 0 : options.sh_degree;
  read_cloud(start);
  normalise_rotations();
}

std::vector<ParameterGroup> GaussianFittable::groups() const {
  const Layout l = layout();
  const GaussianFitOptions& o = options_;
  std::vector<ParameterGroup> g = {
      {"positions", l.positions(), l.log_scales(), o.position_lr * o.scene_extent},
      {"log_scales", l.log_scales(), l.rotations(), o.scale_lr},
      {"rotations", l.rotations(), l.opacities(), o.rotation_lr},
      {"opacity_logits", l.opacities(), l.sh_dc(), o.opacity_lr},
      {"sh_dc", l.sh_dc(), l.sh_rest(), o.sh_dc_lr},
  };
  if (coefficients_ > 1) g.push_back({"sh_rest", l.sh_rest(), l.total(), o.sh_rest_lr});
  return g;
}

void GaussianFittable::read_cloud(const GaussianCloud& cloud) {
  count_ = cloud.size();
  const Layout l = layout();
  params_.assign(l.total(), 0.0f);
  float* p = params_.data();
  const size_t n = count_, k = size_t(coefficients_);
  for (size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      p[l.positions() + 3 * i + c] = cloud.positions[i][c];
      p[l.log_scales() + 3 * i + c] = cloud.log_scales[i][c];
      p[l.sh_dc() + 3 * i + c] = cloud.sh[i * k][c];
    }
    const quat& q = cloud.rotations[i];
    float* r = p + l.rotations() + 4 * i;
    r[0] = q.w, r[1] = q.x, r[2] = q.y, r[3] = q.z;
    p[l.opacities() + i] = cloud.opacity_logits[i];
    for (size_t j = 1; j < k; ++j)
      for (int c = 0; c < 3; ++c)
        p[l.sh_rest() + 3 * ((k - 1) * i + (j - 1)) + c] = cloud.sh[i * k + j][c];
  }
  grad_accum_.assign(n, 0.0f);
  grad_views_.assign(n, 0);
  max_radius_.assign(n, 0.0f);
}

void GaussianFittable::write_cloud(GaussianCloud* cloud) const {
  const Layout l = layout();
  const size_t n = count_, k = size_t(coefficients_);
  if (cloud->sh_degree != options_.sh_degree) {
    cloud->sh.clear();
    cloud->sh_degree = options_.sh_degree;
  }
  cloud->resize(n);
  const float* p = params_.data();
  for (size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      cloud->positions[i][c] = p[l.positions() + 3 * i + c];
      cloud->log_scales[i][c] = p[l.log_scales() + 3 * i + c];
      cloud->sh[i * k][c] = p[l.sh_dc() + 3 * i + c];
    }
    const float* r = p + l.rotations() + 4 * i;
    cloud->rotations[i] = quat(r[0], r[1], r[2], r[3]);
    cloud->opacity_logits[i] = p[l.opacities() + i];
    for (size_t j = 1; j < k; ++j)
      for (int c = 0; c < 3; ++c)
        cloud->sh[i * k + j][c] = p[l.sh_rest() + 3 * ((k - 1) * i + (j - 1)) + c];
  }
}

GaussianCloud GaussianFittable::cloud() const {
  GaussianCloud c;
  write_cloud(&c);
  return c;
}

void GaussianFittable::normalise_rotations() {
  float* r0 = params_.data() + layout().rotations();
  for (size_t i = 0; i < count_; ++i) {
    float* r = r0 + 4 * i;
    const float len = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3]);
    if (len > 1e-12f && std::isfinite(len)) {
      for (int c = 0; c < 4; ++c) r[c] /= len;
    } else if (std::isfinite(len)) {
      r[0] = 1.0f, r[1] = r[2] = r[3] = 0.0f;  // a collapsed quaternion: back to identity
    }
  }
}

bool GaussianFittable::diverged() const {
  const Layout l = layout();
  const float far = 1e6f * options_.scene_extent;
  for (size_t p = 0; p < params_.size(); ++p)
    if (!std::isfinite(params_[p])) return true;
  for (size_t p = l.positions(); p < l.log_scales(); ++p)
    if (std::abs(params_[p]) > far) return true;
  for (size_t p = l.log_scales(); p < l.rotations(); ++p)
    if (params_[p] > 30.0f) return true;  // e^30 m
  return false;
}

const Image& GaussianFittable::forward(const Camera& camera) {
  write_cloud(&rendered_);
  camera_ = camera;
  GaussianRenderOptions render = options_.render;
  render.max_sh_degree = active_degree_;
  RenderOutput out = render_gaussians(rendered_, camera, render, &state_);
  image_ = std::move(out.color);
  return image_;
}

void GaussianFittable::backward(const Image& dL_dimage, std::vector<float>& gradients) {
  GaussianRenderOptions render = options_.render;
  render.max_sh_degree = active_degree_;
  const GaussianGradients g = backward_gaussians(rendered_, camera_, render, state_, dL_dimage);
  const Layout l = layout();
  const size_t n = count_, k = size_t(coefficients_);
  if (gradients.size() != params_.size()) gradients.assign(params_.size(), 0.0f);
  float* d = gradients.data();
  if (diverged()) {
    // Diverged parameters are culled by the renderer (the loss would stay finite and the fit
    // would go on with nothing): poison the gradient so that the loop's NaN guard stops it.
    d[0] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (state_.projected.radii[i] <= 0) continue;  // culled: zero gradients
    for (int c = 0; c < 3; ++c) {
      d[l.positions() + 3 * i + c] += g.positions[i][c];
      d[l.log_scales() + 3 * i + c] += g.log_scales[i][c];
      d[l.sh_dc() + 3 * i + c] += g.sh[i * k][c];
    }
    const glm::qua<float>& q = g.rotations[i];
    float* r = d + l.rotations() + 4 * i;
    r[0] += q.w, r[1] += q.x, r[2] += q.y, r[3] += q.z;
    d[l.opacities() + i] += g.opacity_logits[i];
    for (size_t j = 1; j < k; ++j)
      for (int c = 0; c < 3; ++c)
        d[l.sh_rest() + 3 * ((k - 1) * i + (j - 1)) + c] += g.sh[i * k + j][c];
    // Densification statistics: the gradient of the projected mean in NDC units (pixels x size/2,
    // Inria's convention, so that 3DGS's threshold applies), and the footprint relative to the
    // view.
    const vec2 ndc(g.means2d[i].x * 0.5f * float(camera_.width),
                   g.means2d[i].y * 0.5f * float(camera_.height));
    grad_accum_[i] += glm::length(ndc);
    grad_views_[i] += 1;
    max_radius_[i] = std::max(max_radius_[i], float(state_.projected.radii[i]) /
                                                  float(std::max(camera_.width, camera_.height)));
  }
}

std::vector<long> GaussianFittable::after_step(int step) {
  normalise_rotations();
  const GaussianFitOptions& o = options_;
  if (o.sh_increase_every > 0 && step % o.sh_increase_every == 0 && active_degree_ < o.sh_degree)
    ++active_degree_;
  std::vector<long> map;
  if (step >= o.densify_until) return map;
  if (step > o.densify_from && o.densify_every > 0 && step % o.densify_every == 0)
    map = densify_and_prune(step);
  if (o.opacity_reset_every > 0 && step % o.opacity_reset_every == 0) {
    const std::vector<long> reset = reset_opacity();
    if (map.empty()) return reset;
    std::vector<long> composed(reset.size());
    for (size_t p = 0; p < reset.size(); ++p)
      composed[p] = reset[p] < 0 ? -1 : map[size_t(reset[p])];
    return composed;
  }
  return map;
}

std::vector<long> GaussianFittable::reset_opacity() {
  const Layout l = layout();
  const float cap = logit_from_opacity(0.01f);
  for (size_t i = 0; i < count_; ++i) {
    float& logit = params_[l.opacities() + i];
    logit = std::min(logit, cap);
  }
  std::vector<long> map(params_.size());
  std::iota(map.begin(), map.end(), 0L);
  for (size_t i = 0; i < count_; ++i) map[l.opacities() + i] = -1;
  return map;
}

std::vector<long> GaussianFittable::remap(const GaussianCloud& next,
                                          const std::vector<size_t>& source,
                                          const std::vector<bool>& fresh) {
  const Layout old_layout = layout();
  read_cloud(next);
  const Layout new_layout = layout();
  std::vector<long> map(params_.size(), -1);
  const std::vector<size_t> widths = block_widths(size_t(coefficients_));
  size_t old_offset = 0, new_offset = 0;
  for (size_t w : widths) {
    for (size_t j = 0; j < source.size(); ++j) {
      if (fresh[j]) continue;
      for (size_t c = 0; c < w; ++c)
        map[new_offset + j * w + c] = long(old_offset + source[j] * w + c);
    }
    old_offset += w * old_layout.n;
    new_offset += w * new_layout.n;
  }
  return map;
}

std::vector<long> GaussianFittable::densify_and_prune(int step) {
  const GaussianFitOptions& o = options_;
  const size_t n = count_;
  const GaussianCloud current = cloud();
  const float extent = o.scene_extent;
  const bool size_prune = o.opacity_reset_every > 0 && step > o.opacity_reset_every;
  DensifyStats stats;
  stats.step = step;
  stats.before = n;

  // Candidates by mean NDC gradient, largest first, as many as the cap allows (each adds one).
  std::vector<size_t> candidates;
  for (size_t i = 0; i < n; ++i)
    if (grad_views_[i] > 0 && grad_accum_[i] / float(grad_views_[i]) >= o.densify_grad_threshold)
      candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    return grad_accum_[a] / float(grad_views_[a]) > grad_accum_[b] / float(grad_views_[b]);
  });
  const size_t budget = o.max_gaussians > n ? o.max_gaussians - n : 0;
  if (candidates.size() > budget) {
    stats.capped = candidates.size() - budget;
    candidates.resize(budget);
  }
  std::sort(candidates.begin(), candidates.end());  // deterministic order of the new Gaussians
  std::vector<uint8_t> action(n, 0);                // 1: clone, 2: split
  for (size_t i : candidates) {
    const vec3 s = current.scale(i);
    action[i] = std::max(s.x, std::max(s.y, s.z)) > o.percent_dense * extent ? 2 : 1;
  }
  auto pruned = [&](float logit, const vec3& log_scale, float screen) {
    if (!(opacity_from_logit(logit) >= o.min_opacity)) return true;
    if (!size_prune) return false;
    const float largest = std::exp(std::max(log_scale.x, std::max(log_scale.y, log_scale.z)));
    if (largest > o.max_world_scale * extent) return true;
    return o.max_screen_fraction > 0.0f && screen > o.max_screen_fraction;
  };

  GaussianCloud next;
  next.sh_degree = current.sh_degree;
  std::vector<size_t> source;
  std::vector<bool> fresh;
  auto push = [&](size_t i, bool is_fresh) {
    next.positions.push_back(current.positions[i]);
    next.log_scales.push_back(current.log_scales[i]);
    next.rotations.push_back(current.rotations[i]);
    next.opacity_logits.push_back(current.opacity_logits[i]);
    next.layers.push_back(current.layers[i]);
    for (int k = 0; k < current.sh_coefficients(); ++k) next.sh.push_back(current.sh_at(i, k));
    source.push_back(i);
    fresh.push_back(is_fresh);
  };
  // Survivors keep their optimiser state; clones and split halves start fresh (3DGS).
  for (size_t i = 0; i < n; ++i) {
    if (action[i] == 2) continue;
    if (pruned(current.opacity_logits[i], current.log_scales[i], max_radius_[i])) {
      ++stats.pruned;  // (a clone of it would be pruned alike and is not made)
      continue;
    }
    push(i, false);
  }
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) {
    if (action[i] == 1 &&
        !pruned(current.opacity_logits[i], current.log_scales[i], max_radius_[i])) {
      push(i, true);
      ++stats.cloned;
    }
    if (action[i] != 2) continue;
    ++stats.split;
    const vec3 s = current.scale(i);
    const quat q = glm::normalize(current.rotations[i]);
    const mat3 r = glm::mat3_cast(q);
    const vec3 child_log_scale = current.log_scales[i] - std::log(1.6f);
    for (int half = 0; half < 2; ++half) {
      const vec3 local(normal(rng_) * s.x, normal(rng_) * s.y, normal(rng_) * s.z);
      if (pruned(current.opacity_logits[i], child_log_scale, 0.0f)) {
        ++stats.pruned;
        continue;
      }
      push(i, true);
      next.positions.back() = current.positions[i] + r * local;
      next.log_scales.back() = child_log_scale;
    }
  }
  if (next.empty()) {
    // Everything would go: keep the most opaque Gaussian so that the fit can go on (and say so
    // through the stats; a fit that lost every Gaussian has diverged anyway).
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
      if (current.opacity_logits[i] > current.opacity_logits[best]) best = i;
    push(best, false);
    --stats.pruned;
  }
  std::vector<long> map = remap(next, source, fresh);
  stats.after = count_;
  last_densify_ = stats;
  return map;
}

void GaussianFittable::save(const std::string& path) const {
  write_gaussian_ply(path, cloud());
}

std::string GaussianFittable::describe() const {
  char line[128];
  std::snprintf(line, sizeof(line), "gaussians: %zu (SH degree %d of %d)", count_, active_degree_,
                options_.sh_degree);
  return line;
}

}  // namespace strata
