// FitView: one posed photograph that a fit matches (from a dataset, or rendered from a teacher
// representation for conversion). Shared by every representation's fitting loop.
#pragma once

#include <string>

#include "neural/core/camera.h"
#include "neural/core/image.h"

namespace strata {

struct FitView {
  std::string name;  // the photograph's file name, or "teacher_N" for a rendered view
  Camera camera;     // world space, at the image's size
  Image image;       // premultiplied RGBA, the target
};

}  // namespace strata
