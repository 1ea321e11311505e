#include "neural/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace strata {

ProgressBar::ProgressBar(std::string label, size_t total)
    : label_(std::move(label)),
      total_(std::max<size_t>(1, total)),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(size_t done, const std::string& detail) {
  done = std::min(done, total_);
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  } else {
    const size_t decile = done * 10 / total_;
    if (decile == last_decile_) return;
    last_decile_ = decile;
  }
  last_draw_ = now;
  draw(done, detail);
}

void ProgressBar::draw(size_t done, const std::string& detail) {
  constexpr int kWidth = 30;
  const int filled = int(double(done) / double(total_) * kWidth);
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, '.');
  const double elapsed = elapsed_seconds();
  const double eta = done > 0 ? elapsed / double(done) * double(total_ - done) : 0.0;
  std::fprintf(stderr, "%s%s [%s] %zu/%zu  %.1fs elapsed, %.1fs left%s%s%s", tty_ ? "\r" : "",
               label_.c_str(), bar.c_str(), done, total_, elapsed, eta, detail.empty() ? "" : "  ",
               detail.c_str(), tty_ ? "\x1b[K" : "\n");
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (last_decile_ != 10 || tty_) draw(total_, "");
  if (tty_) std::fputc('\n', stderr);
}

}  // namespace strata
