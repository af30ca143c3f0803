/* SPDX-License-Identifier: MIT
 * Packing into the kernels' layouts, converting to the storage type on the way. Each source
 * row (a GEMM column, a W_hh row) is read contiguously; destinations are written in k blocks
 * that stay in L1, so packing runs at memory speed (goal: <= 20 ms at I = H = 1024). */
#include "pack.h"

#include <string.h>

#include "common.h"

#define PACK_KB 256 /* k per block: a block of a panel or sub-block is at most 256 * 64 * 4 bytes */
#define PACK_INLINE static inline __attribute__((always_inline))

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

/* Elements i0, i0 + stride, ... (n <= PACK_KB of them) of dst from src[0..n) (NULL: zeros). */
PACK_INLINE void put_row(void *dst, size_t i0, size_t stride, const float *src, size_t n, float s,
                         const gru_weight_type t) {
    if (src && t == GRU_WEIGHTS_INT8) { /* quantize contiguously (vectorised), then scatter */
        int8_t q[PACK_KB];
        quantize_block(q, src, n, s);
        for (size_t k = 0; k < n; k++) ((int8_t *)dst)[i0 + k * stride] = q[k];
    } else if (src)
        for (size_t k = 0; k < n; k++) put(dst, i0 + k * stride, src[k], s, t);
    else
        for (size_t k = 0; k < n; k++) put(dst, i0 + k * stride, 0.0f, 0.0f, t);
}

_Static_assert(PACK_KB % 2 == 0, "pack: k blocks must hold whole bf16 pairs");
/* bf16 pairs: src[k] (NULL: zeros) for k < n (n <= PACK_KB) as element i0 + k / 2 * stride + k % 2 of
 * dst, and the pad +0 after the last weight when n is odd (only a last block: PACK_KB is even). */
static void put_pairs(uint16_t *dst, size_t i0, size_t stride, const float *src, size_t n) {
    for (size_t k = 0; k < n; k++) dst[i0 + k / 2 * stride + k % 2] = src ? gru_f32_to_bf16(src[k]) : 0;
    if (n % 2) dst[i0 + n / 2 * stride + 1] = 0;
}

int gru_pack_gemm_bytes(size_t n, size_t kdim, size_t nr, gru_weight_type t, size_t *bytes) {
    t = gru_ih_weight_type(t);
    const size_t panels = n / nr + (n % nr != 0);
    size_t b;
    return gru_mul_ok(kdim, nr, &b) && gru_mul_ok(b, gru_weight_bytes(t), &b) &&
           gru_add_ok(b, t == GRU_WEIGHTS_INT8 ? nr * sizeof(float) : 0, &b) && gru_mul_ok(panels, b, bytes);
}

PACK_INLINE void pack_gemm_t(void *dst, const float *const *cols, size_t n, size_t kdim, size_t nr,
                             const gru_weight_type t) {
    const size_t panels = n / nr + (n % nr != 0), pb = gru_gemm_panel_bytes(kdim, nr, t);
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
                put_row(d, k0 * nr + c, nr, src, kn, t == GRU_WEIGHTS_INT8 ? scale[c] : 0.0f, t);
            }
        }
    }
}

void gru_pack_gemm(void *dst, const float *const *cols, size_t n, size_t kdim, size_t nr, gru_weight_type t) {
    switch (gru_ih_weight_type(t)) {
    case GRU_WEIGHTS_F32: pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_F32); break;
    case GRU_WEIGHTS_F16: pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_F16); break;
    case GRU_WEIGHTS_BF16: pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_BF16); break;
    case GRU_WEIGHTS_INT8: pack_gemm_t(dst, cols, n, kdim, nr, GRU_WEIGHTS_INT8); break;
    case GRU_WEIGHTS_INT8_DYNAMIC: break; /* mapped to int8 above */
    }
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

PACK_INLINE void pack_gates_t(void *dst, const float *w_hh, size_t H, size_t nb, size_t sub,
                              const gru_weight_type t) {
    const size_t subs = (H / nb + (H % nb != 0)) * (nb / sub), sb = gru_gates_sub_bytes(H, sub, t);
    for (size_t s = 0; s < subs; s++) {
        unsigned char *d = (unsigned char *)dst + s * sb;
        float *scale = (float *)(d + gru_gates_sub_weights_bytes(H, sub, t));
        for (size_t g = 0; g < 3 && t == GRU_WEIGHTS_INT8; g++)
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
                    if (t == GRU_WEIGHTS_BF16) /* [k / 2][gate][unit][k % 2]; k0 is even */
                        put_pairs((uint16_t *)d, ((k0 / 2 * 3 + g) * sub + c) * 2, 6 * sub, src, kn);
                    else
                        put_row(d, (k0 * 3 + g) * sub + c, 3 * sub, src, kn,
                                t == GRU_WEIGHTS_INT8 ? scale[g * sub + c] : 0.0f, t);
                }
        }
        if (t == GRU_WEIGHTS_INT8) /* the padding before the scales */
            for (size_t i = H * 3 * sub; i < gru_gates_sub_weights_bytes(H, sub, t); i++) d[i] = 0;
    }
}

/* int8dyn: the int8 quantizer, k in pairs: [k / 2][gate][unit][k % 2], the pad k = H of an odd H
 * zero (see weights.h). */
static void pack_gates_dyn(void *dst, const float *w_hh, size_t H, size_t nb, size_t sub) {
    const gru_weight_type t = GRU_WEIGHTS_INT8_DYNAMIC;
    const size_t subs = (H / nb + (H % nb != 0)) * (nb / sub), sb = gru_gates_sub_bytes(H, sub, t);
    const size_t wbytes = gru_gates_sub_weights_bytes(H, sub, t);
    for (size_t s = 0; s < subs; s++) {
        int8_t *d = (int8_t *)dst + s * sb;
        float *scale = (float *)(d + wbytes);
        memset(d, 0, wbytes);
        for (size_t g = 0; g < 3; g++)
            for (size_t c = 0; c < sub; c++) {
                const size_t j = s * sub + c;
                scale[g * sub + c] = j < H ? gru_int8_scale(w_hh + (g * H + j) * H, H) : 0.0f;
                if (j >= H) continue;
                for (size_t k0 = 0; k0 < H; k0 += PACK_KB) {
                    const size_t kn = H - k0 < PACK_KB ? H - k0 : PACK_KB; /* k0 even: pairs stay whole */
                    int8_t q[PACK_KB];
                    quantize_block(q, w_hh + (g * H + j) * H + k0, kn, scale[g * sub + c]);
                    for (size_t k = k0; k < k0 + kn; k++) d[((k / 2 * 3 + g) * sub + c) * 2 + k % 2] = q[k - k0];
                }
            }
    }
}

void gru_pack_gates(void *dst, const float *w_hh, size_t hidden, size_t nb, size_t sub, gru_weight_type t) {
    switch (t) {
    case GRU_WEIGHTS_F32: pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_F32); break;
    case GRU_WEIGHTS_F16: pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_F16); break;
    case GRU_WEIGHTS_BF16: pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_BF16); break;
    case GRU_WEIGHTS_INT8: pack_gates_t(dst, w_hh, hidden, nb, sub, GRU_WEIGHTS_INT8); break;
    case GRU_WEIGHTS_INT8_DYNAMIC: pack_gates_dyn(dst, w_hh, hidden, nb, sub); break;
    }
}
