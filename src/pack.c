/* SPDX-License-Identifier: MIT
 * Packing into the kernels' layouts, converting to the storage type on the way. Each source
 * row (a GEMM column, a W_hh row) is read contiguously; destinations are written in k blocks
 * that stay in L1, with the next source rows prefetched (goal: <= 20 ms at I = H = 1024). */
#include "pack.h"

#include <math.h>

#include "common.h"

#define PACK_KB 256 /* k per block: a block of a panel or sub-block is at most 256 * 64 * 4 bytes */
#define PACK_INLINE static inline __attribute__((always_inline))

/* The packers read each source row in blocks of at most PACK_KB weights (1 KiB of fp32), one row
 * after the other: runs too short for the hardware prefetchers, so each waited on memory. The
 * block of the row PACK_AHEAD places on is requested while this one packs (measured, fp32,
 * I = H = 1024: 10.3 -> ~6 ms of packing; fresh-process model creation, median of 14:
 * 18.7 -> 16.0 ms). */
#define PACK_AHEAD 2
static inline void prefetch_row(const float *src, size_t n) { gru_prefetch_bytes((uintptr_t)src, n * sizeof(float)); }

/* Stores w as element i of dst in type t (scale s for int8). */
PACK_INLINE void put(void *dst, size_t i, float w, float s, const gru_weight_type t) {
    switch (t) {
    case GRU_WEIGHTS_F32: ((float *)dst)[i] = w; break;
    case GRU_WEIGHTS_F16: ((uint16_t *)dst)[i] = gru_f32_to_f16(w); break;
    case GRU_WEIGHTS_BF16: ((uint16_t *)dst)[i] = gru_f32_to_bf16(w); break;
    case GRU_WEIGHTS_INT8:
    case GRU_WEIGHTS_INT8_DYNAMIC: ((int8_t *)dst)[i] = gru_int8_quantize(w, s); break;
    }
}

/* gru_int8_quantize() of n <= PACK_KB weights of a row with scale s, written to vectorise. With
 * s normal, |w / s| <= 127 (1 + 2^-22) (s = fl(max|w| / 127)), so the quotient converts to int32
 * as is and the clamp is done on integers; zero or subnormal s takes the plain path. test_gemm
 * and test_gates compare the result with gru_int8_quantize() bit for bit. */
static void quantize_block(int8_t *q, const float *w, size_t n, float s) {
    if (!(s >= 0x1p-126f)) {
        for (size_t k = 0; k < n; k++) q[k] = gru_int8_quantize(w[k], s);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        const float x = w[k] / s;
        const int32_t t = (int32_t)x, odd = t & 1;
        const float d = x - (float)t;
        int32_t v = t + ((d > 0.5f) | ((d == 0.5f) & odd)) - ((d < -0.5f) | ((d == -0.5f) & odd));
        v = v > 127 ? 127 : v;
        q[k] = (int8_t)(v < -127 ? -127 : v);
    }
}

_Static_assert(PACK_KB % 2 == 0, "pack: k blocks must hold whole k pairs");
/* n <= PACK_KB weights src[0..n) of one row (NULL: zeros) into dst in type t (scale s for the int8
 * types): weight k as element i0 + k * stride, or, with `pairs`, as element i0 + k / 2 * stride +
 * k % 2, followed by a zero pad weight when n is odd (only a last block: PACK_KB is even).
 * Returns 0 if a weight is not below gru_weight_limit(t) (inf, NaN, or too large for t). */
PACK_INLINE int put_row(void *dst, size_t i0, size_t stride, int pairs, const float *src, size_t n, float s,
                        const gru_weight_type t) {
    const int i8 = gru_weight_type_scaled(t);
    const float limit = gru_weight_limit(t);
    int bad = 0;
    if (src)
        for (size_t k = 0; k < n; k++) bad |= !(fabsf(src[k]) < limit);
    int8_t q[PACK_KB];
    if (src && i8) quantize_block(q, src, n, s); /* contiguously (vectorised), then scattered */
    for (size_t k = 0; k < n; k++) {
        const size_t i = pairs ? i0 + k / 2 * stride + k % 2 : i0 + k * stride;
        if (src && i8)
            ((int8_t *)dst)[i] = q[k];
        else
            put(dst, i, src ? src[k] : 0.0f, s, t);
    }
    if (pairs && n % 2) put(dst, i0 + n / 2 * stride + 1, 0.0f, 0.0f, t);
    return !bad;
}

int gru_pack_gemm_bytes(size_t n, size_t kdim, size_t nr, gru_weight_type t, size_t *bytes) {
    t = gru_ih_weight_type(t);
    const size_t panels = n / nr + (n % nr != 0);
    size_t b;
    return gru_mul_ok(kdim, nr, &b) && gru_mul_ok(b, gru_weight_bytes(t), &b) &&
           gru_add_ok(b, t == GRU_WEIGHTS_INT8 ? nr * sizeof(float) : 0, &b) && gru_mul_ok(panels, b, bytes);
}

PACK_INLINE int pack_gemm_t(void *dst, const float *const *cols, size_t n, size_t kdim, size_t nr,
                            const gru_weight_type t) {
    const size_t panels = n / nr + (n % nr != 0), pb = gru_gemm_panel_bytes(kdim, nr, t);
    int ok = 1;
    for (size_t p = 0; p < panels; p++) {
        unsigned char *d = (unsigned char *)dst + p * pb;
        float *scale = (float *)(d + kdim * nr * gru_weight_bytes(t));
        for (size_t c = 0; c < nr && t == GRU_WEIGHTS_INT8; c++) {
            const size_t j = p * nr + c;
            scale[c] = j < n && cols[j] ? gru_int8_scale(cols[j], kdim) : 0.0f;
        }
        for (size_t k0 = 0; k0 < kdim; k0 += PACK_KB) {
            const size_t kn = kdim - k0 < PACK_KB ? kdim - k0 : PACK_KB;
            for (size_t c = 0; c < nr; c++) {
                const size_t j = p * nr + c;
                const float *src = j < n && cols[j] ? cols[j] + k0 : NULL;
                if (c + PACK_AHEAD < nr && j + PACK_AHEAD < n && cols[j + PACK_AHEAD])
                    prefetch_row(cols[j + PACK_AHEAD] + k0, kn);
                ok &= put_row(d, k0 * nr + c, nr, 0, src, kn, t == GRU_WEIGHTS_INT8 ? scale[c] : 0.0f, t);
            }
        }
    }
    return ok;
}

int gru_pack_gemm(void *dst, const float *const *cols, size_t n, size_t kdim, size_t nr, gru_weight_type t) {
    switch (gru_ih_weight_type(t)) {
    case GRU_WEIGHTS_F32: return pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_F32);
    case GRU_WEIGHTS_F16: return pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_F16);
    case GRU_WEIGHTS_BF16: return pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_BF16);
    case GRU_WEIGHTS_INT8: return pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_INT8);
    case GRU_WEIGHTS_INT8_DYNAMIC: break; /* mapped to int8 above */
    }
    return 1;
}

int gru_pack_gates_bytes(size_t hidden, size_t nb, size_t sub, gru_weight_type t, size_t *bytes) {
    const size_t blocks = hidden / nb + (hidden % nb != 0);
    size_t hp, b;
    /* the sub-block size, checked, then computed as the kernels do */
    if (!gru_mul_ok(blocks, nb, &hp) || !gru_mul_ok(hidden, 3 * sub, &b) || !gru_mul_ok(b, 4, &b) ||
        !gru_add_ok(b, 3 * sub * sizeof(float) + 3, &b))
        return 0;
    return gru_mul_ok(hp / sub, gru_gates_sub_bytes(hidden, sub, t), bytes);
}

/* Sub-blocks [k][gate][unit]; bf16 and int8dyn with k in pairs, [k / 2][gate][unit][k % 2] (the pad
 * weight of an odd H zero); int8 and int8dyn followed by the 3 * sub scales (weights.h). */
PACK_INLINE int pack_gates_t(void *dst, const float *w_hh, size_t H, size_t nb, size_t sub,
                             const gru_weight_type t) {
    const size_t subs = (H / nb + (H % nb != 0)) * (nb / sub), sb = gru_gates_sub_bytes(H, sub, t);
    const int scaled = gru_weight_type_scaled(t), pairs = gru_gates_k_pairs(t);
    int ok = 1;
    for (size_t s = 0; s < subs; s++) {
        unsigned char *d = (unsigned char *)dst + s * sb;
        float *scale = (float *)(d + gru_gates_sub_weights_bytes(H, sub, t));
        for (size_t g = 0; g < 3 && scaled; g++)
            for (size_t c = 0; c < sub; c++) {
                const size_t j = s * sub + c;
                scale[g * sub + c] = j < H ? gru_int8_scale(w_hh + (g * H + j) * H, H) : 0.0f;
            }
        for (size_t k0 = 0; k0 < H; k0 += PACK_KB) {
            const size_t kn = H - k0 < PACK_KB ? H - k0 : PACK_KB;
            for (size_t g = 0; g < 3; g++)
                for (size_t c = 0; c < sub; c++) {
                    const size_t j = s * sub + c;
                    const float *src = j < H ? w_hh + (g * H + j) * H + k0 : NULL;
                    const size_t ahead = g * sub + c + PACK_AHEAD, ja = s * sub + ahead % sub; /* in this order */
                    if (ahead < 3 * sub && ja < H) prefetch_row(w_hh + (ahead / sub * H + ja) * H + k0, kn);
                    const float sc = scaled ? scale[g * sub + c] : 0.0f;
                    if (pairs) /* k0 is even */
                        ok &= put_row(d, ((k0 / 2 * 3 + g) * sub + c) * 2, 6 * sub, 1, src, kn, sc, t);
                    else
                        ok &= put_row(d, (k0 * 3 + g) * sub + c, 3 * sub, 0, src, kn, sc, t);
                }
        }
        if (scaled) /* the padding before the scales */
            for (size_t i = (H + (pairs && H % 2)) * 3 * sub; i < gru_gates_sub_weights_bytes(H, sub, t); i++) d[i] = 0;
    }
    return ok;
}

int gru_pack_gates(void *dst, const float *w_hh, size_t hidden, size_t nb, size_t sub, gru_weight_type t) {
    switch (t) {
    case GRU_WEIGHTS_F32: return pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_F32);
    case GRU_WEIGHTS_F16: return pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_F16);
    case GRU_WEIGHTS_BF16: return pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_BF16);
    case GRU_WEIGHTS_INT8: return pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_INT8);
    case GRU_WEIGHTS_INT8_DYNAMIC: return pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_INT8_DYNAMIC);
    }
    return 1;
}
