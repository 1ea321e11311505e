// Teacher scene -> views -> seed -> Gaussian fit (see gaussian_distill.h).
#include "neural/gaussians/gaussian_distill.h"

#include <algorithm>
#include <cstdio>

#include "neural/core/error.h"
#include "neural/dataset/dataset.h"
#include "neural/fit/fit_views.h"
#include "neural/path/camera_path.h"
#include "neural/scene/scene.h"
#include "neural/scene/scene_render.h"

namespace strata {

namespace {

// `count` cameras spread evenly over `cameras` (all when there are fewer).
std::vector<Camera> spread(const std::vector<Camera>& cameras, int count) {
  if (count <= 0 || size_t(count) >= cameras.size()) return cameras;
  std::vector<Camera> out;
  for (int i = 0; i < count; ++i)
    out.push_back(cameras[size_t(i) * cameras.size() / size_t(count)]);
  return out;
}

}  // namespace

GaussianRunReport convert_to_gaussians(const GaussianConvertOptions& options) {
  if (options.out.empty()) throw InputError("", "--out", "expected an output .ply path");
  if (options.data.empty())
    throw InputError("", "--data", "expected the dataset whose cameras the teacher is seen from");
  if (options.downscale < 1) throw InputError("", "--downscale", "expected an integer >= 1");
  if (options.views < 0) throw InputError("", "--views", "expected a view count >= 0");
  const bool progress = options.loop.progress;
  const Scene teacher = load_scene(options.teacher);
  if (teacher.items.empty())
    throw InputError(options.teacher, "", "the teacher scene holds nothing to convert");
  const Dataset dataset =
      load_dataset(options.data, DatasetOptions{options.downscale, options.test_every});
  const std::vector<Camera> train_cameras = frame_cameras(dataset.train);
  check_cameras_see(train_cameras, teacher.bounds(), dataset.source);

  // Training views: the teacher at the training cameras and at blends of them (or along a path).
  const std::vector<Camera> cameras = conversion_cameras(train_cameras, options.path, options.views,
                                                         options.jitter, options.loop.seed);
  check_cameras_see(cameras, teacher.bounds(),
                    options.path.empty() ? dataset.source : options.path);
  const std::vector<FitView> train = teacher_views(teacher, cameras, "teacher", progress);

  // The seed: the teacher's surfaces seen from a spread of the training cameras.
  GaussianRunReport report;
  const std::vector<Camera> seed_cameras = spread(train_cameras, options.seed_views);
  const bool single_field = teacher.items.size() == 1 &&
                            std::holds_alternative<RadianceField>(teacher.items[0].content) &&
                            teacher.items[0].transform == mat4(1.0f);
  if (progress)
    std::fprintf(stderr, "seeding from the %s at %zu cameras\n",
                 single_field ? "field's surface points" : "teacher's depth maps",
                 seed_cameras.size());
  GaussianCloud seed = single_field
                           ? seed_from_field(std::get<RadianceField>(teacher.items[0].content),
                                             seed_cameras, options.seed)
                           : seed_from_scene(teacher, seed_cameras, options.seed);
  if (seed.empty())
    throw InputError(options.teacher, "",
                     "the teacher shows nothing opaque at the dataset's cameras (no pixel reaches "
                     "the seed's alpha threshold); expected a scene in front of the cameras");
  report.seeded = seed.size();

  GaussianFitOptions gaussians = options.gaussians;
  gaussians.scene_extent = camera_extent(train_cameras);
  FitLoopOptions loop = options.loop;
  const int planned = planned_steps(seed, gaussians, train, loop);
  scale_schedule(planned, &gaussians);
  loop.checkpoint_path = options.out;

  const std::vector<FitView> test = dataset_views(dataset.test, progress);
  char summary[512];
  std::snprintf(summary, sizeof summary,
                "teacher %s: %zu views (%zu training cameras + %zu sampled) at %dx%d; seed %zu "
                "Gaussians from %zu cameras; %zu held-out photographs; scene extent %.2f m; "
                "densify steps %d..%d every %d, opacity reset every %d",
                options.teacher.c_str(), train.size(),
                options.path.empty() ? train_cameras.size() : 0,
                options.path.empty() ? cameras.size() - train_cameras.size() : cameras.size(),
                train[0].camera.width, train[0].camera.height, seed.size(), seed_cameras.size(),
                test.size(), gaussians.scene_extent, gaussians.densify_from,
                gaussians.densify_until, gaussians.densify_every, gaussians.opacity_reset_every);
  report.summary = summary;
  if (progress) std::fprintf(stderr, "%s\n", summary);

  GaussianFittable model(seed, gaussians);
  report.fit = fit_to_views(model, train, test, loop);
  report.gaussians = model.size();
  report.steps_per_second = report.fit.seconds > 0.0 ? report.fit.steps / report.fit.seconds : 0.0;
  if (report.fit.stopped_on_nan || test.empty()) return report;

  // The teacher on the same held-out photographs, and the Gaussians against the teacher.
  const std::vector<FitView> teacher_test =
      teacher_views(teacher, frame_cameras(dataset.test), "teacher_test", progress);
  for (size_t i = 0; i < test.size(); ++i) {
    ViewScore s;
    s.name = test[i].name;
    s.psnr = psnr(teacher_test[i].image, test[i].image, loop.background);
    s.ssim = ssim(teacher_test[i].image, test[i].image, loop.background);
    report.teacher.push_back(s);
  }
  report.vs_teacher = score_views(model, teacher_test, loop.background);
  return report;
}

}  // namespace strata
