/* SPDX-License-Identifier: MIT
 * The input-projection GEMM written once over the vector vocabulary; included after one vec_*.h.
 * Register tile: mr rows x np panels x GEMM_NV vectors of accumulators, each accumulator lane one
 * output element's FMA chain (vectorised across output columns, never across k), run over all of
 * k in one go: g is written once, no partial chain is ever stored. Cache blocking is over rows
 * only: a block of rows of a stays in L2 while the panels stream past it. (Chunks of k sized for
 * the panel's 12-20 KiB to stay in L1 across a block's row tiles, the chains stored to g and
 * reloaded between chunks, measured 1.04-1.12x slower on AVX2: I = H = 1024, B = 8 and 64,
 * T = 16; I = 512, H = 64, B = 1 and 32, T = 8.) */
#ifndef GRU_SRC_GEMM_IMPL_H
#define GRU_SRC_GEMM_IMPL_H

#include "gemm.h"
#include "wload_impl.h"

/* Accumulator budget per ISA (16 vector registers on AVX2, 32 elsewhere); rows per tile are
 * gru_gemm_mr_* in gemm.h, which the threads' row chunks round to. AVX2: 4 rows x 24 columns
 * measured faster than 6 x 16 (fewer row-tail tiles, more columns per broadcast of a). */
#define gemm_acc_c 16
#define gemm_acc_avx2 12
#define gemm_acc_avx512 24
#define gemm_acc_neon 24

#define GEMM_NR GRU_ISA_FN(gru_gemm_nr)
#define GEMM_NV (GEMM_NR / VL)
#define GEMM_MR GRU_ISA_FN(gru_gemm_mr)
#define GEMM_ACC GRU_ISA_FN(gemm_acc)
#define GEMM_PMAX 4
#define GEMM_MC 192               /* most rows per row block */
#define GEMM_L2_A (384 * 1024)    /* bytes of a per row block: 3/4 of a 512 KiB L2 */
/* Panels a tile of r rows covers at once when m is small: enough independent chains to hide
 * the FMA latency, within the register budget. */
#define GEMM_P(r)                                                                                 \
    ((r) * GEMM_NV * GEMM_PMAX <= GEMM_ACC ? GEMM_PMAX                                            \
     : (r) * GEMM_NV * 3 <= GEMM_ACC     ? 3                                                      \
     : (r) * GEMM_NV * 2 <= GEMM_ACC     ? 2                                                      \
                                         : 1)

_Static_assert(GEMM_NR % VL == 0, "gemm panel width must be a multiple of the vector length");

#define GEMM_ALWAYS_INLINE static inline __attribute__((always_inline))

/* Stores the lanes of a vector whose first column is `rem` columns before the end of a row: a
 * whole vector, a partial one, or nothing. */
GEMM_ALWAYS_INLINE void gemm_store_cols(float *p, vf x, ptrdiff_t rem) {
    if (rem >= VL)
        vf_store(p, x);
    else if (rem > 0)
        vf_store_n(p, x, (size_t)rem);
}

/* One tile: rows a[0..mr), panels wp[0..np) (pstride bytes apart) of type wt, every k;
 * ncols = valid columns from the tile's first column (may exceed np * NR). int8: the chains start
 * from 0 and end with one fma(scale, chain, start). */
GEMM_ALWAYS_INLINE void gemm_tile(float *g, size_t ldg, const float *a, size_t lda, const unsigned char *wp,
                                  size_t pstride, const float *start, size_t kdim, size_t ncols, const int mr,
                                  const int np, const gru_weight_type wt) {
    const int i8 = wt == GRU_WEIGHTS_INT8;
    vf acc[GEMM_MR][GEMM_PMAX][GEMM_NV];
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++)
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
#pragma GCC unroll 8
            for (int v = 0; v < GEMM_NV; v++)
                acc[i][p][v] = start && !i8 ? vf_load(start + p * GEMM_NR + v * VL) : vf_set1(0.0f);
    const unsigned char *w = wp;
    for (size_t k = 0; k < kdim; k++, w += GEMM_NR * gru_weight_bytes(wt)) {
        vf wv[GEMM_PMAX][GEMM_NV];
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
#pragma GCC unroll 8
            for (int v = 0; v < GEMM_NV; v++) wv[p][v] = wt_load(w + p * pstride, (size_t)v * VL, wt);
#pragma GCC unroll 16
        for (int i = 0; i < mr; i++) {
            const vf b = vf_set1(a[i * lda + k]);
#pragma GCC unroll 4
            for (int p = 0; p < np; p++)
#pragma GCC unroll 8
                for (int v = 0; v < GEMM_NV; v++) acc[i][p][v] = vf_fma(b, wv[p][v], acc[i][p][v]);
        }
    }
    if (i8) /* the scales follow the panel's weights */
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
#pragma GCC unroll 8
            for (int v = 0; v < GEMM_NV; v++) {
                const vf s = vf_load((const float *)(wp + p * pstride + kdim * GEMM_NR) + v * VL);
                const vf s0 = start ? vf_load(start + p * GEMM_NR + v * VL) : vf_set1(0.0f);
#pragma GCC unroll 16
                for (int i = 0; i < mr; i++) acc[i][p][v] = vf_fma(s, acc[i][p][v], s0);
            }
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++)
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
#pragma GCC unroll 8
            for (int v = 0; v < GEMM_NV; v++) {
                const size_t col = (size_t)p * GEMM_NR + (size_t)v * VL;
                gemm_store_cols(g + i * ldg + col, acc[i][p][v], (ptrdiff_t)ncols - (ptrdiff_t)col);
            }
}

/* All panels for a tile of MR_ rows (a compile-time constant), np = GEMM_P(MR_) at a time when
 * `group` is set, one at a time otherwise. */
#define GEMM_ROW_TILE(MR_)                                                                                  \
    GEMM_ALWAYS_INLINE void gemm_rows_##MR_(float *g, size_t ldg, const float *a, size_t lda,                \
                                            const unsigned char *wp, const float *start, size_t n, size_t kdim, \
                                            size_t p0, size_t p1, int group, const gru_weight_type wt) {      \
        const size_t pstride = gru_gemm_panel_bytes(kdim, GEMM_NR, wt);                                    \
        size_t p = p0;                                                                                      \
        if (group && GEMM_P(MR_) > 1)                                                                       \
            for (; p + GEMM_P(MR_) <= p1; p += GEMM_P(MR_))                                                 \
                gemm_tile(g + p * GEMM_NR, ldg, a, lda, wp + p * pstride, pstride,                          \
                          start ? start + p * GEMM_NR : NULL, kdim, n - p * GEMM_NR, MR_, GEMM_P(MR_), wt); \
        for (; p < p1; p++)                                                                                 \
            gemm_tile(g + p * GEMM_NR, ldg, a, lda, wp + p * pstride, pstride,                              \
                      start ? start + p * GEMM_NR : NULL, kdim, n - p * GEMM_NR, MR_, 1, wt);             \
    }
GEMM_ROW_TILE(1)
GEMM_ROW_TILE(2)
GEMM_ROW_TILE(3)
GEMM_ROW_TILE(4)
#if GEMM_MR > 4
GEMM_ROW_TILE(5)
GEMM_ROW_TILE(6)
#endif
#if GEMM_MR > 6
#error "gemm: add row tiles up to GEMM_MR"
#endif

/* Every row tile of one weight type, not inlined (one copy per type, as for fp32 before types). */
#define GEMM_ROWS(type, wt)                                                                                    \
    static void gemm_rows_##type(float *g, size_t ldg, const float *a, size_t lda, const unsigned char *wp,    \
                                 const float *start, size_t n, size_t kdim, size_t p0, size_t p1, size_t mr,   \
                                 int group) {                                                              \
        switch (mr) {                                                                                      \
        case 1: gemm_rows_1(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break;                 \
        case 2: gemm_rows_2(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break;                 \
        case 3: gemm_rows_3(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break;                 \
        case 4: gemm_rows_4(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break;                 \
            GEMM_ROWS_6(wt)                                                                                \
        default: break;                                                                                    \
        }                                                                                                  \
    }
#if GEMM_MR > 4
#define GEMM_ROWS_6(wt)                                                                    \
    case 5: gemm_rows_5(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break; \
    case 6: gemm_rows_6(g, ldg, a, lda, wp, start, n, kdim, p0, p1, group, wt); break;
#else
#define GEMM_ROWS_6(wt)
#endif
GEMM_ROWS(f32, GRU_WEIGHTS_F32)
GEMM_ROWS(f16, GRU_WEIGHTS_F16)
GEMM_ROWS(bf16, GRU_WEIGHTS_BF16)
GEMM_ROWS(i8, GRU_WEIGHTS_INT8)

GEMM_ALWAYS_INLINE void gemm_rows(float *g, size_t ldg, const float *a, size_t lda, const unsigned char *wp,
                                  const float *start, size_t n, size_t kdim, size_t p0, size_t p1, size_t mr, int group,
                                  const gru_weight_type wt) {
    switch (wt) {
    case GRU_WEIGHTS_F32: gemm_rows_f32(g, ldg, a, lda, wp, start, n, kdim, p0, p1, mr, group); break;
    case GRU_WEIGHTS_F16: gemm_rows_f16(g, ldg, a, lda, wp, start, n, kdim, p0, p1, mr, group); break;
    case GRU_WEIGHTS_BF16: gemm_rows_bf16(g, ldg, a, lda, wp, start, n, kdim, p0, p1, mr, group); break;
    case GRU_WEIGHTS_INT8: gemm_rows_i8(g, ldg, a, lda, wp, start, n, kdim, p0, p1, mr, group); break;
    case GRU_WEIGHTS_INT8_DYNAMIC: break; /* not instantiated: its gemm slot is int8's */
    }
}

/* Rows per block: the block's rows of a (mc x kdim floats) stay in L2 while every panel passes;
 * blocks of equal size (multiples of GEMM_MR) so no block is a thin tail. */
static inline size_t gemm_mc(size_t m, size_t kdim) {
    size_t most = GEMM_L2_A / (kdim * sizeof(float)) / GEMM_MR * GEMM_MR;
    most = most < GEMM_MR ? GEMM_MR : most > GEMM_MC ? GEMM_MC : most;
    const size_t blocks = (m + most - 1) / most, rows = (m + blocks - 1) / blocks;
    return (rows + GEMM_MR - 1) / GEMM_MR * GEMM_MR;
}

GEMM_ALWAYS_INLINE void gemm_run(float *g, size_t ldg, const float *a, size_t lda, const void *wpv,
                                 const float *start, size_t m, size_t n, size_t kdim, const gru_weight_type wt) {
    const unsigned char *wp = (const unsigned char *)wpv;
    const size_t npanel = (n + GEMM_NR - 1) / GEMM_NR, mc = gemm_mc(m, kdim);
    for (size_t m0 = 0; m0 < m; m0 += mc) {
        const size_t mn = m - m0 < mc ? m - m0 : mc, full = m0 + mn / GEMM_MR * GEMM_MR;
        for (size_t p = 0; p < npanel; p++) /* one panel (L1/L2) against a row block (L2) */
            for (size_t i = m0; i < full; i += GEMM_MR)
                gemm_rows(g + i * ldg, ldg, a + i * lda, lda, wp, start, n, kdim, p, p + 1, GEMM_MR, 0, wt);
        if (full < m0 + mn) /* the last rows: several panels per tile for enough chains */
            gemm_rows(g + full * ldg, ldg, a + full * lda, lda, wp, start, n, kdim, 0, npanel, m0 + mn - full, 1, wt);
    }
}

#endif /* GRU_SRC_GEMM_IMPL_H */
