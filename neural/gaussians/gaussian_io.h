// GaussianCloud files: Inria 3DGS PLY (read: binary little/big endian and ASCII, any property
// order; write: binary little endian), antimatter15 .splat (read and write) and Niantic SPZ
// (read: versions 2 and 3 as a gzip stream or raw, version 4 with zstd streams; write: 2, 3, 4).
//
// Every reader decodes to the same values (within each format's quantisation) in the Inria PLY's
// conventions: log scales, logit opacities, unit quaternions (w, x, y, z), DC and rest SH
// coefficients. SPZ stores its data in RUB axes (x right, y up, z back: the Niantic spec and
// library); PLY files from 3DGS are RDF (x right, y down, z forward). By default SPZ is converted
// RUB -> RDF on read and RDF -> RUB on write, as nianticlabs/spz's ply-to-spz and spz-to-ply do:
// y and z of positions flip, quaternions (w, x, y, z) become (w, x, -y, -z), and SH coefficients
// flip sign by their parity in y and z. Files written without that conversion (splat-transform
// writes SPZ "as PLY") read correctly with spz_rub_to_rdf = false.
//
// Bad input: a missing, truncated or malformed file, a header that declares more data than the
// file holds, a negative count, missing properties (all named), an SPZ with a wrong magic or an
// unsupported version, a truncated or corrupt gzip/zstd stream: InputError naming the file and
// what is wrong, before any allocation sized by the header. Gaussians with NaN are dropped with one
// warning that counts them; infinite values and zero-length quaternions are an InputError naming
// the Gaussian and the property (or dropped too, with drop_all_invalid).
#pragma once

#include <string>

#include "neural/gaussians/gaussian_cloud.h"

namespace strata {

struct GaussianReadOptions {
  bool drop_all_invalid = false;  // also drop (not reject) infinite values and zero quaternions
  bool spz_rub_to_rdf = true;     // convert SPZ's RUB axes to PLY's RDF (see above)
};

// Reads a Gaussian cloud, choosing the reader by the file's magic ("ply", "NGSP", gzip) and
// otherwise by its extension (.splat); unknown kinds are an InputError listing what is read.
GaussianCloud load_gaussian_cloud(const std::string& path, const GaussianReadOptions& options = {});

// Inria 3DGS PLY: needs x y z f_dc_0..2 opacity scale_0..2 rot_0..3; f_rest_* (0, 9, 24 or 45
// of them, channel-major) set the SH degree; an optional `layer` property sets layer ids; other
// properties (nx ny nz, ...) and other elements are ignored. Any scalar property type.
GaussianCloud read_gaussian_ply(const std::string& path, const GaussianReadOptions& options = {});
// Writes binary little-endian PLY in Inria's layout (x y z nx ny nz f_dc_0..2 f_rest_* opacity
// scale_0..2 rot_0..3, all float; normals zero), plus `property float layer` when any layer id is
// non-zero. Atomic. Exact: reading it back gives the same floats.
void write_gaussian_ply(const std::string& path, const GaussianCloud& cloud);

// antimatter15 .splat: 32 bytes a Gaussian (position float x3, linear scale float x3, RGBA u8 with
// colour = 0.5 + C0 * DC and alpha = opacity, quaternion u8 x4 as q * 128 + 128, w first). No SH
// rest, no layers. A zero linear scale reads as the smallest normal float.
GaussianCloud read_gaussian_splat(const std::string& path, const GaussianReadOptions& options = {});
// Writes .splat atomically (in cloud order; SH rest and layers are lost, colours clamp to 0..1).
void write_gaussian_splat(const std::string& path, const GaussianCloud& cloud);

// Niantic SPZ (see the file comment for axes). Quantisation: positions 24-bit fixed point with
// 2^-fractional_bits steps, log scales 1/16, opacity 1/255, DC 1/(0.15 * 255), rotations 8 bits
// (v2) or smallest-three 9 bits (v3, v4), SH rest 1/128. Degree-4 SH is read as degree 3.
GaussianCloud read_gaussian_spz(const std::string& path, const GaussianReadOptions& options = {});

struct SpzWriteOptions {
  int version = 3;               // 2 or 3: one gzip stream; 4: 32-byte header, zstd streams
  bool rdf_to_rub = true;        // convert PLY's RDF axes to SPZ's RUB (see the file comment)
  int max_fractional_bits = 12;  // fewer are used when positions would not fit in 24 bits
};
// Writes SPZ atomically. SH coefficients keep all 8 bits (no bucketing). Layers are lost.
void write_gaussian_spz(const std::string& path, const GaussianCloud& cloud,
                        const SpzWriteOptions& options = {});

}  // namespace strata
