// Gaussian cloud files: Inria PLY (binary, ASCII, big endian), .splat and SPZ v2-v4 against each
// other and against real files (train-1000.ply, splat-transform's fixtures), round trips, axes
// conventions, and every kind of bad input.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"
#include "neural/core/metrics.h"
#include "neural/gaussians/gaussian_io.h"
#include "neural/gaussians/gaussian_render.h"
#include "tests/test_support.h"

using namespace strata;
using Catch::Matchers::Contains;

namespace {

const float kC0 = float(kShC0);

std::string dir() {
  const std::string d = strata::test::output_dir() + "/gaussian_formats";
  std::filesystem::create_directories(d);
  return d;
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
  const std::string path = dir() + "/" + name;
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  return path;
}

std::string write_gzip(const std::string& name, const std::string& bytes) {
  const std::string path = dir() + "/" + name;
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  return path;
}

// The message of the InputError that f throws ("no InputError" otherwise).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

std::optional<std::string> train_1000() {
  const auto shared = strata::test::shared_dir();
  if (!shared) return std::nullopt;
  return *shared + "/external/splat/train-1000.ply";
}

std::optional<std::string> fixture(const std::string& name) {
  const auto shared = strata::test::shared_dir();
  if (!shared) return std::nullopt;
  return *shared + "/external/splat_fixtures/" + name;
}

GaussianCloud random_cloud(size_t n, int degree, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  GaussianCloud c;
  c.sh_degree = degree;
  c.resize(n);
  for (size_t i = 0; i < n; ++i) {
    c.positions[i] = 3.0f * vec3(u(rng), u(rng), u(rng));
    c.log_scales[i] = vec3(-4.0f) + 1.5f * vec3(u(rng), u(rng), u(rng));
    c.rotations[i] = glm::normalize(quat(u(rng), u(rng), u(rng), u(rng)));
    c.opacity_logits[i] = 3.0f * u(rng);
    for (int k = 0; k < c.sh_coefficients(); ++k)
      c.sh_at(i, k) = (k == 0 ? 1.5f : 0.4f) * vec3(u(rng), u(rng), u(rng));
    c.layers[i] = uint16_t(i % 3);
  }
  return c;
}

mat3 covariance(const GaussianCloud& c, size_t i) {
  const mat3 r = glm::mat3_cast(glm::normalize(c.rotations[i]));
  const vec3 s = c.scale(i);
  const mat3 m = r * mat3(vec3(s.x, 0, 0), vec3(0, s.y, 0), vec3(0, 0, s.z));
  return m * glm::transpose(m);
}

float max_difference(const mat3& a, const mat3& b) {
  float d = 0.0f;
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < 3; ++r) d = std::max(d, std::abs(a[c][r] - b[c][r]));
  return d;
}

// |q . p| for unit quaternions: 1 when they are the same rotation (q and -q are).
float rotation_agreement(quat a, quat b) {
  return std::abs(glm::dot(glm::normalize(a), glm::normalize(b)));
}

}  // namespace

TEST_CASE("train-1000.ply reads as 1000 Gaussians of SH degree 3", "[gaussians]") {
  const auto path = train_1000();
  if (!path) {
    WARN("skipped: ../shared not found");
    return;
  }
  const GaussianCloud c = read_gaussian_ply(*path);
  REQUIRE(c.size() == 1000);
  REQUIRE(c.sh_degree == 3);
  // Compare every Gaussian with the raw floats of the file (62 a vertex, Inria's order).
  const std::string bytes = read_file(*path);
  const size_t data = bytes.find("end_header\n") + 11;
  REQUIRE(bytes.size() - data == 1000 * 62 * 4);
  for (size_t i = 0; i < 1000; ++i) {
    float v[62];
    std::memcpy(v, bytes.data() + data + i * 62 * 4, sizeof(v));
    CHECK(c.positions[i] == vec3(v[0], v[1], v[2]));
    for (int ch = 0; ch < 3; ++ch) {
      CHECK(c.sh_at(i, 0)[ch] == v[6 + ch]);
      for (int k = 1; k < 16; ++k) CHECK(c.sh_at(i, k)[ch] == v[9 + ch * 15 + (k - 1)]);
    }
    CHECK(c.opacity_logits[i] == v[54]);
    CHECK(c.log_scales[i] == vec3(v[55], v[56], v[57]));
    const quat raw(v[58], v[59], v[60], v[61]);
    const quat q = c.rotations[i];
    CHECK(glm::length(glm::vec4(q.w, q.x, q.y, q.z)) == Approx(1.0f).epsilon(1e-6));
    CHECK(rotation_agreement(q, raw) == Approx(1.0f).epsilon(1e-6));
    CHECK(q.w * raw.w >= 0.0f);  // normalised, not flipped
  }
  const std::string info = describe(c);
  CHECK_THAT(info, Contains("Gaussians: 1000"));
  CHECK_THAT(info, Contains("SH degree: 3"));
  CHECK_THAT(info, Contains("opacity: min"));
  CHECK_THAT(info, Contains("scale (m, all axes): min"));
  CHECK_THAT(info, Contains("bounds: min (-13.02, -3.922, -3.822) max (10.29, 1.968, 13.82)"));
}

TEST_CASE("PLY write then read is exact", "[gaussians]") {
  std::vector<GaussianCloud> clouds = {random_cloud(200, 3, 1), random_cloud(50, 1, 2),
                                       random_cloud(20, 0, 3), GaussianCloud()};
  if (const auto path = train_1000()) clouds.push_back(read_gaussian_ply(*path));
  for (const GaussianCloud& c : clouds) {
    const std::string path = dir() + "/round_trip.ply";
    write_gaussian_ply(path, c);
    const GaussianCloud back = read_gaussian_ply(path);
    CHECK(back.sh_degree == c.sh_degree);
    CHECK(back.positions == c.positions);
    CHECK(back.log_scales == c.log_scales);
    CHECK(back.rotations == c.rotations);
    CHECK(back.opacity_logits == c.opacity_logits);
    CHECK(back.sh == c.sh);
    CHECK(back.layers == c.layers);
  }
  // Inria's layout: binary little endian, floats in the reference order.
  write_gaussian_ply(dir() + "/layout.ply", random_cloud(2, 1, 4));
  const std::string head = read_file(dir() + "/layout.ply").substr(0, 200);
  CHECK(head.rfind("ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\n"
                   "property float y\nproperty float z\nproperty float nx\n",
                   0) == 0);
}

TEST_CASE("describe summarises a cloud for strata info", "[gaussians]") {
  GaussianCloud c = random_cloud(9, 2, 11);
  c.positions[0] = vec3(-2.0f, -0.0f, 0.5f);
  for (size_t i = 0; i < c.size(); ++i) {
    c.log_scales[i] = vec3(std::log(0.01f * float(i + 1)));
    c.opacity_logits[i] = logit_from_opacity(0.1f * float(i + 1));
    c.layers[i] = i < 4 ? 0 : 5;
  }
  const std::string s = describe(c);
  CHECK_THAT(s, Contains("Gaussians: 9\n"));
  CHECK_THAT(s, Contains("SH degree: 2 (9 coefficients per channel)"));
  CHECK_THAT(s, Contains("layers: 2 (layer 0: 4, layer 5: 5)"));
  CHECK_THAT(s, Contains("opacity: min 0.1, median 0.5, max 0.9"));
  CHECK_THAT(s, Contains("scale (m, all axes): min 0.01, median 0.05, max 0.09"));
  CHECK_THAT(describe(GaussianCloud()), Contains("bounds: empty"));
}

TEST_CASE("ASCII PLY in any property order, with other elements and comments", "[gaussians]") {
  // SH degree 1; properties shuffled; an element with a list before the vertices.
  std::string text =
      "ply\nformat ascii 1.0\ncomment written by hand\nelement camera 2\n"
      "property list uchar float k\nproperty int id\nelement vertex 2\n"
      "property float rot_2\nproperty float opacity\nproperty double z\n";
  for (int i = 8; i >= 0; --i) text += "property float f_rest_" + std::to_string(i) + "\n";
  text +=
      "property float f_dc_2\nproperty float scale_1\nproperty float x\nproperty float rot_0\n"
      "property float f_dc_0\nproperty float scale_0\nproperty float y\nproperty float rot_3\n"
      "property float scale_2\nproperty float f_dc_1\nproperty float rot_1\nproperty uchar red\n"
      "end_header\n"
      "3 1.5 2.5 3.5 7\n0 11\n";
  // Vertex 0: rot (2, 0, 0, 0) unnormalised; f_rest_i = i / 10. Vertex 1: nan opacity: dropped.
  std::string v0 = "0 0.25 -3.5";
  for (int i = 8; i >= 0; --i) v0.append(" ").append(std::to_string(i / 10.0));
  v0 += " 0.3 -2 1.5 2 0.1 -1 -2.5 0 -3 0.2 0 255\n";
  std::string v1 = "0 nan 1";
  for (int i = 8; i >= 0; --i) v1 += " 0";
  v1 += " 0 0 0 1 0 0 0 0 0 0 0 0\n";
  const std::string path = write_bytes("ascii.ply", text + v0 + v1);
  const GaussianCloud c = load_gaussian_cloud(path);
  REQUIRE(c.size() == 1);
  REQUIRE(c.sh_degree == 1);
  CHECK(c.positions[0] == vec3(1.5f, -2.5f, -3.5f));
  CHECK(c.log_scales[0] == vec3(-1.0f, -2.0f, -3.0f));
  CHECK(c.opacity_logits[0] == 0.25f);
  CHECK(c.rotations[0] == quat(1.0f, 0.0f, 0.0f, 0.0f));
  CHECK(c.sh_at(0, 0) == vec3(0.1f, 0.2f, 0.3f));
  // Channel-major rest: f_rest_{c * 3 + (k - 1)}.
  for (int ch = 0; ch < 3; ++ch)
    for (int k = 1; k < 4; ++k)
      CHECK(c.sh_at(0, k)[ch] == Approx((ch * 3 + (k - 1)) / 10.0f).epsilon(1e-6));
}

TEST_CASE("binary big-endian PLY with double and integer properties", "[gaussians]") {
  std::string head =
      "ply\nformat binary_big_endian 1.0\nelement vertex 1\nproperty double x\nproperty float y\n"
      "property float z\nproperty float f_dc_0\nproperty float f_dc_1\nproperty float f_dc_2\n"
      "property short opacity\nproperty float scale_0\nproperty float scale_1\n"
      "property float scale_2\nproperty float rot_0\nproperty float rot_1\nproperty float rot_2\n"
      "property float rot_3\nproperty ushort layer\nend_header\n";
  std::string body;
  auto put = [&body](const void* p, int n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (int i = n - 1; i >= 0; --i) body.push_back(char(b[i]));
  };
  const double x = 0.125;
  put(&x, 8);
  for (float f : {2.0f, -4.0f, 0.5f, -0.5f, 1.0f}) put(&f, 4);
  const int16_t opacity = -2;
  put(&opacity, 2);
  for (float f : {-1.0f, -2.0f, -3.0f, 0.0f, 0.0f, 0.0f, 3.0f}) put(&f, 4);
  const uint16_t layer = 7;
  put(&layer, 2);
  const GaussianCloud c = load_gaussian_cloud(write_bytes("big.ply", head + body));
  REQUIRE(c.size() == 1);
  CHECK(c.positions[0] == vec3(0.125f, 2.0f, -4.0f));
  CHECK(c.sh_at(0, 0) == vec3(0.5f, -0.5f, 1.0f));
  CHECK(c.opacity_logits[0] == -2.0f);
  CHECK(c.rotations[0] == quat(0.0f, 0.0f, 0.0f, 1.0f));
  CHECK(c.layers[0] == 7);
}

TEST_CASE(".splat reads the fixture and round-trips within its quantisation", "[gaussians]") {
  if (const auto path = fixture("minimal.splat")) {
    const GaussianCloud c = load_gaussian_cloud(*path);
    REQUIRE(c.size() == 4);
    CHECK(c.positions[0] == vec3(-1.0f, 0.0f, -1.0f));
    CHECK(c.positions[3] == vec3(0.0f, 0.0f, 0.0f));
    CHECK(c.scale(0).x == Approx(0.1f).epsilon(1e-6));
    CHECK(c.dc_color(0).r == Approx(85.0f / 255.0f).epsilon(1e-6));
    CHECK(c.opacity(0) == Approx(230.0f / 255.0f).epsilon(1e-6));
    // Re-encoding gives back the same bytes.
    write_gaussian_splat(dir() + "/minimal.splat", c);
    const std::string a = read_file(*path), b = read_file(dir() + "/minimal.splat");
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); i += 32) {
      CHECK(a.substr(i, 12) == b.substr(i, 12));          // positions
      CHECK(a.substr(i + 24, 8) == b.substr(i + 24, 8));  // colour, alpha, rotation
      for (int k = 0; k < 3; ++k) {
        float sa, sb;
        std::memcpy(&sa, a.data() + i + 12 + 4 * k, 4);
        std::memcpy(&sb, b.data() + i + 12 + 4 * k, 4);
        CHECK(sb == Approx(sa).epsilon(1e-6));
      }
    }
  } else {
    WARN("skipped the fixture: ../shared not found");
  }
  const GaussianCloud c = random_cloud(300, 2, 5);
  write_gaussian_splat(dir() + "/random.splat", c);
  const GaussianCloud back = read_gaussian_splat(dir() + "/random.splat");
  REQUIRE(back.size() == c.size());
  CHECK(back.sh_degree == 0);
  for (size_t i = 0; i < c.size(); ++i) {
    CHECK(back.positions[i] == c.positions[i]);
    for (int a = 0; a < 3; ++a)
      CHECK(back.log_scales[i][a] == Approx(c.log_scales[i][a]).epsilon(1e-5));
    for (int ch = 0; ch < 3; ++ch) {
      const float col = c.dc_color(i)[ch];
      if (col >= 0.0f && col <= 1.0f)
        CHECK(std::abs(back.dc_color(i)[ch] - col) <= 0.5f / 255.0f + 1e-6f);
    }
    CHECK(std::abs(back.opacity(i) - c.opacity(i)) <= 0.5f / 255.0f + 1e-6f);
    CHECK(rotation_agreement(back.rotations[i], c.rotations[i]) > 0.9995f);
  }
}

TEST_CASE("SPZ v2, v3 and v4 round-trip within their quantisation", "[gaussians]") {
  std::vector<GaussianCloud> clouds = {random_cloud(400, 3, 6), random_cloud(30, 0, 7)};
  if (const auto path = train_1000()) clouds.push_back(read_gaussian_ply(*path));
  for (const GaussianCloud& c : clouds)
    for (int version : {2, 3, 4}) {
      INFO("version " << version << ", SH degree " << c.sh_degree);
      SpzWriteOptions w;
      w.version = version;
      const std::string path = dir() + "/round_trip.spz";
      write_gaussian_spz(path, c, w);
      const GaussianCloud back = load_gaussian_cloud(path);
      REQUIRE(back.size() == c.size());
      REQUIRE(back.sh_degree == c.sh_degree);
      const float step = 1.0f / 4096.0f;  // 12 fractional bits
      float worst_rotation = 1.0f;
      for (size_t i = 0; i < c.size(); ++i) {
        for (int a = 0; a < 3; ++a) {
          CHECK(std::abs(back.positions[i][a] - c.positions[i][a]) <= 0.5f * step + 1e-5f);
          CHECK(std::abs(back.log_scales[i][a] - c.log_scales[i][a]) <= 1.0f / 32.0f + 1e-5f);
          CHECK(std::abs(back.sh_at(i, 0)[a] - c.sh_at(i, 0)[a]) <=
                0.5f / (0.15f * 255.0f) + 1e-5f);
          for (int k = 1; k < c.sh_coefficients(); ++k)
            CHECK(std::abs(back.sh_at(i, k)[a] - c.sh_at(i, k)[a]) <= 0.5f / 128.0f + 1e-6f);
        }
        CHECK(std::abs(back.opacity(i) - c.opacity(i)) <= 0.5f / 255.0f + 1e-6f);
        worst_rotation =
            std::min(worst_rotation, rotation_agreement(back.rotations[i], c.rotations[i]));
      }
      // v2 stores 8-bit xyz and derives w, which is coarse when w is small (up to ~10 degrees:
      // the reason for v3); v3/v4 store the smallest three with 9 bits.
      CHECK(worst_rotation > (version == 2 ? 0.99f : 0.99998f));
    }
}

TEST_CASE("SPZ is converted between its RUB axes and PLY's RDF axes", "[gaussians]") {
  // Written with the conversion and read without it, the stored values are RUB: y and z flip.
  const GaussianCloud c = random_cloud(100, 3, 8);
  write_gaussian_spz(dir() + "/axes.spz", c);
  GaussianReadOptions raw;
  raw.spz_rub_to_rdf = false;
  const GaussianCloud rub = read_gaussian_spz(dir() + "/axes.spz", raw);
  for (size_t i = 0; i < c.size(); ++i) {
    CHECK(rub.positions[i].x == Approx(c.positions[i].x).margin(2e-4));
    CHECK(rub.positions[i].y == Approx(-c.positions[i].y).margin(2e-4));
    CHECK(rub.positions[i].z == Approx(-c.positions[i].z).margin(2e-4));
  }
  // The RUB cloud seen by the RUB image of a camera renders the same image: positions,
  // rotations and every SH coefficient were converted consistently.
  const mat4 flip = glm::scale(mat4(1.0f), vec3(1.0f, -1.0f, -1.0f));
  const mat4 pose = look_at(vec3(1.0f, 2.0f, 8.0f), vec3(0.0f));
  const Camera cam = Camera::pinhole_fov_y(96, 72, glm::radians(50.0f), pose);
  const Camera cam_rub = Camera::pinhole_fov_y(96, 72, glm::radians(50.0f), flip * pose);
  const GaussianCloud rdf = read_gaussian_spz(dir() + "/axes.spz");
  const Image a = render_gaussians(rdf, cam).color, b = render_gaussians(rub, cam_rub).color;
  CHECK(psnr(a, b) > 60.0);
  // A wrong SH conversion would show: drop it and the views differ.
  GaussianCloud wrong = rub;
  for (size_t i = 0; i < wrong.size(); ++i)
    for (int k = 1; k < wrong.sh_coefficients(); ++k) wrong.sh_at(i, k) = rdf.sh_at(i, k);
  CHECK(psnr(a, render_gaussians(wrong, cam_rub).color) < 45.0);
}

TEST_CASE("splat-transform's SPZ fixtures decode like its .splat fixture", "[gaussians]") {
  const auto splat_path = fixture("minimal.splat");
  if (!splat_path) {
    WARN("skipped: ../shared not found");
    return;
  }
  const GaussianCloud splat = load_gaussian_cloud(*splat_path);
  // v3 and v4 were written by the SPZ library, in RUB axes: read (RUB -> RDF) they agree with
  // the .splat within both formats' quantisation.
  for (const char* name : {"minimal-v3.spz", "minimal-v4.spz"}) {
    INFO(name);
    const GaussianCloud spz = load_gaussian_cloud(*fixture(name));
    REQUIRE(spz.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      for (int a = 0; a < 3; ++a) {
        CHECK(std::abs(spz.positions[i][a] - splat.positions[i][a]) <= 0.5f / 4096.0f);
        CHECK(std::abs(spz.log_scales[i][a] - splat.log_scales[i][a]) <= 1.0f / 32.0f);
        // DC: SPZ steps 1 / (0.15 * 255), .splat steps 1 / (C0 * 255).
        CHECK(std::abs(spz.sh_at(i, 0)[a] - splat.sh_at(i, 0)[a]) <=
              0.5f / (0.15f * 255.0f) + 0.5f / (kC0 * 255.0f));
      }
      CHECK(spz.opacity(i) == Approx(splat.opacity(i)).epsilon(1e-6));
      // Rotations differ as quaternions (the .splat writer's identity is (0, 0, 0, 1) in w-first
      // order, a half turn about z) but the Gaussians are isotropic: same covariance (within
      // the 6.4% that a 1/32 step of log scale makes of a variance).
      CHECK(max_difference(covariance(spz, i), covariance(splat, i)) < 0.07f * 0.01f);
    }
  }
  // v2 and the raw stream were written by a script that ignored the SPZ conventions: no axis
  // conversion and colour bytes stored like .splat's (without SPZ's 0.15 scale). Read as stored,
  // positions, scales, opacity and rotation agree; colours follow the SPZ spec from the bytes.
  GaussianReadOptions raw;
  raw.spz_rub_to_rdf = false;
  const GaussianCloud v2 = load_gaussian_cloud(*fixture("minimal-v2.spz"), raw);
  const GaussianCloud raw_stream = load_gaussian_cloud(*fixture("minimal-raw.spz"), raw);
  REQUIRE(v2.size() == 4);
  CHECK(v2.positions == raw_stream.positions);
  CHECK(v2.sh == raw_stream.sh);
  for (size_t i = 0; i < 4; ++i) {
    for (int a = 0; a < 3; ++a) {
      CHECK(std::abs(v2.positions[i][a] - splat.positions[i][a]) <= 0.5f / 256.0f);
      CHECK(std::abs(v2.log_scales[i][a] - splat.log_scales[i][a]) <= 1.0f / 32.0f);
    }
    CHECK(v2.opacity(i) == Approx(splat.opacity(i)).epsilon(1e-6));
    CHECK(max_difference(covariance(v2, i), covariance(splat, i)) < 0.07f * 0.01f);
    // .splat colour byte b: SPZ reads it as (b / 255 - 0.5) / 0.15.
    const vec3 bytes = glm::round((splat.dc_color(i)) * 255.0f);
    for (int a = 0; a < 3; ++a)
      CHECK(v2.sh_at(i, 0)[a] == Approx((bytes[a] / 255.0f - 0.5f) / 0.15f).margin(1e-5));
  }
}

TEST_CASE("bad Gaussian files are InputErrors that name the file and the problem", "[gaussians]") {
  // Missing files and unknown kinds.
  CHECK_THAT(error_of([] { load_gaussian_cloud(dir() + "/missing.ply"); }),
             Contains("missing.ply"));
  const std::string ksplat = write_bytes("scene.ksplat", std::string(64, '\0'));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(ksplat); }), Contains(".ksplat is not supported"));
  const std::string txt = write_bytes("scene.txt", "hello");
  CHECK_THAT(error_of([&] { load_gaussian_cloud(txt); }),
             Contains("unknown Gaussian splat format"));
  const std::string fake_ply = write_bytes("fake.ply", "not a ply at all");
  CHECK_THAT(error_of([&] { load_gaussian_cloud(fake_ply); }), Contains("not a PLY file"));

  // PLY: built from a valid file.
  const GaussianCloud base = random_cloud(40, 1, 9);
  write_gaussian_ply(dir() + "/base.ply", base);
  const std::string good = read_file(dir() + "/base.ply");
  const size_t header_end = good.find("end_header\n") + 11;
  auto patched = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::string truncated = write_bytes("truncated.ply", good.substr(0, header_end + 1000));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(truncated); }), Contains("truncated.ply"));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(truncated); }), Contains("40 vertices"));
  const std::string lying =
      write_bytes("lying.ply", patched("element vertex 40", "element vertex 4000000000"));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(lying); }), Contains("4000000000 vertices"));
  const std::string negative =
      write_bytes("negative.ply", patched("element vertex 40", "element vertex -40"));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(negative); }), Contains("negative count -40"));
  std::string no_props = patched("property float opacity\n", "property float alpha\n");
  no_props.replace(no_props.find("property float rot_3\n"), 21, "property float rot_x\n");
  const std::string missing = write_bytes("missing_props.ply", no_props);
  const std::string missing_message = error_of([&] { load_gaussian_cloud(missing); });
  CHECK_THAT(missing_message, Contains("missing properties: opacity, rot_3"));
  const std::string bad_rest =
      write_bytes("bad_rest.ply", patched("property float f_rest_8\n", "property float g\n"));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(bad_rest); }), Contains("f_rest"));
  const std::string bad_format =
      write_bytes("bad_format.ply", patched("binary_little_endian", "binary_middle_endian"));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(bad_format); }), Contains("unknown format"));
  const std::string no_end = write_bytes("no_end.ply", good.substr(0, header_end - 11));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(no_end); }), Contains("end_header"));

  // Non-finite values and zero quaternions.
  GaussianCloud nan_cloud = base;
  nan_cloud.positions[3].y = std::nanf("");
  nan_cloud.sh_at(7, 2).g = std::nanf("");
  write_gaussian_ply(dir() + "/nan.ply", nan_cloud);
  CHECK(load_gaussian_cloud(dir() + "/nan.ply").size() == 38);  // dropped, with a warning
  GaussianCloud inf_cloud = base;
  inf_cloud.log_scales[5].z = INFINITY;
  write_gaussian_ply(dir() + "/inf.ply", inf_cloud);
  const std::string inf_message = error_of([&] { load_gaussian_cloud(dir() + "/inf.ply"); });
  CHECK_THAT(inf_message, Contains("inf.ply"));
  CHECK_THAT(inf_message, Contains("scale_2"));
  CHECK_THAT(inf_message, Contains("Gaussian 5 is infinite"));
  GaussianCloud zero_cloud = base;
  zero_cloud.rotations[9] = quat(0.0f, 0.0f, 0.0f, 0.0f);
  write_gaussian_ply(dir() + "/zero_rotation.ply", zero_cloud);
  CHECK_THAT(error_of([&] { load_gaussian_cloud(dir() + "/zero_rotation.ply"); }),
             Contains("Gaussian 9 is a quaternion of zero length"));
  GaussianReadOptions lenient;
  lenient.drop_all_invalid = true;
  CHECK(load_gaussian_cloud(dir() + "/zero_rotation.ply", lenient).size() == 39);
  CHECK(load_gaussian_cloud(dir() + "/inf.ply", lenient).size() == 39);
  // The same checks for clouds built in memory.
  CHECK_THAT(error_of([&] { validate(zero_cloud, "memory"); }), Contains("rot_0..rot_3"));
  GaussianCloud dropped = inf_cloud;
  CHECK(drop_invalid(dropped, "memory") == 1);
  CHECK(dropped.size() == 39);

  // .splat: the size must be a multiple of 32.
  const std::string splat = write_bytes("odd.splat", std::string(70, '\0'));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(splat); }), Contains("not a multiple of 32"));

  // SPZ.
  write_gaussian_spz(dir() + "/base3.spz", base);
  SpzWriteOptions v4;
  v4.version = 4;
  write_gaussian_spz(dir() + "/base4.spz", base, v4);
  const std::string gz = read_file(dir() + "/base3.spz"), z4 = read_file(dir() + "/base4.spz");
  const std::string wrong_magic = write_gzip("wrong_magic.spz", std::string(64, 'A'));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(wrong_magic); }), Contains("'NGSP'"));
  const std::string garbage = write_bytes("garbage.spz", "ABCDEFGHIJKLMNOP");
  CHECK_THAT(error_of([&] { load_gaussian_cloud(garbage); }), Contains("not an SPZ file"));
  std::string header16("NGSP\x07\0\0\0\x01\0\0\0\0\x0c\0\0", 16);
  const std::string version7 = write_gzip("version7.spz", header16 + std::string(40, '\0'));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(version7); }),
             Contains("unsupported SPZ version 7"));
  std::string v5 = z4;
  v5[4] = 5;
  CHECK_THAT(error_of([&] { load_gaussian_cloud(write_bytes("version5.spz", v5)); }),
             Contains("unsupported SPZ version 5"));
  const std::string cut_gzip = write_bytes("cut.spz", gz.substr(0, gz.size() / 2));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(cut_gzip); }), Contains("cut.spz"));
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x55;  // the gzip trailer's CRC-32
  CHECK_THAT(error_of([&] { load_gaussian_cloud(write_bytes("bad_crc.spz", bad_crc)); }),
             Contains("corrupt or truncated gzip stream"));
  const std::string cut_zstd = write_bytes("cut4.spz", z4.substr(0, z4.size() - 5));
  CHECK_THAT(error_of([&] { load_gaussian_cloud(cut_zstd); }), Contains("truncated"));
  // Damaged data inside the last frame (strata writes zstd content checksums) and a damaged
  // frame header.
  std::string corrupt = z4;
  for (size_t i = z4.size() - 30; i < z4.size() - 10; ++i) corrupt[i] ^= 0x5a;
  CHECK_THAT(error_of([&] { load_gaussian_cloud(write_bytes("corrupt4.spz", corrupt)); }),
             Contains("corrupt or truncated zstd stream"));
  std::string bad_frame = z4;
  bad_frame[32 + 6 * 16] ^= 0x01;  // the first frame's magic, just after the 6-entry TOC
  CHECK_THAT(error_of([&] { load_gaussian_cloud(write_bytes("bad_frame4.spz", bad_frame)); }),
             Contains("'positions': corrupt or truncated zstd stream"));
  std::string hostile = z4;
  hostile[8] = char(0xf0), hostile[9] = char(0xff), hostile[10] = char(0xff),
  hostile[11] = char(0xff);
  CHECK_THAT(error_of([&] { load_gaussian_cloud(write_bytes("hostile4.spz", hostile)); }),
             Contains("hostile4.spz"));
  std::string hostile_raw("NGSP\x03\0\0\0\xff\xff\xff\x7f\0\x0c\0\0", 16);
  CHECK_THAT(
      error_of([&] { load_gaussian_cloud(write_bytes("hostile_raw.spz", hostile_raw + "0123")); }),
      Contains("declares 2147483647 Gaussians"));
  CHECK_THAT(
      error_of([&] { load_gaussian_cloud(write_gzip("hostile_gz.spz", hostile_raw + "0123")); }),
      Contains("declares 2147483647 Gaussians"));
}
