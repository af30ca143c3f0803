/* SPDX-License-Identifier: MIT
 * Internal helpers shared by every file: errors, checked size arithmetic, aligned memory. */
#ifndef GRU_SRC_COMMON_H
#define GRU_SRC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "gru/gru.h"

#define GRU_ALIGN 64 /* cache line; also the widest vector (AVX-512) */

/* GRU_ISA_FN(name) -> name_<VEC_SUFFIX>: the symbol a kernel template instantiates per ISA. */
#define GRU_PASTE_(a, b) a##_##b
#define GRU_PASTE(a, b) GRU_PASTE_(a, b)
#define GRU_ISA_FN(name) GRU_PASTE(name, VEC_SUFFIX)

/* Declares name_c, name_avx2, name_avx512 and name_neon with the signature macro `decl`. */
#define GRU_DECL_ISA_FNS(decl, name) \
    decl(name##_c);                   \
    decl(name##_avx2);                \
    decl(name##_avx512);              \
    decl(name##_neon)

/* Records a printf-style message for gru_last_error() on this thread and returns s. */
gru_status gru_error(gru_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void gru_clear_error(void);

/* *r = a * b; returns 0 on overflow. */
static inline int gru_mul_ok(size_t a, size_t b, size_t *r) { return !__builtin_mul_overflow(a, b, r); }
/* *r = a + b; returns 0 on overflow. */
static inline int gru_add_ok(size_t a, size_t b, size_t *r) { return !__builtin_add_overflow(a, b, r); }
/* Rounds n up to a multiple of GRU_ALIGN; 0 on overflow. */
static inline int gru_align_ok(size_t n, size_t *r) {
    if (n > SIZE_MAX - (GRU_ALIGN - 1)) return 0;
    *r = (n + GRU_ALIGN - 1) & ~(size_t)(GRU_ALIGN - 1);
    return 1;
}

/* Asks for every cache line of the bytes [p, p + n) (into L1). An integer address: it may lie
 * past an object, and a prefetch never faults. */
static inline void gru_prefetch_bytes(uintptr_t p, size_t n) {
    for (size_t o = 0; o < n; o += GRU_ALIGN) __builtin_prefetch((const void *)(p + o));
}

/* Index of the first p[i], i < n, with !(|p[i]| < limit), or n when there is none. limit =
 * INFINITY finds the first inf or NaN: the check public entry points run on their float data
 * before anything is written (inputs at each call; biases and heads at creation; the packers test
 * the weights as they read them, see pack.h). */
size_t gru_find_above(const float *p, size_t n, float limit);

/* 64-byte aligned allocation; NULL on failure or bytes == 0. Free with gru_free. */
void *gru_malloc(size_t bytes);
void gru_free(void *p);

#endif /* GRU_SRC_COMMON_H */
