#include "neural/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace strata {

namespace {
int initial_thread_count() {
  if (const char* env = std::getenv("STRATA_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}
std::atomic<int> g_threads{initial_thread_count()};
}  // namespace

int thread_count() {
  return g_threads.load();
}
void set_thread_count(int threads) {
  g_threads = std::max(1, threads);
}

void parallel_for(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (count == 0) return;
  grain = std::max<size_t>(1, grain);
  const size_t chunks = (count + grain - 1) / grain;
  const int workers = int(std::min<size_t>(size_t(thread_count()), chunks));
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run = [&] {
    for (;;) {
      const size_t chunk = next.fetch_add(1);
      if (chunk >= chunks) return;
      try {
        body(chunk * grain, std::min(count, (chunk + 1) * grain));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = chunks;  // stop handing out work
      }
    }
  };
  // The calling thread works too; spawning per call costs ~20 us, small beside a frame.
  std::vector<std::thread> threads;
  threads.reserve(size_t(workers - 1));
  for (int i = 1; i < workers; ++i) threads.emplace_back(run);
  run();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

void parallel_for_tiles(int width, int height, int tile,
                        const std::function<void(int, int, int, int)>& body) {
  if (width <= 0 || height <= 0) return;
  tile = std::max(1, tile);
  const int tiles_x = (width + tile - 1) / tile, tiles_y = (height + tile - 1) / tile;
  parallel_for(size_t(tiles_x) * tiles_y, 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const int tx = int(i % tiles_x), ty = int(i / tiles_x);
      const int x0 = tx * tile, y0 = ty * tile;
      body(x0, y0, std::min(width, x0 + tile), std::min(height, y0 + tile));
    }
  });
}

}  // namespace strata
