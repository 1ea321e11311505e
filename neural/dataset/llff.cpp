// LLFF's poses_bounds.npy: N rows of 17 float64 — a 3x5 matrix [R | t | (h, w, focal)] row by
// row, then the near and far depth bounds. LLFF's rotation columns are (down, right, backwards);
// strata's OpenGL axes are (right, up, backwards) = (col1, -col0, col2).
#include <stb_image.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <regex>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/dataset/dataset_internal.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

// Reads a 2D little-endian float64 C-order .npy array.
std::vector<double> read_npy_matrix(const std::string& file, size_t* rows, size_t* cols) {
  const std::string bytes = read_file(file);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw InputError(file, "", "not a NumPy .npy file (bad magic)");
  const int major = uint8_t(bytes[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(file, "", "truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    header_start = 12;
  } else {
    throw InputError(file, "", "unsupported .npy version " + std::to_string(major));
  }
  if (header_start + header_len > bytes.size()) throw InputError(file, "", "truncated .npy header");
  const std::string header = bytes.substr(header_start, header_len);
  if (header.find("'descr': '<f8'") == std::string::npos)
    throw InputError(file, "descr", "expected little-endian float64 ('<f8')");
  if (header.find("'fortran_order': False") == std::string::npos)
    throw InputError(file, "fortran_order", "expected a C-order array");
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('shape':\s*\((\d+),\s*(\d+)\))")))
    throw InputError(file, "shape", "expected a 2D array");
  *rows = std::stoul(m[1]);
  *cols = std::stoul(m[2]);
  const size_t data_start = header_start + header_len;
  const size_t count = *rows * *cols;
  if (*cols == 0 || count / *cols != *rows || bytes.size() - data_start < count * 8)
    throw InputError(file, "shape", "the file is shorter than its shape says (truncated?)");
  std::vector<double> values(count);
  std::memcpy(values.data(), bytes.data() + data_start, count * 8);
  return values;
}

std::vector<std::string> image_files(const fs::path& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Dataset load_llff(const std::string& folder, const DatasetOptions& options) {
  const std::string file = (fs::path(folder) / "poses_bounds.npy").string();
  size_t rows = 0, cols = 0;
  const std::vector<double> v = read_npy_matrix(file, &rows, &cols);
  if (cols != 17)
    throw InputError(
        file, "shape",
        "expected N x 17 (a 3x5 pose and two bounds per view), found N x " + std::to_string(cols));
  // LLFF ships downscaled copies as images_N; use them when present, else box-filter ourselves.
  fs::path image_folder = fs::path(folder) / "images";
  int file_scale = 1;
  if (options.downscale > 1) {
    const fs::path scaled = fs::path(folder) / ("images_" + std::to_string(options.downscale));
    if (!image_files(scaled).empty()) image_folder = scaled, file_scale = options.downscale;
  }
  const std::vector<std::string> images = image_files(image_folder);
  if (images.size() != rows)
    throw InputError(image_folder.string(), "",
                     "holds " + std::to_string(images.size()) +
                         " images but poses_bounds.npy has " + std::to_string(rows) + " poses");
  Dataset d;
  d.source = folder;
  d.downscale = options.downscale;
  d.near_depth = 1e30f;
  for (size_t i = 0; i < rows; ++i) {
    const double* r = &v[i * 17];
    auto at = [&](int row, int col) { return r[row * 5 + col]; };
    for (int k = 0; k < 17; ++k)
      if (!std::isfinite(r[k]))
        throw InputError(file, "row " + std::to_string(i), "non-finite value");
    mat4 pose(1.0f);
    for (int row = 0; row < 3; ++row) {
      pose[0][row] = float(at(row, 1));   // right = LLFF column 1
      pose[1][row] = float(-at(row, 0));  // up = -down
      pose[2][row] = float(at(row, 2));   // backwards
      pose[3][row] = float(at(row, 3));
    }
    if (!orthonormalise_pose(pose))
      throw InputError(file, "row " + std::to_string(i), "singular rotation");
    const double h = at(0, 4), w = at(1, 4), focal = at(2, 4);
    int iw = 0, ih = 0, channels = 0;
    if (!stbi_info(images[i].c_str(), &iw, &ih, &channels))
      throw InputError(images[i], "", "cannot read the image header (expected PNG or JPG)");
    const double scale = double(iw) / w;  // file size over the size the poses were made at
    if (std::abs(double(ih) / h - scale) > 0.02)
      throw InputError(
          images[i], "",
          "aspect ratio differs from poses_bounds.npy's h and w (images of mixed sizes?)");
    Camera c;
    c.width = iw;
    c.height = ih;
    c.fx = c.fy = float(focal * scale);
    c.cx = 0.5f * float(iw);
    c.cy = 0.5f * float(ih);
    c.camera_to_world = pose;
    const int remaining = options.downscale / file_scale;
    DatasetFrame frame{images[i], scale_camera(c, remaining), remaining};
    const bool test = options.test_every > 0 && i % size_t(options.test_every) == 0;
    (test ? d.test : d.train).push_back(frame);
    d.near_depth = std::min(d.near_depth, float(r[15]));
    d.far_depth = std::max(d.far_depth, float(r[16]));
  }
  return d;
}

}  // namespace strata
