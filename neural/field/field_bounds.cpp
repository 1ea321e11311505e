#include "neural/field/field_bounds.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "neural/core/error.h"

namespace strata {

namespace {

// The corners of a camera's view frustum at depth `depth` (pinhole; distortion ignored, a box
// only needs to be roughly right).
void add_frustum(const Camera& c, float near_depth, float far_depth, Bounds3* box) {
  for (float depth : {near_depth, far_depth})
    for (int k = 0; k < 4; ++k) {
      const float px = (k & 1) ? float(c.width) : 0.0f, py = (k & 2) ? float(c.height) : 0.0f;
      const vec3 d((px - c.cx) / c.fx, -(py - c.cy) / c.fy, -1.0f);
      box->add(vec3(c.camera_to_world * vec4(d * depth, 1.0f)));
    }
}

std::string describe_box(const vec3& lo, const vec3& hi) {
  std::ostringstream s;
  s.precision(3);
  s << "[" << lo.x << ", " << hi.x << "] x [" << lo.y << ", " << hi.y << "] x [" << lo.z << ", "
    << hi.z << "]";
  return s.str();
}

}  // namespace

void fit_bounds_to_dataset(const Dataset& dataset, FieldConfig* config) {
  if (dataset.train.empty()) throw InputError(dataset.source, "frames", "no training views");
  const float kUnitHalf = 1.5f;  // NeRF-synthetic: the scene inside [-1.5, 1.5]^3
  const float unit_diagonal = 2.0f * kUnitHalf * std::sqrt(3.0f);
  config->min_step = unit_diagonal / 512.0f;
  config->cone_angle = 0.0f;

  vec3 mean_forward(0.0f), centroid(0.0f);
  bool all_pinhole = true;
  for (const DatasetFrame& f : dataset.train) {
    mean_forward += f.camera.forward();
    centroid += f.camera.position();
    all_pinhole &= f.camera.projection == Projection::kPinhole;
  }
  mean_forward /= float(dataset.train.size());
  centroid /= float(dataset.train.size());
  // cos 35 degrees: every camera's view axis close to a common direction.
  const bool forward_facing = glm::length(mean_forward) > 0.82f;

  Bounds3 box;
  std::string rule;
  if (all_pinhole && dataset.near_depth > 0.0f && dataset.far_depth > dataset.near_depth) {
    for (const DatasetFrame& f : dataset.train)
      add_frustum(f.camera, dataset.near_depth, dataset.far_depth, &box);
    rule = "LLFF near/far: training frustums between depth " + std::to_string(dataset.near_depth) +
           " and " + std::to_string(dataset.far_depth);
    config->near = 0.9f * dataset.near_depth;
  } else if (all_pinhole && forward_facing && dataset.aabb_scale == 1.0f) {
    const float far = std::max(2.0f * glm::length(centroid), 1e-3f);
    for (const DatasetFrame& f : dataset.train) {
      add_frustum(f.camera, 0.01f * far, far, &box);
      box.add(f.camera.position());
    }
    rule = "forward-facing: training frustums out to " + std::to_string(far) +
           " (twice the cameras' distance to the origin)";
    config->near = 0.01f * far;
  } else {
    const float half = kUnitHalf * dataset.aabb_scale;
    box.add(vec3(-half));
    box.add(vec3(half));
    rule = "object: [-1.5, 1.5]^3 x aabb_scale " + std::to_string(dataset.aabb_scale);
    config->near = 0.05f;
  }
  // A little margin so that surfaces on the box's faces stay inside.
  const vec3 pad = 0.01f * box.extent();
  config->box_lo = box.lo - pad;
  config->box_hi = box.hi + pad;
  const float diagonal = glm::length(config->box_hi - config->box_lo);
  if (diagonal > 1.5f * unit_diagonal) {
    // Steps grow with distance: instant-ngp's 1/256, or four pixels' angle if the images are
    // coarser than that (a downscaled capture gains nothing from finer steps).
    std::vector<float> pixel_angles;
    for (const DatasetFrame& f : dataset.train)
      if (f.camera.projection == Projection::kPinhole) pixel_angles.push_back(1.0f / f.camera.fy);
    float pixel_angle = 0.0f;
    if (!pixel_angles.empty()) {
      std::nth_element(pixel_angles.begin(), pixel_angles.begin() + long(pixel_angles.size() / 2),
                       pixel_angles.end());
      pixel_angle = pixel_angles[pixel_angles.size() / 2];
    }
    config->cone_angle = std::clamp(4.0f * pixel_angle, 1.0f / 256.0f, 1.0f / 32.0f);
  }
  config->max_step = std::max(config->min_step, diagonal / 128.0f);
  // A young field's density: 1 in the [-1.5, 1.5]^3 cube (instant-ngp), thinner in proportion for
  // larger boxes, so that rays see deep into the scene at first and every depth gets gradient
  // (with density 1 across the fox's 12 m box, nothing beyond the first metres is ever learnt).
  config->density_bias = std::min(0.0f, -std::log(diagonal / unit_diagonal));
  config->bounds_rule = rule + "; box " + describe_box(config->box_lo, config->box_hi);
}

}  // namespace strata
