#include "neural/shells/shell_fit_run.h"

#include <cmath>
#include <cstdio>

#include "neural/core/error.h"
#include "neural/dataset/dataset.h"
#include "neural/fit/fit_views.h"
#include "neural/mesh/mesh_io.h"
#include "neural/scene/scene_render.h"
#include "neural/shells/shell_fittable.h"
#include "neural/shells/shells_io.h"

namespace strata {

namespace {
void say(const ShellRunOptions& o, const std::string& text) {
  if (o.progress) std::fprintf(stderr, "%s\n", text.c_str());
}
}  // namespace

std::vector<Camera> cameras_around_bounds(const Bounds3& bounds, int count, int width) {
  std::vector<Camera> out;
  const vec3 centre = bounds.center();
  const float radius = std::max(0.5f * glm::length(bounds.extent()), 1e-3f);
  const float fov = glm::radians(40.0f);
  const float distance = radius / std::sin(0.5f * fov) * 1.05f;
  const float z_lo = std::sin(glm::radians(-15.0f));  // lowest elevation
  for (int i = 0; i < count; ++i) {
    const float y = z_lo + (1.0f - z_lo) * (float(i) + 0.5f) / float(count);
    const float ring = std::sqrt(std::max(0.0f, 1.0f - y * y));
    const float phi = float(i) * 2.39996323f;  // golden angle
    const vec3 dir(ring * std::cos(phi), y, ring * std::sin(phi));
    const vec3 up = std::abs(y) > 0.99f ? vec3(0, 0, 1) : vec3(0, 1, 0);
    out.push_back(
        Camera::pinhole_fov_y(width, width, fov, look_at(centre + distance * dir, centre, up)));
  }
  return out;
}

ShellRunReport run_shells_fit(const ShellRunOptions& o) {
  if (o.out.empty()) throw InputError("", "--out", "expected an output folder");
  const bool convert = !o.teacher.empty();
  if (!convert && o.data.empty()) throw InputError("", "DATA", "expected a dataset");
  if (!o.resume.empty() && !o.mesh.empty())
    throw InputError(o.resume, "--resume",
                     "a shells folder brings its own base mesh: give --mesh or --resume, not both");
  if (!convert && o.mesh.empty() && o.bake_field.empty() && o.resume.empty())
    throw InputError("", "--mesh",
                     "expected a base mesh (.obj, .glb or .gltf) or a field to bake from (--bake) "
                     "to fit shells to photographs");
  ShellRunReport report;

  Dataset dataset;
  std::vector<Camera> train_cameras;
  if (!o.data.empty()) {
    dataset = load_pinhole_dataset(o.data, o.downscale, o.test_every, "shells");
    train_cameras = frame_cameras(dataset.train);
  }
  // The teacher (convert) or the field the fit starts from (fit --bake): one radiance field gives
  // the bake and, without a mesh, the base surface.
  Scene teacher;
  const RadianceField* field = nullptr;
  const std::string& teacher_path = convert ? o.teacher : o.bake_field;
  if (!teacher_path.empty()) {
    teacher = load_scene(teacher_path);
    if (teacher.items.size() == 1 && teacher.items[0].transform == mat4(1.0f))
      field = std::get_if<RadianceField>(&teacher.items[0].content);
    if (!convert && !field)
      throw InputError(o.bake_field, "--bake", "expected one radiance field (.field) to bake from");
  }

  // The cameras the shells are fitted at (convert: the teacher's views; fit: the photographs and
  // the field's views between them). An atlas made here gives their texels to what they see.
  std::vector<Camera> view_cameras = train_cameras, field_cameras;
  if (convert && int(view_cameras.size()) < o.views && !view_cameras.empty()) {
    const std::vector<Camera> around =
        cameras_around(train_cameras, o.views - int(view_cameras.size()), 0.3f, o.loop.seed);
    view_cameras.insert(view_cameras.end(), around.begin(), around.end());
  }
  if (!convert && field && o.field_views > 0) {
    field_cameras = cameras_around(train_cameras, o.field_views, 0.3f, o.loop.seed);
    view_cameras.insert(view_cameras.end(), field_cameras.begin(), field_cameras.end());
  }
  ShellsFromFieldOptions shell_options = o.shells;
  shell_options.build.cameras = view_cameras;

  // The shells: around the user's mesh or the field's surface; baked when a field teaches.
  ShellVolume start;
  if (!o.resume.empty()) {
    say(o, "starting from the shells in " + o.resume);
    start = load_shell_volume(o.resume);
  } else if (!o.mesh.empty()) {
    TriangleMesh mesh = read_mesh(o.mesh);
    if (field && o.bake) {
      say(o, "baking the shells from the field (density over each shell's slab)");
      start = shells_from_field(*field, mesh, shell_options, o.mesh);
    } else {
      start = build_shells(std::move(mesh), shell_options.build, o.mesh);
    }
  } else if (field) {
    say(o, "base mesh: the field's surface (marching cubes, simplified, UV atlas); then the bake");
    start = shells_from_field(*field, std::nullopt, shell_options,
                              o.teacher.empty() ? o.bake_field : o.teacher);
    if (!o.bake)
      for (Image& t : start.textures) {
        const vec4 c = o.shells.build.initial_texel;
        std::fill(t.pixels.begin(), t.pixels.end(), vec4(vec3(c) * c.a, c.a));
      }
  } else {
    throw InputError(o.teacher, "--mesh",
                     "expected a base mesh: only a radiance field teacher gives its own surface");
  }

  // Views.
  std::vector<FitView> train, test;
  if (convert) {
    std::vector<Camera> cameras = view_cameras;
    if (cameras.empty())
      cameras = cameras_around_bounds(start.bounds(), std::max(1, o.views), o.view_size);
    if (o.view_scale != 1.0f)
      for (Camera& c : cameras)
        c = c.resized(std::max(1, int(std::lround(float(c.width) * o.view_scale))),
                      std::max(1, int(std::lround(float(c.height) * o.view_scale))));
    train = teacher_views(teacher, cameras, "teacher", o.progress);
  } else {
    train = dataset_views(dataset.train, o.progress);
    if (field && o.field_views > 0) {
      // Novel views from the field between the photographs: texels no photograph sees still get
      // a target.
      const std::vector<FitView> extra = teacher_views(teacher, field_cameras, "field", o.progress);
      train.insert(train.end(), extra.begin(), extra.end());
    }
  }
  if (!dataset.test.empty()) test = dataset_views(dataset.test, false);

  ShellFittable model(std::move(start),
                      ShellFitRates{o.color_learning_rate, o.alpha_learning_rate, o.distortion});
  if (!test.empty() && o.bake && field && o.resume.empty())
    report.baked_scores = score_views(model, test, o.loop.background);
  char summary[400];
  const size_t field_views = convert ? 0 : train.size() - dataset.train.size();
  std::snprintf(
      summary, sizeof summary, "%zu %s views%s at %dx%d, %zu held-out; %s",
      train.size() - field_views, convert ? "teacher" : "training",
      field_views > 0 ? (" + " + std::to_string(field_views) + " field views").c_str() : "",
      train[0].camera.width, train[0].camera.height, test.size(), model.describe().c_str());
  report.summary = summary;
  say(o, report.summary);

  FitLoopOptions loop = o.loop;
  loop.checkpoint_path = o.out;
  report.fit = fit_to_views(model, train, test, loop);
  if (!report.fit.stopped_on_nan) save_shell_volume(model.shells(), o.out);
  if (!convert) report.teacher_name = "field";
  if ((convert || field) && !test.empty())
    report.teacher_scores = score_scene(teacher, test, o.loop.background);
  return report;
}

}  // namespace strata
