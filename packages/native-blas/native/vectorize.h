// Loops marked NEXTX_VECTOR_CLONES are compiled for AVX-512, AVX2 and the baseline and chosen at load time (GCC/Clang
// function multi-versioning on x86-64 Linux); elsewhere they are compiled once for the build's target.
#pragma once

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define NEXTX_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NEXTX_VECTOR_CLONES
#endif
