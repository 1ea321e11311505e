// Portable vectorisation for the field's hot loops: GCC/Clang vector types (8 floats), and
// function clones for AVX2+FMA CPUs (x86-64-v3) chosen at load time, so a portable build still
// runs the wide code where the CPU has it.
#pragma once

#include <cstring>

// Vector values never cross a call boundary between differently compiled functions here (the
// helpers are always inlined into their callers), so the psABI note about passing 32-byte vectors
// does not apply. Included only by .cpp files of neural/field, for the rest of that file.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace strata::simd {

typedef float f8 __attribute__((vector_size(32)));

#define STRATA_SIMD_INLINE inline __attribute__((always_inline))

STRATA_SIMD_INLINE f8 load8(const float* p) {
  f8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
STRATA_SIMD_INLINE void store8(float* p, f8 v) {
  std::memcpy(p, &v, sizeof(v));
}
STRATA_SIMD_INLINE f8 splat8(float s) {
  return f8{s, s, s, s, s, s, s, s};
}
STRATA_SIMD_INLINE float sum8(f8 v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

}  // namespace strata::simd

// Marks a function to be compiled twice (x86-64-v3 and baseline) with the choice made once at
// load time (GCC ifunc). Only on x86-64 GCC outside CUDA; elsewhere the function is compiled once.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__CUDACC__) && \
    !defined(__SANITIZE_ADDRESS__)
#define STRATA_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define STRATA_VECTOR_CLONES
#endif
