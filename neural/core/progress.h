// A one-line progress bar on stderr for long work, redrawn in place on a terminal and printed
// every 10% otherwise (CI logs stay short).
#pragma once

#include <chrono>
#include <string>

namespace strata {

class ProgressBar {
 public:
  // label: what is counted ("frames"); total: the number of steps (> 0).
  ProgressBar(std::string label, size_t total);
  // Marks `done` steps finished; `detail` is shown after the counts (e.g. "loss 0.012").
  void update(size_t done, const std::string& detail = "");
  // Draws the final state and ends the line.
  void finish();
  double elapsed_seconds() const;

 private:
  std::string label_;
  size_t total_;
  size_t last_decile_ = size_t(-1);
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  void draw(size_t done, const std::string& detail);
};

}  // namespace strata
