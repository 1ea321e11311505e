#include "neural/mesh/chart_packing.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace strata {

ChartMask::ChartMask(int width, int height)
    : width(width), height(height), bits(size_t(height) * ((size_t(width) + 63) / 64), 0) {}

bool ChartMask::test(int x, int y) const {
  if (x < 0 || y < 0 || x >= width || y >= height) return false;
  return (bits[size_t(y) * words_per_row() + size_t(x >> 6)] >> (x & 63)) & 1u;
}

void ChartMask::set(int x, int y) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  bits[size_t(y) * words_per_row() + size_t(x >> 6)] |= uint64_t(1) << (x & 63);
}

size_t ChartMask::count() const {
  size_t n = 0;
  for (uint64_t w : bits) n += size_t(__builtin_popcountll(w));
  return n;
}

namespace {

// Free boxes tried per chart before it goes below everything placed.
constexpr long kTriesPerChart = 20000;
// Masks (with padding) of at most this many texels' box are placed as their box: nearly all their
// box is theirs anyway, and a search for a box goes on from where the last one for the same size
// ended (thousands of tiny charts then cost a pass over the atlas per size, not each).
constexpr long kSmallBox = 1024;

// A mask grown by the padding: what must find free texels.
struct PaddedMask {
  ChartMask mask;
  std::vector<ivec2> runs;           // [start, end) of every run of set texels, row by row
  std::vector<size_t> row_runs;      // runs of row y: runs[row_runs[y]] .. runs[row_runs[y + 1]]
  ivec2 box_corner{0}, box_size{0};  // the largest rectangle of set texels in it
  bool whole_box = false;            // a small mask: placed as its whole bounding box
};

// The largest rectangle of set texels (the largest rectangle under each row's histogram).
void find_inner_box(PaddedMask* p) {
  const ChartMask& m = p->mask;
  std::vector<int> height(size_t(m.width) + 1, 0);
  std::vector<int> stack;
  long best = 0;
  for (int y = 0; y < m.height; ++y) {
    for (int x = 0; x < m.width; ++x) height[size_t(x)] = m.test(x, y) ? height[size_t(x)] + 1 : 0;
    stack.clear();
    for (int x = 0; x <= m.width; ++x) {
      const int h = height[size_t(x)];  // height[width] stays 0: empties the stack
      while (!stack.empty() && height[size_t(stack.back())] >= h) {
        const int top = height[size_t(stack.back())];
        stack.pop_back();
        const int left = stack.empty() ? 0 : stack.back() + 1;
        if (long(top) * (x - left) > best) {
          best = long(top) * (x - left);
          p->box_corner = ivec2(left, y - top + 1);
          p->box_size = ivec2(x - left, top);
        }
      }
      stack.push_back(x);
    }
  }
}

PaddedMask pad_mask(const ChartMask& m, int pad) {
  const int w = m.width + 2 * pad, h = m.height + 2 * pad;
  // Grown in x (each set texel spreads pad to either side), then in y.
  std::vector<uint8_t> row_grown(size_t(w) * size_t(m.height), 0);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.test(x, y))
        std::fill_n(row_grown.begin() + std::ptrdiff_t(size_t(y) * w + size_t(x)), 2 * pad + 1, 1);
  PaddedMask out;
  out.mask = ChartMask(w, h);
  std::vector<uint8_t> grown(size_t(w) * size_t(h), 0);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < w; ++x)
      if (row_grown[size_t(y) * w + size_t(x)])
        for (int dy = 0; dy <= 2 * pad; ++dy) grown[size_t(y + dy) * w + size_t(x)] = 1;
  for (int y = 0; y < h; ++y) {
    out.row_runs.push_back(out.runs.size());
    for (int x = 0, run = 0; x <= w; ++x) {
      if (x < w && grown[size_t(y) * w + size_t(x)]) {
        out.mask.set(x, y);
        ++run;
        continue;
      }
      if (run > 0) out.runs.push_back(ivec2(x - run, x));
      run = 0;
    }
  }
  out.row_runs.push_back(out.runs.size());
  if (long(w) * h <= kSmallBox) {
    out.box_size = ivec2(w, h);  // takes its whole box: the search then resumes exactly
    out.whole_box = true;
  } else {
    find_inner_box(&out);
  }
  return out;
}

// The atlas's texels, free or taken, as rows of bits (bits past the row's end read as taken).
class Occupancy {
 public:
  explicit Occupancy(int size)
      : size_(size),
        words_((size_t(size) + 63) / 64),
        bits_(size_t(size) * words_, 0),
        longest_free_(size_t(size), size) {
    if (size % 64 != 0)
      for (int y = 0; y < size; ++y) bits_[size_t(y) * words_ + words_ - 1] |= ~0ull << (size % 64);
  }

  int longest_free(int y) const { return longest_free_[size_t(y)]; }
  // The first row of the empty rows at the bottom (size when the last row is taken).
  int first_empty_row() const { return first_empty_row_; }

  // The first texel of row y at or after x that is free (want_taken false) or taken; size if none.
  int next(int y, int x, bool want_taken) const {
    if (x >= size_) return size_;
    const uint64_t* row = &bits_[size_t(y) * words_];
    size_t w = size_t(x) >> 6;
    uint64_t word = (want_taken ? row[w] : ~row[w]) & (~0ull << (x & 63));
    while (word == 0) {
      if (++w == words_) return size_;
      word = want_taken ? row[w] : ~row[w];
    }
    return std::min(size_, int(w * 64 + size_t(__builtin_ctzll(word))));
  }

  // -1 when `m` placed at (x, y) meets no taken texel; else the next x worth trying: a run of
  // a colliding row meets the same taken texel for every x up to it.
  int fits_or_skip(const PaddedMask& m, int x, int y) const {
    for (int r = 0; r < m.mask.height; ++r) {
      int skip = -1;
      for (size_t k = m.row_runs[size_t(r)]; k < m.row_runs[size_t(r) + 1]; ++k) {
        const ivec2 run = m.runs[k];
        const int taken = last_taken(y + r, x + run.x, x + run.y);
        if (taken >= 0) skip = std::max(skip, taken - run.x + 1);
      }
      if (skip >= 0) return skip;
    }
    return -1;
  }

  // The first free w x h box at (x, y) or after it in row-major order; false if none.
  bool next_free_box(int w, int h, int* x, int* y) const {
    for (; *y + h <= size_; ++*y, *x = 0) {
      if (longest_free_[size_t(*y)] < w) continue;
      while (*x + w <= size_) {
        int skip = -1;
        for (int r = 0; r < h && skip < 0; ++r) {
          const int taken = last_taken(*y + r, *x, *x + w);
          if (taken >= 0) skip = taken + 1;
        }
        if (skip < 0) return true;
        *x = next(*y, skip, false);  // the top row's next free texel (or past the end)
      }
    }
    return false;
  }

  // The last taken texel of row y in [a, b) (-1: none).
  int last_taken(int y, int a, int b) const {
    if (a >= b) return -1;
    const uint64_t* row = &bits_[size_t(y) * words_];
    const size_t first = size_t(a) >> 6;
    size_t w = size_t(b - 1) >> 6;
    uint64_t word = row[w];
    const int top = (b - 1) & 63;
    if (top < 63) word &= (uint64_t(2) << top) - 1;
    for (;;) {
      if (w == first) word &= ~0ull << (a & 63);
      if (word != 0) return int(w * 64) + 63 - __builtin_clzll(word);
      if (w == first) return -1;
      word = row[--w];
    }
  }

  void take(const ChartMask& m, int x, int y) {
    const size_t wpr = m.words_per_row();
    for (int r = 0; r < m.height; ++r) {
      uint64_t* row = &bits_[size_t(y + r) * words_];
      for (size_t k = 0; k < wpr; ++k) {
        const uint64_t bits = m.bits[size_t(r) * wpr + k];
        if (bits == 0) continue;
        const size_t at = size_t(x) + 64 * k, w = at >> 6;
        const int b = int(at & 63);
        row[w] |= bits << b;
        if (b != 0 && w + 1 < words_) row[w + 1] |= bits >> (64 - b);
      }
      longest_free_[size_t(y + r)] = measure_longest_free(y + r);
    }
    first_empty_row_ = std::max(first_empty_row_, y + m.height);
  }

 private:
  int measure_longest_free(int y) const {
    int longest = 0;
    for (int x = next(y, 0, false); x < size_;) {
      const int end = next(y, x, true);
      longest = std::max(longest, end - x);
      x = next(y, end, false);
    }
    return longest;
  }

  int size_;
  size_t words_;
  std::vector<uint64_t> bits_;
  std::vector<int> longest_free_;  // per row
  int first_empty_row_ = 0;
};

}  // namespace

ChartPacking pack_chart_masks(const std::vector<ChartMask>& masks, int size, int padding) {
  ChartPacking out;
  out.positions.assign(masks.size(), ivec2(-1));
  std::vector<size_t> order(masks.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int64_t area_a = int64_t(masks[a].width) * masks[a].height,
                  area_b = int64_t(masks[b].width) * masks[b].height;
    return area_a != area_b ? area_a > area_b : masks[a].height > masks[b].height;
  });
  Occupancy atlas(size);
  std::map<std::pair<int, int>, int> first_free_box;  // box size -> row-major index to search from
  double all = 0.0, placed = 0.0;
  for (size_t i : order) {
    const PaddedMask padded = pad_mask(masks[i], padding);
    const ChartMask& m = padded.mask;
    const double texels = double(m.count());
    all += texels;
    if (m.width > size || m.height > size) continue;
    auto place = [&](int x, int y) {
      // The chart's own texels go in; its padding stays free for others' padding.
      atlas.take(masks[i], x + padding, y + padding);
      out.positions[i] = ivec2(x + padding, y + padding);
    };
    // Every position that fits the mask fits its inner box: the search walks the free boxes of
    // that size, from where the last search for the same size found the first one (the atlas
    // only fills up, so none lies before it).
    bool done = false;
    const ivec2 box = padded.box_size, corner = padded.box_corner;
    int& resume = first_free_box[{box.x, box.y}];
    int bx = resume % size, by = resume / size;
    bool first = true;
    for (long tries = 0; tries < kTriesPerChart && atlas.next_free_box(box.x, box.y, &bx, &by);
         ++tries, ++bx) {
      if (first) resume = by * size + bx;
      first = false;
      const int x = bx - corner.x, y = by - corner.y;
      if (x < 0 || y < 0 || x + m.width > size || y + m.height > size) continue;
      if (!padded.whole_box) {
        const int next = atlas.fits_or_skip(padded, x, y);
        if (next >= 0) {
          bx = std::max(bx, next + corner.x - 1);  // no x before `next` fits in this row
          continue;
        }
      }
      place(x, y);
      done = true;
      break;
    }
    if (first) resume = size * size;  // no free box of this size is left
    // Past the budget: below everything placed, where it fits at once (or nowhere).
    for (int y = std::max(0, atlas.first_empty_row() - m.height); !done && y + m.height <= size;
         ++y)
      for (int x = 0; x + m.width <= size;) {
        const int next = atlas.fits_or_skip(padded, x, y);
        if (next < 0) {
          place(x, y);
          done = true;
          break;
        }
        x = std::max(x + 1, next);
      }
    if (done) {
      ++out.placed;
      placed += texels;
    }
  }
  out.placed_fraction = all > 0.0 ? placed / all : 1.0;
  return out;
}

}  // namespace strata
