/* SPDX-License-Identifier: MIT
 * Storage types of packed weights (gru_weight_type): element sizes and the narrowing
 * conversions done at pack time. Portable C, no ISA flags; the widening direction is exact and
 * lives in the vector vocabulary (vf_load_f16/bf16/i8) and src/io/half.h.
 *   fp16, bf16: round to nearest, ties to even; overflow gives +-inf; NaN stays NaN, made quiet
 *     (so every ISA's widening gives the same bits); fp16 keeps subnormals.
 *   int8: per output row w[0..n): s = max|w| / 127 (fp32 division; 0 for an all-zero row),
 *     q = round-half-even(w / s) clamped to [-127, 127] (0 where s = 0); a row holding inf or NaN
 *     gets s = NaN and q = 0, so everything it feeds is NaN. The value stored is s * q.
 * gru_model_create refuses inf, NaN and any weight at or above gru_weight_limit() of its type, so
 * through the API every stored weight is finite; the rules above keep these functions total. */
#ifndef GRU_SRC_WEIGHTS_H
#define GRU_SRC_WEIGHTS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gru/gru.h"

#define GRU_WEIGHT_TYPES 5

/* The types stored as int8 integers with one fp32 scale per output row (int8, int8dyn). */
static inline int gru_weight_type_scaled(gru_weight_type t) {
    return t == GRU_WEIGHTS_INT8 || t == GRU_WEIGHTS_INT8_DYNAMIC;
}
/* The types whose gates sub-blocks hold k in pairs, [k / 2][gate][unit][k % 2] (bf16, int8dyn). */
static inline int gru_gates_k_pairs(gru_weight_type t) { return t == GRU_WEIGHTS_BF16 || t == GRU_WEIGHTS_INT8_DYNAMIC; }
/* Bytes per stored weight, by gru_weight_type. */
static inline size_t gru_weight_bytes(gru_weight_type t) {
    return t == GRU_WEIGHTS_F32 ? 4 : gru_weight_type_scaled(t) ? 1 : 2;
}
/* The type W_ih is stored and projected in: int8dyn's W_ih is plain int8 (weight-only; the
 * projection's conversions are amortised over T * B rows). */
static inline gru_weight_type gru_ih_weight_type(gru_weight_type t) {
    return t == GRU_WEIGHTS_INT8_DYNAMIC ? GRU_WEIGHTS_INT8 : t;
}

static inline uint32_t gru_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline uint16_t gru_f32_to_bf16(float f) {
    const uint32_t u = gru_f32_bits(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)(u >> 16 | 0x40u); /* NaN: quiet, top payload */
    return (uint16_t)((u + 0x7FFFu + (u >> 16 & 1u)) >> 16);                  /* carries into the exponent */
}

static inline uint16_t gru_f32_to_f16(float f) {
    const uint32_t u = gru_f32_bits(f), sign = u >> 16 & 0x8000u, a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) return (uint16_t)(sign | 0x7E00u | (a >> 13 & 0x1FFu)); /* NaN: quiet, top payload */
    if (a >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u); /* >= 65520 = 65504 + half an ulp: inf (tie to even) */
    if (a >= 0x38800000u) { /* normal in fp16: rebias 127 -> 15, drop 13 bits to nearest even */
        const uint32_t r = a - (112u << 23);
        return (uint16_t)(sign | (r + 0xFFFu + (r >> 13 & 1u)) >> 13);
    }
    if (a <= 0x33000000u) return (uint16_t)sign; /* <= 2^-25, half the least subnormal: ties to 0 */
    /* Subnormal in fp16: q = value / 2^-24 = mant * 2^(e - 126), shift >= 14, ties to even;
     * q = 0x400 is the least normal, which is also its encoding. */
    const uint32_t e = a >> 23, mant = (a & 0x7FFFFFu) | 0x800000u, sh = 126 - e;
    const uint32_t q = mant >> sh, rest = mant & ((1u << sh) - 1), half = 1u << (sh - 1);
    return (uint16_t)(sign | (q + (rest > half || (rest == half && (q & 1u)))));
}

/* The least |w| that does not convert to a finite value of type t: fp16 rounds 65520 (65504 + half
 * an ulp) up to inf, bf16 rounds 0x1.FF0p127 up; fp32 and int8 take every finite value. */
static inline float gru_weight_limit(gru_weight_type t) {
    return t == GRU_WEIGHTS_F16 ? 65520.0f : t == GRU_WEIGHTS_BF16 ? 0x1.FFp127f : INFINITY;
}

/* The values check of the public entry points (weights.c, on gru_find_above of common.h):
 * GRU_OK when every one of the rows x cols floats at p is finite in storage type t (|value| <
 * gru_weight_limit(t); fp32: finite); else GRU_ERR_INVALID with the message "<fn>: <what>[r][c] is
 * nan: values must be finite" (one index when cols is 0: a vector), or for a finite value
 * "... = 65520 does not fit fp16 (|w| must be below 65520)". Inputs and fp32 arrays: t = fp32. */
gru_status gru_check_values(const char *fn, const char *what, const float *p, size_t rows, size_t cols,
                            gru_weight_type t);

/* round-half-even of a finite x with |x| < 2^31, as an integer. Exact and independent of the
 * rounding mode: the truncation t and the remainder x - t are exact. */
static inline int32_t gru_round_even(float x) {
    const int32_t t = (int32_t)x, odd = t & 1;
    const float d = x - (float)t; /* in (-1, 1), same sign as x; branch-free (random data) */
    return t + ((d > 0.5f) | ((d == 0.5f) & odd)) - ((d < -0.5f) | ((d == -0.5f) & odd));
}

/* The int8 scale of a row of n weights (see above). */
static inline float gru_int8_scale(const float *w, size_t n) {
    float amax = 0.0f;
    int finite = 1;
    for (size_t k = 0; k < n; k++) {
        const float a = fabsf(w[k]);
        finite &= a <= 0x1.fffffep127f; /* false for inf and NaN */
        amax = a > amax ? a : amax;
    }
    return finite ? amax / 127.0f : nanf("");
}

/* q for one weight of a row with scale s (0 unless s > 0). */
static inline int8_t gru_int8_quantize(float w, float s) {
    if (!(s > 0.0f)) return 0;
    const float x = w / s; /* |x| <= 127 + rounding, or huge when s underflowed: clamp first */
    if (!(x < 127.5f)) return 127;
    if (!(x > -127.5f)) return -127;
    const int32_t v = gru_round_even(x);
    return (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
}

/* Packed sizes the kernels step by (the overflow-checked totals are in pack.h). A GEMM panel of
 * nr columns: kdim * nr weights (k-major), then for int8 the nr column scales (floats; nr is a
 * multiple of 4, so they are 4-byte aligned); int8dyn's GEMM is int8's. A gates sub-block of sub
 * units: H * 3 * sub weights ([k][gate][unit]), then for int8 padding to 4 bytes and the 3 * sub
 * scales ([gate][unit]). int8dyn: k in pairs, H rounded up to even (the pad weight 0):
 * [k / 2][gate][unit][k % 2], then padding to 4 bytes and the scales, as for int8. bf16: k in pairs
 * the same way, [k / 2][gate][unit][k % 2] (pad weight +0 where H is odd), so one vector load
 * gives the weights of two successive k (vf_load_bf16x2). */
static inline size_t gru_gemm_panel_bytes(size_t kdim, size_t nr, gru_weight_type t) {
    t = gru_ih_weight_type(t);
    return kdim * nr * gru_weight_bytes(t) + (t == GRU_WEIGHTS_INT8 ? nr * sizeof(float) : 0);
}
static inline size_t gru_gates_sub_weights_bytes(size_t hidden, size_t sub, gru_weight_type t) {
    if (gru_gates_k_pairs(t)) hidden += hidden & 1;
    const size_t b = hidden * 3 * sub * gru_weight_bytes(t);
    return gru_weight_type_scaled(t) ? (b + 3) & ~(size_t)3 : b;
}
static inline size_t gru_gates_sub_bytes(size_t hidden, size_t sub, gru_weight_type t) {
    return gru_gates_sub_weights_bytes(hidden, sub, t) + (gru_weight_type_scaled(t) ? 3 * sub * sizeof(float) : 0);
}

#endif /* GRU_SRC_WEIGHTS_H */
