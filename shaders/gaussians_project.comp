#version 450
// Pass 1 of the Gaussian renderer: per Gaussian, the CPU reference's projection
// (project() in neural/gaussians/gaussian_render.cpp, same order of operations): world ->
// camera, 3D covariance R S S^T R^T, EWA 2D covariance J W Sigma W^T J^T + 0.3 px^2, conic,
// 3-sigma radius, touched tiles (wrapping the seam for panoramas), SH colour along
// eye -> mean (+ 0.5, clamped at 0). Then counts the Gaussian in every tile it touches.
#extension GL_GOOGLE_include_directive : require

#include "gaussians_shared.h"
#include "gaussians_common.glsl"

layout(local_size_x = STRATA_GAUSS_GROUP, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = kGaussBindingCloud) uniform samplerBuffer cloud;
layout(set = 0, binding = kGaussBindingSh) uniform samplerBuffer sh;
layout(std430, set = 0, binding = kGaussBindingLayerMask) readonly buffer MaskBuffer {
  uint layer_mask[];
};
layout(std430, set = 0, binding = kGaussBindingTileCounts) buffer CountBuffer {
  uint tile_counts[];
};

const float kPi = 3.14159265358979323846;
const float kLowPass = 0.3;
const float kTile = float(STRATA_GAUSS_TILE);

// rotation_matrix() of gaussian_raster.h (column-major, R[c][r]).
mat3 rotation_matrix(float w, float x, float y, float z) {
  mat3 r;
  r[0][0] = 1.0 - 2.0 * (y * y + z * z);
  r[0][1] = 2.0 * (x * y + w * z);
  r[0][2] = 2.0 * (x * z - w * y);
  r[1][0] = 2.0 * (x * y - w * z);
  r[1][1] = 1.0 - 2.0 * (x * x + z * z);
  r[1][2] = 2.0 * (y * z + w * x);
  r[2][0] = 2.0 * (x * z + w * y);
  r[2][1] = 2.0 * (y * z - w * x);
  r[2][2] = 1.0 - 2.0 * (x * x + y * y);
  return r;
}

// floor(v) as an int, clamped to [lo, hi] before the conversion (huge footprints stay defined).
int floor_clamped(float v, int lo, int hi) { return int(clamp(floor(v), float(lo), float(hi))); }

// tile_rect() of gaussian_render.cpp, with a radius per axis; false when the footprint misses
// the image.
bool tile_rect(vec2 mean, vec2 radius, out ivec4 rect) {
  const int tx = int(tiles_x()), ty = int(tiles_y());
  const float r = radius.x, w = float(pc.image.x), h = float(pc.image.y);
  const float y0 = mean.y - radius.y, y1 = mean.y + radius.y;
  rect = ivec4(0);
  if (y1 < 0.0 || y0 >= h) return false;
  rect.y = max(0, floor_clamped(y0 / kTile, -1, ty));
  rect.w = min(ty - 1, floor_clamped(y1 / kTile, -1, ty));
  const float x0 = mean.x - r, x1 = mean.x + r;
  if (!wraps()) {
    if (x1 < 0.0 || x0 >= w) return false;
    rect.x = max(0, floor_clamped(x0 / kTile, -1, tx));
    rect.z = min(tx - 1, floor_clamped(x1 / kTile, -1, tx));
    return true;
  }
  int a = 0, b = tx - 1;
  if (x1 - x0 + 1.0 >= w) {
    a = 0, b = tx - 1;
  } else if (x0 < 0.0) {
    a = min(tx - 1, floor_clamped((x0 + w) / kTile, -1, tx));
    b = min(tx - 1, floor_clamped(x1 / kTile, -1, tx));
    if (a <= b) a = 0, b = tx - 1;
  } else if (x1 >= w) {
    a = min(tx - 1, floor_clamped(x0 / kTile, -1, tx));
    b = min(tx - 1, floor_clamped((x1 - w) / kTile, -1, tx));
    if (a <= b) a = 0, b = tx - 1;
  } else {
    a = floor_clamped(x0 / kTile, -1, tx);
    b = min(tx - 1, floor_clamped(x1 / kTile, -1, tx));
  }
  rect.x = a;
  rect.z = b;
  return true;
}

// SH coefficient k (rgb) of Gaussian i: floats 3 k .. 3 k + 2 of its packed record.
vec3 sh_coefficient(uint first_texel, uint k) {
  vec3 c;
  for (uint ch = 0u; ch < 3u; ++ch) {
    const uint f = 3u * k + ch;
    c[ch] = texelFetch(sh, int(first_texel + f / 4u))[f % 4u];
  }
  return c;
}

void main() {
  const uint i = gaussian_index();
  if (i >= pc.image.w) return;
  const int record = int(i * kGaussProjectedTexels);
  imageStore(projected, record + 3, uvec4(uint(kGaussCulled), 0u, 0u, 0u));
  const vec4 t0 = texelFetch(cloud, int(i * kGaussCloudTexels));
  const vec4 t1 = texelFetch(cloud, int(i * kGaussCloudTexels + 1u));
  const vec4 q = texelFetch(cloud, int(i * kGaussCloudTexels + 2u));
  // Layer mask (and defects, flagged -1 on upload: NaN checks are unreliable on some drivers).
  if (t1.w < 0.0) return;
  if (((pc.params.z >> 16) & 1u) != 0u) {
    const uint layer = uint(t1.w);
    if ((layer_mask[layer >> 5] & (1u << (layer & 31u))) == 0u) return;
  }
  const vec3 p = t0.xyz, log_s = t1.xyz;
  const float logit = t0.w;
  const float qn = sqrt(q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w);
  const mat3 W = transpose(mat3(pc.rotation_row0.xyz, pc.rotation_row1.xyz, pc.rotation_row2.xyz));
  const vec3 t = W * p + vec3(pc.rotation_row0.w, pc.rotation_row1.w, pc.rotation_row2.w);
  const float depth = wraps() ? length(t) : -t.z;
  if (!(depth > pc.eye_near.w)) return;
  const mat3 R = rotation_matrix(q.x / qn, q.y / qn, q.z / qn, q.w / qn);
  const vec3 s = exp(log_s);
  mat3 M = R;
  for (int c = 0; c < 3; ++c) M[c] *= s[c];
  const mat3 sigma = M * transpose(M);
  // project_point() of gaussian_raster.h.
  vec2 mean;
  mat3x2 J;
  if (!wraps()) {
    const float zc = -t.z, inv_z = 1.0 / zc;
    const float fx = pc.intrinsics.x, fy = pc.intrinsics.y;
    mean = vec2(pc.intrinsics.z + fx * t.x * inv_z, pc.intrinsics.w - fy * t.y * inv_z);
    const float tx = clamp(t.x * inv_z, -pc.limits.x, pc.limits.x) * zc;
    const float ty = clamp(t.y * inv_z, -pc.limits.y, pc.limits.y) * zc;
    J[0][0] = fx * inv_z, J[1][0] = 0.0, J[2][0] = fx * tx * inv_z * inv_z;
    J[0][1] = 0.0, J[1][1] = -fy * inv_z, J[2][1] = -fy * ty * inv_z * inv_z;
  } else {
    const float w = float(pc.image.x), h = float(pc.image.y);
    const float rho2 = t.x * t.x + t.z * t.z, r2 = rho2 + t.y * t.y;
    const float rho = sqrt(rho2), r = sqrt(r2);
    mean = vec2(w * (0.5 + atan(t.x, -t.z) / (2.0 * kPi)), h * (0.5 - atan(t.y, rho) / kPi));
    const float rho_c = max(rho, 1e-3 * r);
    const float ku = w / (2.0 * kPi * rho_c * rho_c), kv = h / (kPi * r2);
    J[0][0] = -ku * t.z, J[1][0] = 0.0, J[2][0] = ku * t.x;
    J[0][1] = kv * t.x * t.y / rho_c, J[1][1] = -kv * rho, J[2][1] = kv * t.z * t.y / rho_c;
  }
  const mat3x2 T = J * W;
  const mat2 cov = T * sigma * transpose(T);
  const float a = cov[0][0] + kLowPass, b = cov[0][1], c = cov[1][1] + kLowPass;
  const float det = a * c - b * b;
  if (!(det > 0.0)) return;
  const float mid = 0.5 * (a + c);
  const float root = sqrt(max(0.1, mid * mid - det));
  const float lambda = max(mid + root, mid - root);
  const int radius = int(min(ceil(3.0 * sqrt(lambda)), float(1 << 24)));
  if (radius <= 0) return;
  const float opacity = logit >= 0.0 ? 1.0 / (1.0 + exp(-logit)) : exp(logit) / (1.0 + exp(logit));
  // Half sides of the box where alpha can reach 1/255 (the CPU's, rasterize() of
  // gaussian_render.cpp): q <= 2 ln(255 opacity), |d| <= sqrt(q_max cov) + 1 px per axis; -1 when
  // opacity < 1/255 (never drawn).
  const float q_max = 2.0 * log(opacity / kGaussMinAlpha);
  const bool shows = opacity >= kGaussMinAlpha;
  const float half_x = shows ? sqrt(q_max * a) + 1.0 : -1.0;
  const float half_y = shows ? sqrt(q_max * c) + 1.0 : -1.0;
  if (!shows) return;
  // The CPU bins by the 3-sigma radius and blends only inside the box: the tiles where it blends
  // are those the smaller of the two reaches (a pixel more covers pixel centres and rounding), and
  // fewer tile entries make every later pass cheaper.
  const vec2 reach = min(vec2(float(radius)), vec2(half_x, half_y) + 1.0);
  ivec4 rect;
  if (!tile_rect(mean, reach, rect)) return;
  // Colour from SH along eye -> mean (sh_basis() of spherical_harmonics.h).
  vec3 dir = p - pc.eye_near.xyz;
  const float dir_len = length(dir);
  dir = dir_len > 0.0 ? dir / dir_len : vec3(0.0, 0.0, 1.0);
  const uint stride = pc.params.z & 0xffu, degree = (pc.params.z >> 8) & 0xffu;
  const uint first = i * ((3u * stride + 3u) / 4u);
  const float x = dir.x, y = dir.y, z = dir.z;
  vec3 color = vec3(0.5) + 0.28209479177387814 * sh_coefficient(first, 0u);
  if (degree >= 1u) {
    const float c1 = 0.4886025119029199;
    color += -c1 * y * sh_coefficient(first, 1u) + c1 * z * sh_coefficient(first, 2u) -
             c1 * x * sh_coefficient(first, 3u);
  }
  if (degree >= 2u) {
    const float xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, xz = x * z;
    color += 1.0925484305920792 * xy * sh_coefficient(first, 4u) +
             -1.0925484305920792 * yz * sh_coefficient(first, 5u) +
             0.31539156525252005 * (2.0 * zz - xx - yy) * sh_coefficient(first, 6u) +
             -1.0925484305920792 * xz * sh_coefficient(first, 7u) +
             0.5462742152960396 * (xx - yy) * sh_coefficient(first, 8u);
    if (degree >= 3u) {
      color += -0.5900435899266435 * y * (3.0 * xx - yy) * sh_coefficient(first, 9u) +
               2.890611442640554 * xy * z * sh_coefficient(first, 10u) +
               -0.4570457994644658 * y * (4.0 * zz - xx - yy) * sh_coefficient(first, 11u) +
               0.3731763325901154 * z * (2.0 * zz - 3.0 * xx - 3.0 * yy) *
                   sh_coefficient(first, 12u) +
               -0.4570457994644658 * x * (4.0 * zz - xx - yy) * sh_coefficient(first, 13u) +
               1.445305721320277 * z * (xx - yy) * sh_coefficient(first, 14u) +
               -0.5900435899266435 * x * (xx - 3.0 * yy) * sh_coefficient(first, 15u);
    }
  }
  color = max(color, vec3(0.0));
  imageStore(projected, record, floatBitsToUint(vec4(mean, depth, half_x)));
  imageStore(projected, record + 1, floatBitsToUint(vec4(c / det, -b / det, a / det, opacity)));
  imageStore(projected, record + 2, floatBitsToUint(vec4(color, half_y)));
  imageStore(projected, record + 3, uvec4(rect));
  const uint span = rect_span_x(rect);
  for (int ty = rect.y; ty <= rect.w; ++ty)
    for (uint k = 0u; k < span; ++k)
      atomicAdd(tile_counts[uint(ty) * tiles_x() + (uint(rect.x) + k) % tiles_x()], 1u);
}
