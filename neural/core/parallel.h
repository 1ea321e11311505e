// A parallel-for over image tiles and index ranges on a fixed pool of threads.
// Work is split into chunks claimed from an atomic counter; results must not depend on which
// thread runs a chunk, so outputs are deterministic for any thread count.
#pragma once

#include <cstddef>
#include <functional>

namespace strata {

// Number of worker threads used by parallel_for (default: hardware concurrency, or the
// STRATA_THREADS environment variable).
int thread_count();
// Sets the number of worker threads (>= 1) for later calls.
void set_thread_count(int threads);

// Calls body(begin, end) over [0, count) in chunks of `grain` indices, on all threads; returns
// when every chunk is done. Exceptions thrown by body are rethrown (the first one).
void parallel_for(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body);

// Calls body(x0, y0, x1, y1) for each tile of a width x height image (tile x tile pixels).
void parallel_for_tiles(int width, int height, int tile,
                        const std::function<void(int, int, int, int)>& body);

}  // namespace strata
