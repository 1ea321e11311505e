#include "neural/field/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "neural/core/error.h"
#include "neural/core/parallel.h"
#include "neural/field/field_math.h"
#include "neural/field/ray_marching.h"

namespace strata {

namespace {

constexpr size_t kRoundSamples = 512;  // samples per density batch in a chunk's rounds
constexpr size_t kOccupancyBlock = 4096;

// Random-stream tags, so that draws for different purposes never share a stream.
constexpr uint64_t kRayStream = 0x52415953;
constexpr uint64_t kGridStream = 0x47524944;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
// CPU seconds of the whole process (all threads), for phases that run on every thread at once.
double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

// A chunk's contribution to a step, kept until the step's reductions.
struct FieldTrainer::ChunkResult {
  std::vector<float> mlp_gradient;  // dL/d(MLP part of the buffer)
  std::vector<float> positions;     // 3 rows x n: box coordinates of the samples
  std::vector<float> d_encoded;     // encoding rows x n: dL/d(encoding)
  size_t n = 0;                     // samples
  size_t marched = 0;               // samples whose density was evaluated
  double squared_error = 0.0;       // sum over rays and channels
  PhaseTimes times;
};

struct FieldTrainer::TrainRay {
  MarchState march;
  vec3 target{0.0f};      // pixel colour over the background
  vec3 background{0.0f};  // straight rgb behind the field
  float transmittance = 1.0f;
  uint32_t samples = 0;
};

FieldTrainer::~FieldTrainer() = default;

std::vector<TrainView> load_train_views(const std::vector<DatasetFrame>& frames) {
  std::vector<TrainView> views(frames.size());
  parallel_for(frames.size(), 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      views[i] = TrainView{frames[i].camera, load_frame_image(frames[i])};
  });
  return views;
}

FieldTrainer::FieldTrainer(RadianceField& field, std::vector<TrainView> views,
                           const TrainerOptions& options, const TrainerState* resume)
    : field_(field), views_(std::move(views)), options_(options), network_(field.config) {
  if (views_.empty()) throw InputError("", "", "training needs at least one view");
  for (size_t i = 0; i < views_.size(); ++i) {
    const TrainView& v = views_[i];
    if (v.image.width != v.camera.width || v.image.height != v.camera.height ||
        v.image.pixels.size() != size_t(v.image.width) * size_t(v.image.height) || v.image.empty())
      throw InputError("", "views[" + std::to_string(i) + "]",
                       "image size differs from its camera's");
  }
  if (field_.params.size() != network_.n_params())
    throw InputError("", "params", "the field's parameter count does not match its config");
  if (field_.occupancy.resolution != field_.config.grid_resolution)
    field_.occupancy.reset(field_.config.grid_resolution);
  options_.rays_per_chunk = std::max(1, options_.rays_per_chunk);
  options_.min_rays_per_step = std::max(options_.rays_per_chunk, options_.min_rays_per_step);
  options_.max_rays_per_step = std::max(options_.min_rays_per_step, options_.max_rays_per_step);
  adam_ = Adam(network_.n_params(), network_.encoding_params(), options_.adam);
  gradients_.assign(network_.n_params(), 0.0f);
  // The first step guesses 128 samples per ray (a young field is see-through); then it adapts.
  rays_per_step_ = std::clamp(options_.target_samples_per_step / 128, options_.min_rays_per_step,
                              options_.max_rays_per_step);
  if (resume) {
    step_ = resume->step;
    adam_.restore(resume->adam_steps, resume->adam_m, resume->adam_v);
    if (resume->rays_per_step > 0) rays_per_step_ = resume->rays_per_step;
    occupancy_updates_ = resume->occupancy_updates;
  } else {
    mark_unseen_cells();
  }
}

TrainerState FieldTrainer::state() const {
  TrainerState s;
  s.step = step_;
  s.adam_steps = adam_.steps();
  s.adam_m = adam_.first_moment();
  s.adam_v = adam_.second_moment();
  s.rays_per_step = rays_per_step_;
  s.occupancy_updates = occupancy_updates_;
  return s;
}

std::unique_ptr<FieldBatch> FieldTrainer::take_batch(bool training) {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    for (size_t i = 0; i < pool_.size(); ++i)
      if (pool_[i]->training == training) {
        std::unique_ptr<FieldBatch> b = std::move(pool_[i]);
        pool_.erase(pool_.begin() + long(i));
        return b;
      }
  }
  auto b = std::make_unique<FieldBatch>();
  b->allocate(network_, kRoundSamples * 2, training);
  return b;
}

void FieldTrainer::give_batch(std::unique_ptr<FieldBatch> batch) {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(batch));
}

void FieldTrainer::mark_unseen_cells() {
  // instant-ngp's "untrained density grid": a cell that no training camera sees can only be
  // learnt wrongly (floaters), so it stays empty for good.
  OccupancyGrid& grid = field_.occupancy;
  const int res = grid.resolution;
  const vec3 lo = field_.config.box_lo, size = (field_.config.box_hi - lo) / float(res);
  std::vector<mat4> world_to_camera(views_.size());
  for (size_t v = 0; v < views_.size(); ++v)
    world_to_camera[v] = glm::inverse(views_[v].camera.camera_to_world);
  auto sees = [&](size_t v, const vec3& world) {
    const Camera& cam = views_[v].camera;
    if (cam.projection == Projection::kEquirectangular) return true;
    const vec3 p = vec3(world_to_camera[v] * vec4(world, 1.0f));
    if (p.z >= 0.0f) return false;
    vec2 xy(p.x / -p.z, -p.y / -p.z);
    // Far outside the frame the distortion polynomial means nothing: reject before applying it.
    const vec2 reach(float(cam.width) / cam.fx, float(cam.height) / cam.fy);
    if (std::abs(xy.x) > 2.0f * reach.x + 1.0f || std::abs(xy.y) > 2.0f * reach.y + 1.0f)
      return false;
    if (cam.distortion.any()) xy = cam.distortion.distort(xy);
    const float px = cam.cx + cam.fx * xy.x, py = cam.cy + cam.fy * xy.y;
    return px >= 0.0f && py >= 0.0f && px <= float(cam.width) && py <= float(cam.height);
  };
  parallel_for(grid.cells(), 4096, [&](size_t begin, size_t end) {
    for (size_t cell = begin; cell < end; ++cell) {
      const int x = int(cell % size_t(res)), y = int(cell / size_t(res) % size_t(res)),
                z = int(cell / (size_t(res) * size_t(res)));
      bool seen = false;
      for (size_t v = 0; v < views_.size() && !seen; ++v)
        for (int k = 0; k < 8 && !seen; ++k)
          seen = sees(
              v,
              lo + vec3(float(x + (k & 1)), float(y + ((k >> 1) & 1)), float(z + (k >> 2))) * size);
      grid.density[cell] = seen ? 0.0f : -1.0f;
    }
  });
  // Seen cells start occupied (the young field must be trained everywhere it is visible).
  std::fill(grid.bits.begin(), grid.bits.end(), uint64_t(0));
  for (size_t i = 0; i < grid.cells(); ++i)
    if (grid.density[i] >= 0.0f) grid.bits[i >> 6] |= uint64_t(1) << (i & 63);
}

void FieldTrainer::update_occupancy() {
  const double start = process_cpu_seconds();
  OccupancyGrid& grid = field_.occupancy;
  const int res = grid.resolution;
  const bool warm = step_ < uint64_t(options_.occupancy_warmup);
  const size_t budget =
      size_t(std::max(1, warm ? options_.occupancy_warmup_cells : options_.occupancy_cells));
  const uint64_t parts = (grid.cells() + budget - 1) / budget;
  const uint64_t part = occupancy_updates_ % parts;
  std::vector<uint32_t> cells;
  cells.reserve(grid.cells() / parts + 1);
  for (size_t c = 0; c < grid.cells(); ++c)
    if (grid.density[c] >= 0.0f && (parts == 1 || mix64(c ^ options_.seed) % parts == part))
      cells.push_back(uint32_t(c));
  const float* params = field_.params.data();
  const uint64_t update = occupancy_updates_;
  parallel_for(cells.size(), kOccupancyBlock, [&](size_t begin, size_t end) {
    std::unique_ptr<FieldBatch> batch = take_batch(false);
    FieldBatch& b = *batch;
    b.reserve(network_, end - begin, 0);
    for (size_t i = begin; i < end; ++i) {
      const size_t c = cells[i];
      Rng rng(options_.seed ^ kGridStream, update, c);
      const float x = float(c % size_t(res)), y = float(c / size_t(res) % size_t(res)),
                  z = float(c / (size_t(res) * size_t(res)));
      b.positions.row(0)[i - begin] = (x + rng.next_float()) / float(res);
      b.positions.row(1)[i - begin] = (y + rng.next_float()) / float(res);
      b.positions.row(2)[i - begin] = (z + rng.next_float()) / float(res);
    }
    network_.forward_density(params, b, 0, end - begin);
    const float decay = options_.occupancy_decay;
    for (size_t i = begin; i < end; ++i) {
      float& d = grid.density[cells[i]];
      d = std::max(d * decay, b.sigma.row(0)[i - begin]);
    }
    give_batch(std::move(batch));
  });
  // A cell is empty when a step through it would be nearly transparent (optical thickness below
  // 0.01, instant-ngp's threshold), or below the mean while the field is young.
  grid.update_bits(0.01f / field_.config.min_step);
  ++occupancy_updates_;
  times_.occupancy += process_cpu_seconds() - start;
}

void FieldTrainer::run_chunk(size_t first_ray, size_t ray_count, size_t total_rays,
                             ChunkResult& out) {
  PhaseTimes& times = out.times;
  PhaseClock clock(&times);
  const FieldConfig& config = field_.config;
  const float* params = field_.params.data();
  std::unique_ptr<FieldBatch> batch = take_batch(true);
  FieldBatch& b = *batch;

  std::vector<TrainRay> rays(ray_count);
  std::vector<uint32_t> alive, next_alive, counts, keep;
  for (size_t i = 0; i < ray_count; ++i) {
    Rng rng(options_.seed ^ kRayStream, step_, first_ray + i);
    const TrainView& view = views_[rng.next_below(uint32_t(views_.size()))];
    const int x = int(rng.next_below(uint32_t(view.camera.width)));
    const int y = int(rng.next_below(uint32_t(view.camera.height)));
    TrainRay& r = rays[i];
    if (options_.random_background)
      r.background = vec3(rng.next_float(), rng.next_float(), rng.next_float());
    else
      r.background = options_.background;
    const vec4 pixel = view.image.at(x, y);
    r.target = vec3(pixel) + (1.0f - pixel.a) * r.background;
    const float jitter = rng.next_float();
    r.march = start_march(config, view.camera.ray(vec2(float(x) + 0.5f, float(y) + 0.5f)), jitter);
    if (!r.march.done) alive.push_back(uint32_t(i));
  }
  clock.lap(&PhaseTimes::march);

  // Rounds: a few samples per live ray, densities, then the samples in front of each ray's stop
  // (T < 1e-4) are kept, compacted to the front of the batch.
  size_t n = 0;
  const uint32_t max_samples = uint32_t(std::max(1, options_.max_samples_per_ray));
  while (!alive.empty()) {
    const int k = int(std::clamp<size_t>(kRoundSamples / alive.size(), 4, 32));
    b.reserve(network_, n + alive.size() * size_t(k) + 16, n);
    const size_t round_begin = n;
    size_t m = 0;
    counts.assign(alive.size(), 0);
    for (size_t a = 0; a < alive.size(); ++a) {
      TrainRay& r = rays[alive[a]];
      const int budget = int(std::min<uint32_t>(uint32_t(k), max_samples - r.samples));
      counts[a] = uint32_t(march_samples(field_, r.march, alive[a], budget, b, round_begin + m));
      r.samples += counts[a];
      if (r.samples >= max_samples) r.march.done = true;
      m += counts[a];
    }
    clock.lap(&PhaseTimes::march);
    network_.forward_density(params, b, round_begin, m, &times);
    clock.restart();  // the network timed itself
    out.marched += m;
    const float *sigma = b.sigma.row(0), *dt = b.dt.row(0);
    size_t col = round_begin;
    keep.clear();
    next_alive.clear();
    for (size_t a = 0; a < alive.size(); ++a) {
      TrainRay& r = rays[alive[a]];
      for (uint32_t i = 0; i < counts[a]; ++i, ++col) {
        if (r.transmittance < kTransmittanceEpsilon) continue;
        r.transmittance *= 1.0f - segment_alpha(sigma[col], dt[col]);
        keep.push_back(uint32_t(col));
      }
      if (r.transmittance < kTransmittanceEpsilon) r.march.done = true;
      if (!r.march.done) next_alive.push_back(alive[a]);
    }
    if (keep.size() < m) b.compact(round_begin, keep.data(), keep.size());
    n = round_begin + keep.size();
    alive.swap(next_alive);
    clock.lap(&PhaseTimes::composite);
  }

  // Each ray's samples in order (rounds interleave rays): a stable counting sort by ray.
  std::vector<uint32_t> start(ray_count + 1, 0), order(n);
  for (size_t c = 0; c < n; ++c) ++start[b.ray[c] + 1];
  for (size_t i = 0; i < ray_count; ++i) start[i + 1] += start[i];
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (size_t c = 0; c < n; ++c) order[fill[b.ray[c]]++] = uint32_t(c);
  }
  clock.lap(&PhaseTimes::composite);

  network_.forward_color(params, b, 0, n, &times);
  clock.restart();

  // Loss: mean over the step's rays and channels of the squared error.
  const float scale = 2.0f / (3.0f * float(total_rays));
  for (size_t i = 0; i < ray_count; ++i) {
    const TrainRay& r = rays[i];
    const uint32_t* ray_order = order.data() + start[i];
    const size_t count = start[i + 1] - start[i];
    float transmittance;
    const vec3 color = composite_ray(b, ray_order, count, r.background, &transmittance);
    const vec3 diff = color - r.target;
    out.squared_error += double(glm::dot(diff, diff));
    composite_ray_backward(b, ray_order, count, color, scale * diff);
  }
  clock.lap(&PhaseTimes::composite);

  network_.backward(params, b, n, out.mlp_gradient.data(), &times);
  clock.restart();

  // Keep what the encoding's backward needs; the batch goes back to the pool.
  const int e = network_.encoding().n_output_dims();
  out.n = n;
  out.positions.resize(3 * n);
  out.d_encoded.resize(size_t(e) * n);
  for (int r = 0; r < 3; ++r)
    std::copy(b.positions.row(r), b.positions.row(r) + n, out.positions.begin() + long(r * n));
  for (int r = 0; r < e; ++r)
    std::copy(b.d_encoded.row(r), b.d_encoded.row(r) + n,
              out.d_encoded.begin() + long(size_t(r) * n));
  give_batch(std::move(batch));
  clock.lap(&PhaseTimes::encode_backward);
}

StepStats FieldTrainer::step(float learning_rate) {
  const auto start = Clock::now();
  if (learning_rate < 0.0f) learning_rate = options_.adam.learning_rate;
  if (step_ % uint64_t(std::max(1, options_.occupancy_interval)) == 0 && step_ > 0)
    update_occupancy();

  const size_t total_rays = size_t(rays_per_step_);
  const size_t per_chunk = size_t(options_.rays_per_chunk);
  const size_t n_chunks = (total_rays + per_chunk - 1) / per_chunk;
  if (chunks_.size() < n_chunks) chunks_.resize(n_chunks);
  const size_t mlp_params = network_.n_params() - network_.density_offset();
  parallel_for(n_chunks, 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; ++c) {
      ChunkResult& chunk = chunks_[c];
      chunk.mlp_gradient.assign(mlp_params, 0.0f);
      chunk.n = chunk.marched = 0;
      chunk.squared_error = 0.0;
      chunk.times = PhaseTimes{};
      const size_t first = c * per_chunk;
      run_chunk(first, std::min(per_chunk, total_rays - first), total_rays, chunk);
    }
  });

  StepStats stats;
  stats.rays = total_rays;
  double squared_error = 0.0;
  for (size_t c = 0; c < n_chunks; ++c) {
    stats.samples += chunks_[c].n;
    stats.marched += chunks_[c].marched;
    squared_error += chunks_[c].squared_error;
    times_.add(chunks_[c].times);
  }
  stats.mse = squared_error / (3.0 * double(total_rays));

  // Encoding gradients: one level per task, chunks in order (levels own disjoint parameters).
  double t0 = process_cpu_seconds();
  const HashEncoding& enc = network_.encoding();
  const int e = enc.n_output_dims();
  parallel_for(size_t(enc.config().levels), 1, [&](size_t begin, size_t end) {
    for (size_t l = begin; l < end; ++l)
      for (size_t c = 0; c < n_chunks; ++c) {
        const ChunkResult& chunk = chunks_[c];
        if (chunk.n == 0) continue;
        enc.backward_level(int(l), ConstMatrixView(chunk.positions.data(), 3, chunk.n),
                           ConstMatrixView(chunk.d_encoded.data(), e, chunk.n), chunk.n,
                           gradients_.data());
      }
  });
  times_.encode_backward += process_cpu_seconds() - t0;

  // MLP gradients: chunks summed in order, then one Adam step.
  t0 = process_cpu_seconds();
  float* mlp_gradient = gradients_.data() + network_.density_offset();
  parallel_for(mlp_params, 1024, [&](size_t begin, size_t end) {
    for (size_t c = 0; c < n_chunks; ++c) {
      const float* g = chunks_[c].mlp_gradient.data();
      for (size_t i = begin; i < end; ++i) mlp_gradient[i] += g[i];
    }
  });
  adam_.step(field_.params.data(), gradients_.data(), learning_rate);
  times_.optimizer += process_cpu_seconds() - t0;

  // Next batch: about target_samples_per_step samples.
  const double per_ray = std::max(1.0, double(stats.samples) / double(total_rays));
  const int wanted = int(double(options_.target_samples_per_step) / per_ray);
  const int chunk_rays = options_.rays_per_chunk;
  rays_per_step_ = std::clamp((wanted + chunk_rays - 1) / chunk_rays * chunk_rays,
                              options_.min_rays_per_step, options_.max_rays_per_step);
  ++step_;
  stats.seconds = seconds_since(start);
  return stats;
}

}  // namespace strata
