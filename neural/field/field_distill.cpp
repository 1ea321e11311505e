// Teacher scene -> views -> a fresh field trained on them (see field_distill.h).
#include "neural/field/field_distill.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "neural/core/error.h"
#include "neural/dataset/dataset.h"
#include "neural/field/field_bounds.h"
#include "neural/fit/fit_views.h"
#include "neural/gaussians/gaussian_seed.h"
#include "neural/scene/scene.h"

namespace strata {

FieldConvertReport convert_to_field(const FieldConvertOptions& options,
                                    const std::atomic<bool>* stop) {
  const FitOptions& o = options.fit;
  if (o.out.empty()) throw InputError("", "--out", "expected an output .field path");
  if (options.data.empty())
    throw InputError("", "--data", "expected the dataset whose cameras the teacher is seen from");
  if (o.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  if (options.views < 0) throw InputError("", "--views", "expected a view count >= 0");
  if (o.steps < 0) throw InputError("", "--steps", "expected a count >= 1");
  if (!(o.minutes >= 0.0) || !std::isfinite(o.minutes))
    throw InputError("", "--minutes", "expected a positive duration");
  if (!(o.learning_rate > 0.0f) || !std::isfinite(o.learning_rate) ||
      !(o.final_learning_rate > 0.0f))
    throw InputError("", "--lr", "expected a positive, finite learning rate");

  const Scene teacher = load_scene(options.teacher);
  if (teacher.items.empty())
    throw InputError(options.teacher, "", "the teacher scene holds nothing to convert");
  const Dataset dataset = load_dataset(options.data, DatasetOptions{o.downscale, o.test_every});
  if (dataset.train.empty())
    throw InputError(options.data, "frames", "no training views (every frame is a test view)");
  const std::vector<Camera> train_cameras = frame_cameras(dataset.train);
  check_cameras_see(train_cameras, teacher.bounds(), dataset.source);

  // The teacher at the training cameras and at blends of them (or along a path).
  const std::vector<Camera> cameras = conversion_cameras(train_cameras, options.path, options.views,
                                                         options.jitter, o.trainer.seed);
  check_cameras_see(cameras, teacher.bounds(),
                    options.path.empty() ? dataset.source : options.path);
  std::vector<FitView> rendered = teacher_views(teacher, cameras, "teacher", o.progress);
  std::vector<TrainView> views;
  views.reserve(rendered.size());
  for (FitView& v : rendered) views.push_back(TrainView{v.camera, std::move(v.image)});
  rendered.clear();

  // A fresh field in the dataset's box (the same rule a fit to its photographs uses).
  FieldConfig config = o.config;
  fit_bounds_to_dataset(dataset, &config);
  config.grid_resolution =
      o.grid_resolution > 0 ? o.grid_resolution : (config.cone_angle > 0.0f ? 128 : 64);
  config.dataset_downscale = o.downscale;
  RadianceField field = create_field(config, o.trainer.seed);

  FieldConvertReport report;
  std::ostringstream head;
  head << "teacher " << options.teacher << ": " << views.size() << " views ("
       << (options.path.empty() ? train_cameras.size() : 0) << " training cameras + "
       << (options.path.empty() ? cameras.size() - train_cameras.size() : cameras.size())
       << (options.path.empty() ? " sampled" : " along the path") << ") at "
       << views[0].camera.width << "x" << views[0].camera.height << "; " << dataset.test.size()
       << " held-out photographs of " << dataset.source;
  report.fit = train_field(field, std::move(views), nullptr, dataset.test, o, head.str(), stop);
  report.summary = report.fit.summary;
  if (report.fit.stopped || dataset.test.empty()) return report;

  // The field and the teacher on the held-out photographs, and the field against the teacher.
  const std::vector<Camera> test_cameras = frame_cameras(dataset.test);
  const std::vector<FitView> photos = dataset_views(dataset.test, false);
  const std::vector<FitView> teacher_test =
      teacher_views(teacher, test_cameras, "teacher_test", o.progress);
  Scene student_scene;
  student_scene.items.push_back(SceneItem{"field", o.out, mat4(1.0f), std::move(field), {}, {}});
  const std::vector<FitView> student_test =
      teacher_views(student_scene, test_cameras, "field_test", false);
  auto score = [](const std::string& name, const Image& render, const Image& truth) {
    const vec3 white(1.0f);
    ViewScore v;
    v.name = name;
    v.psnr = psnr(render, truth, white);
    v.ssim = ssim(render, truth, white);
    return v;
  };
  for (size_t i = 0; i < photos.size(); ++i) {
    report.field.push_back(score(photos[i].name, student_test[i].image, photos[i].image));
    report.teacher.push_back(score(photos[i].name, teacher_test[i].image, photos[i].image));
    report.vs_teacher.push_back(
        score(photos[i].name, student_test[i].image, teacher_test[i].image));
  }
  return report;
}

}  // namespace strata
