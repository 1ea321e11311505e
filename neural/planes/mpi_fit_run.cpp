#include "neural/planes/mpi_fit_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "neural/core/error.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_bounds.h"
#include "neural/field/field_render.h"
#include "neural/field/fit.h"
#include "neural/fit/fit_views.h"
#include "neural/planes/field_to_mpi.h"
#include "neural/planes/plane_refine.h"
#include "neural/planes/plane_set_fittable.h"
#include "neural/planes/plane_set_render.h"
#include "neural/scene/scene_render.h"

namespace strata {

namespace {

void say(const PlanesRunOptions& o, const std::string& text) {
  if (o.progress) std::fprintf(stderr, "%s\n", text.c_str());
}

// Indices of the cameras whose viewing direction is within `degrees` of the reference's.
std::vector<size_t> near_views(const std::vector<Camera>& cameras, const Camera& reference,
                               float degrees) {
  std::vector<size_t> out;
  const float cos_max = std::cos(glm::radians(degrees));
  for (size_t i = 0; i < cameras.size(); ++i)
    if (glm::dot(cameras[i].forward(), reference.forward()) >= cos_max) out.push_back(i);
  return out;
}

template <typename T>
std::vector<T> pick(const std::vector<T>& all, const std::vector<size_t>& which) {
  std::vector<T> out;
  for (size_t i : which) out.push_back(all[i]);
  return out;
}

// The S-MPI's depth views: the given renders' depth and alpha.
std::vector<DepthView> depth_views(const std::vector<Camera>& cameras,
                                   const std::vector<RenderOutput>& renders) {
  std::vector<DepthView> views;
  for (size_t i = 0; i < cameras.size(); ++i) {
    DepthView v;
    v.camera = cameras[i];
    v.depth = renders[i].depth;
    v.weight = ScalarImage(renders[i].color.width, renders[i].color.height);
    for (size_t k = 0; k < v.weight.values.size(); ++k)
      v.weight.values[k] = renders[i].color.pixels[k].a;
    views.push_back(std::move(v));
  }
  return views;
}

FitLoopOptions share_of(const FitLoopOptions& loop, float share) {
  FitLoopOptions o = loop;
  o.checkpoint_path.clear();
  o.eval_every = 0;
  if (o.steps > 0) o.steps = std::max(1, int(float(o.steps) * share));
  if (o.minutes > 0.0) o.minutes *= double(share);
  if (o.steps == 0 && o.minutes == 0.0) o.steps = std::max(1, int(1000.0f * share));
  return o;
}

FitLoopOptions rest_of(const FitLoopOptions& loop, float share) {
  FitLoopOptions o = loop;
  if (o.steps > 0) o.steps = std::max(1, o.steps - int(float(o.steps) * share));
  if (o.minutes > 0.0) o.minutes *= double(1.0f - share);
  if (o.steps == 0 && o.minutes == 0.0) o.steps = std::max(1, 1000 - int(1000.0f * share));
  return o;
}

// The S-MPI's depth when fitting photographs: a radiance field trained on them for `share`'s
// minutes (or that many field steps) in the dataset's box, rendered at the training views. A
// field's depth holds on textureless walls where a small MPI's wanders between its planes.
std::vector<RenderOutput> depth_from_field(const Dataset& dataset,
                                           const std::vector<FitView>& train,
                                           const FitLoopOptions& share, const PlanesRunOptions& o) {
  FitOptions f;
  // A few hundred field steps at least, unless the whole run is shorter than that.
  f.steps = share.minutes > 0.0 ? 0 : std::max(share.steps, std::min(400, o.loop.steps));
  f.minutes = share.minutes;
  f.checkpoint_seconds = 0.0;
  f.progress = o.progress;
  f.trainer.seed = o.loop.seed;
  FieldConfig config = f.config;
  fit_bounds_to_dataset(dataset, &config);
  config.grid_resolution = config.cone_angle > 0.0f ? 128 : 64;
  config.dataset_downscale = o.downscale;
  RadianceField field = create_field(config, o.loop.seed);
  std::vector<TrainView> views;
  for (const FitView& v : train) views.push_back(TrainView{v.camera, v.image});
  say(o, "structural MPI: fitting a radiance field to the photographs for the planes' depth");
  train_field(field, std::move(views), nullptr, {}, f, "depth field");
  std::vector<RenderOutput> renders;
  FieldRenderOptions median;
  median.median_depth = true;  // the first surface: planes fitted to blurred depth tilt
  for (const FitView& v : train) renders.push_back(render_field(field, v.camera, median));
  return renders;
}

}  // namespace

void check_cameras_see(const Bounds3& bounds, const std::vector<Camera>& cameras,
                       const std::string& where) {
  if (bounds.empty()) return;
  for (const Camera& c : cameras)
    for (int corner = 0; corner < 9; ++corner) {
      const vec3 p = corner == 8 ? bounds.center()
                                 : vec3((corner & 1) ? bounds.hi.x : bounds.lo.x,
                                        (corner & 2) ? bounds.hi.y : bounds.lo.y,
                                        (corner & 4) ? bounds.hi.z : bounds.lo.z);
      vec2 pixel;
      float depth;
      if (c.project(p, &pixel, &depth) && pixel.x >= 0.0f && pixel.y >= 0.0f &&
          pixel.x <= float(c.width) && pixel.y <= float(c.height))
        return;
    }
  char text[256];
  std::snprintf(text, sizeof text,
                "no camera sees the scene's bounds [%.3g %.3g %.3g]..[%.3g %.3g %.3g]; expected "
                "cameras that look at it",
                bounds.lo.x, bounds.lo.y, bounds.lo.z, bounds.hi.x, bounds.hi.y, bounds.hi.z);
  throw InputError(where, "cameras", text);
}

PlanesRunReport run_planes_fit(const PlanesRunOptions& o) {
  if (o.out.empty()) throw InputError("", "--out", "expected an output folder");
  if (o.planes < 1) throw InputError("", "--planes", "expected a plane count >= 1");
  if (o.data.empty() && o.camera_path.empty())
    throw InputError("", "DATA", "expected a dataset (or, converting, --camera-path)");
  PlanesRunReport report;
  const bool convert = !o.teacher.empty();

  // Cameras and views.
  Dataset dataset;
  std::vector<Camera> train_cameras;
  if (!o.data.empty()) {
    dataset = load_pinhole_dataset(o.data, o.downscale, o.test_every, "planes");
    train_cameras = frame_cameras(dataset.train);
  }
  Scene teacher;
  if (convert) teacher = load_scene(o.teacher);

  Camera reference;
  std::vector<FitView> train, test;
  std::vector<size_t> test_indices;  // dataset test views scored
  if (!o.camera_path.empty()) {
    const CameraPath path = read_camera_path(o.camera_path);
    const int w =
        path.width > 0 ? path.width : (train_cameras.empty() ? 256 : train_cameras[0].width);
    const int h =
        path.height > 0 ? path.height : (train_cameras.empty() ? 256 : train_cameras[0].height);
    const std::vector<Camera> cameras = cameras_along_path(path, std::max(1, o.views), w, h);
    reference = cameras[size_t(reference_camera_index(cameras))];
    if (convert) check_cameras_see(teacher.bounds(), cameras, o.camera_path);
    train = teacher_views(teacher, cameras, "teacher", o.progress);
  } else {
    if (o.reference_camera >= int(train_cameras.size()))
      throw InputError(
          o.data, "--reference-camera",
          "expected a training view index below " + std::to_string(train_cameras.size()));
    report.reference_index =
        o.reference_camera >= 0 ? o.reference_camera : reference_camera_index(train_cameras);
    reference = train_cameras[size_t(report.reference_index)];
    if (convert) {
      // Teacher views: the training cameras near the reference, and blends of them.
      const std::vector<size_t> near = near_views(train_cameras, reference, o.near_angle_deg);
      const std::vector<Camera> near_cameras = pick(train_cameras, near);
      check_cameras_see(teacher.bounds(), near_cameras, o.data);
      std::vector<Camera> cameras = near_cameras;
      const int extra = std::max(0, o.views - int(cameras.size()));
      if (extra > 0) {
        const std::vector<Camera> around = cameras_around(near_cameras, extra, 0.5f, o.loop.seed);
        cameras.insert(cameras.end(), around.begin(), around.end());
      }
      train = teacher_views(teacher, cameras, "teacher", o.progress);
    } else {
      train = dataset_views(dataset.train, o.progress);
    }
  }
  if (!dataset.test.empty()) {
    const std::vector<Camera> test_cameras = frame_cameras(dataset.test);
    // Converting, the student learns the teacher near the reference camera: it is scored there.
    if (convert) {
      test_indices = near_views(test_cameras, reference, o.near_angle_deg);
    } else {
      for (size_t i = 0; i < test_cameras.size(); ++i) test_indices.push_back(i);
    }
    std::vector<DatasetFrame> frames;
    for (size_t i : test_indices) frames.push_back(dataset.test[i]);
    test = dataset_views(frames, false);
  }

  // The layout.
  const vec3 eye = reference.position();
  PlaneSet start;
  if (o.layout == PlanesLayout::kMpi) {
    DepthRange range = o.range;
    if (!(range.near_depth > 0.0f && range.far_depth > range.near_depth)) {
      if (convert) {
        const PreparedScene prepared = prepare_scene(teacher);
        range = depth_range_of({render_scene(prepared, reference)});
      } else {
        range = estimate_depth_range(train, report.reference_index);
      }
    }
    report.range = range;
    start = make_mpi_to_fit(reference, range, o.planes, o.padding);
    const bool one_field = convert && teacher.items.size() == 1 &&
                           std::holds_alternative<RadianceField>(teacher.items[0].content);
    if (one_field && o.closed_form) {
      say(o, "closed-form start: integrating the field's density over each plane's slab");
      field_to_mpi(std::get<RadianceField>(teacher.items[0].content), teacher.items[0].transform,
                   start);
      PlaneSetFittable closed(start, o.color_learning_rate, o.alpha_learning_rate);
      if (!test.empty()) report.closed_form_scores = score_views(closed, test, o.loop.background);
    } else {
      set_even_alpha(start, eye, views_see_through(train));
      seed_colors_from_views(start, train);
    }
  } else {
    // Depth for the planes: the teacher's, or that of a field fitted to the photographs first.
    std::vector<Camera> cameras;
    for (const FitView& v : train) cameras.push_back(v.camera);
    std::vector<RenderOutput> renders;
    if (convert) {
      const PreparedScene prepared = prepare_scene(teacher);
      for (const Camera& c : cameras) renders.push_back(render_scene(prepared, c));
    } else {
      renders = depth_from_field(dataset, train, share_of(o.loop, o.depth_field_share), o);
    }
    SmpiOptions smpi = o.smpi;
    smpi.seed = o.loop.seed;
    smpi.fronto_planes = o.planes;  // --planes: the fronto-parallel planes for the rest
    smpi.see_through = views_see_through(train);
    // From photographs, the plane sweep's range (as the MPI's) holds the far wall that a young
    // field's depth misses; a given --near/--far wins.
    if (o.range.near_depth > 0.0f && o.range.far_depth > o.range.near_depth)
      smpi.fronto_range = o.range;
    else if (!convert)
      smpi.fronto_range = estimate_depth_range(train, report.reference_index);
    const std::vector<DepthView> depths = depth_views(cameras, renders);
    size_t confident = 0;
    for (const DepthView& v : depths)
      for (size_t k = 0; k < v.depth.values.size(); ++k)
        confident += v.depth.values[k] > 0.0f && v.weight.values[k] >= 0.9f;
    SmpiLayout layout;
    if (!convert && confident < size_t(400 * smpi.pixel_stride * smpi.pixel_stride)) {
      // A run too short for its field to show surfaces: a plain MPI, said so.
      warn("the depth field shows too few surfaces (" + std::to_string(confident) +
           " confident pixels) to find dominant planes; fitting fronto-parallel planes only "
           "(give more --steps or --minutes)");
      const DepthRange range = o.range.near_depth > 0.0f && o.range.far_depth > o.range.near_depth
                                   ? o.range
                                   : estimate_depth_range(train, report.reference_index);
      layout.planes = make_mpi_to_fit(reference, range, o.planes, o.padding);
      set_even_alpha(layout.planes, eye, smpi.see_through);
      layout.near_depth = range.near_depth;
      layout.far_depth = range.far_depth;
    } else {
      layout = build_smpi_layout(reference, depths, smpi);
      // The planes sit where the rendered depth put them; the photographs place them better.
      std::vector<ScalarImage> depth_maps;
      for (const DepthView& d : depths) depth_maps.push_back(d.depth);
      const std::vector<PlaneRefinement> refined =
          refine_plane_poses(layout.planes, 0, size_t(layout.structural), train, &depth_maps);
      for (size_t k = 0; k < refined.size(); ++k) {
        char line[200];
        std::snprintf(line, sizeof line,
                      "  posed plane %zu: moved %.3f m, turned %.2f deg; colour variance across "
                      "views %.5f -> %.5f over %zu samples",
                      k, refined[k].moved, refined[k].turned_deg, refined[k].cost_before,
                      refined[k].cost_after, refined[k].samples);
        say(o, line);
      }
    }
    report.structural_planes = layout.structural;
    report.range = DepthRange{layout.near_depth, layout.far_depth};
    char text[200];
    std::snprintf(text, sizeof text,
                  "structural MPI: %d dominant planes explain %zu of %zu depth samples; %d "
                  "fronto-parallel planes over %.2f..%.2f m",
                  layout.structural, layout.explained, layout.points, smpi.fronto_planes,
                  layout.near_depth, layout.far_depth);
    say(o, text);
    start = std::move(layout.planes);
    seed_colors_from_views(start, train);
  }
  report.planes = int(start.planes.size());

  // The fit; `out` is the checkpoint.
  PlaneSetFittable model(std::move(start), o.color_learning_rate, o.alpha_learning_rate);
  char summary[400];
  std::snprintf(summary, sizeof summary,
                "%zu %s views at %dx%d, %zu held-out; reference camera %s; %s; depth %.3g..%.3g m",
                train.size(), convert ? "teacher" : "training", train[0].camera.width,
                train[0].camera.height, test.size(),
                report.reference_index >= 0 ? ("#" + std::to_string(report.reference_index)).c_str()
                                            : "from the path",
                model.describe().c_str(), report.range.near_depth, report.range.far_depth);
  report.summary = summary;
  say(o, report.summary);
  FitLoopOptions loop = o.layout == PlanesLayout::kStructural && !convert
                            ? rest_of(o.loop, o.depth_field_share)
                            : o.loop;
  loop.checkpoint_path = o.out;
  report.fit = fit_to_views(model, train, test, loop);
  if (convert && !test.empty())
    report.teacher_scores = score_scene(teacher, test, o.loop.background);
  return report;
}

}  // namespace strata
