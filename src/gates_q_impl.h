/* SPDX-License-Identifier: MIT
 * int8dyn's recurrent step written once over the vector vocabulary (gates.h): exact integer dot
 * products of the packed int8 W_hh with the step's quantized vector, then the same scale fma,
 * nonlinearities and update as gates_tile. Included after gates_impl.h. A tile is R batch rows x
 * NVP vectors of hidden units of one block, 3 gates each; every weight vector loaded feeds the R
 * rows; every accumulator lane is one (row, unit, gate) integer sum. */
#ifndef GRU_SRC_GATES_Q_IMPL_H
#define GRU_SRC_GATES_Q_IMPL_H

#include "gates_impl.h"

/* Rows per tile and integer accumulators (vq) per tile; NEON's vq is two registers. AVX2 (measured,
 * H = 1024, one thread): 6 accumulators ran the B = 1 step ~8 % faster than 12 (GCC spills
 * these tiles beyond ~8), and 2-row tiles ran B = 8 1.6x faster than 4-row ones. */
#define gates_qmr_c 4
#define gates_qmr_avx2 2
#define gates_qmr_avx512 8
#define gates_qmr_neon 4
#define GATESQ_MR GRU_ISA_FN(gates_qmr)
#define gates_qacc_c 12
#define gates_qacc_avx2 6
#define gates_qacc_avx512 24
#define gates_qacc_neon 12
#define GATESQ_ACC GRU_ISA_FN(gates_qacc)
_Static_assert(GATESQ_MR <= GATES_MR, "gates: int8dyn tiles end in gates_tile_end, sized for GATES_MR rows");
#define GATESQ_NVP(r, g)                                     \
    ((g) * (r) * GATES_NV <= GATESQ_ACC         ? GATES_NV     \
     : (g) * (r) * (GATES_NV / 2) <= GATESQ_ACC ? GATES_NV / 2 \
                                                : 1)

/* The float step (rh, zb after the quantized rows) and the quantized rows of this call. */
typedef struct gates_q_step {
    gates_step f;
    int16_t *q; /* row b at q + b * Hp */
    float *sx;  /* batch scales */
} gates_q_step;

static inline gates_q_step gates_q_step_init(float *h_out, float *y, size_t ldy, const float *h_in, const float *gx,
                                             size_t ldgx, const void *wp, const float *bn,
                                             const unsigned char *active, float *scratch, size_t batch,
                                             size_t hidden) {
    const size_t Hp = (hidden + GATES_NB - 1) / GATES_NB * GATES_NB;
    float *sx = scratch + batch * Hp / 2;
    gates_q_step s = {gates_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, sx + batch, batch, hidden),
                      (int16_t *)scratch, sx};
    return s;
}

/* A quant pass: rows [batch * blk0 / nblk, batch * blk1 / nblk) of h_in (rh: of r * h) quantized. */
static inline void gates_quant_rows(const gates_q_step *s, int rh, size_t blk0, size_t blk1) {
    const size_t B = s->f.batch, Hp = s->f.Hp, nblk = Hp / GATES_NB;
    const float *x = rh ? s->f.rh : s->f.h_in;
    if (!s->f.wp) return; /* zero state: the tiles read no quantized rows */
    for (size_t b = B * blk0 / nblk; b < B * blk1 / nblk; b++)
        gru_gates_quantize_row(s->q + b * Hp, s->sx + b, x + b * Hp, s->f.H, Hp);
}

/* One tile of kind LBR, RZ or N (gates_tile's kinds) for int8dyn: rows [row0, row0 + R), vectors
 * [v0, v0 + NVP) of block blk, every k pair in one go. */
GATES_ALWAYS_INLINE void gates_q_tile(const gates_q_step *qs, size_t row0, size_t blk, size_t v0, const int kind,
                                      const int R, const int NVP) {
    const gates_step *s = &qs->f;
    const gru_weight_type wt = GRU_WEIGHTS_INT8_DYNAMIC;
    const int G = GATES_COUNT(kind);
    const size_t H = s->H, Hp = s->Hp, j0 = blk * GATES_NB + v0 * VL, pairs = (H + 1) / 2;
    gates_prefetch_next(s, row0, j0, kind, R, NVP);
    if (!s->wp) { /* zero state: the chains are their starts */
        vf c[3][GATES_MR][GATES_NV];
        gates_starts(s, c, row0, j0, kind, R, NVP, 0);
        gates_tile_end(s, c, row0, j0, NULL, 0, NULL, kind, R, NVP);
        return;
    }
    vq a[3][GATESQ_MR][GATES_NV];
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
            for (int g = 0; g < G; g++) a[g][i][v] = vq_zero();
    const size_t vs = gru_gates_sub_bytes(H, VL, wt); /* bytes between sub-blocks */
    const int8_t *const wb = (const int8_t *)s->wp + (blk * GATES_NV + v0) * vs, *w = wb;
    const size_t g0 = kind == GATES_N ? 2 : 0; /* N reads only the n weights */
    const int16_t *x = qs->q + row0 * Hp;
    for (size_t p = 0; p < pairs; p++, w += 3 * 2 * VL) {
#pragma GCC unroll 8
        for (int i = 0; i < R; i++) {
            const vqx xb = vqx_pair(x + i * Hp + 2 * p);
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
                for (int g = 0; g < G; g++)
                    a[g][i][v] = vq_madd(a[g][i][v], vqw_load(w + v * vs + (g0 + (size_t)g) * 2 * VL), xb);
        }
    }
    vf c[3][GATES_MR][GATES_NV]; /* the exact sums, then the chains fma((float)acc, s_w * s_x, start) */
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
            for (int g = 0; g < G; g++) c[g][i][v] = vq_to_f(a[g][i][v]);
    gates_tile_end(s, c, row0, j0, (const unsigned char *)wb + gru_gates_sub_weights_bytes(H, VL, wt), vs,
                   qs->sx + row0, kind, R, NVP);
}

/* Every tile of one block (GATES_ROWS). */
#define GATESQ_TILE(row, v0, R, NVP) gates_q_tile(s, row, blk, v0, kind_, R, NVP)
#define GATESQ_BLOCK(name, kind)                                                       \
    static void gates_##name##_block(const gates_q_step *s, size_t blk) {              \
        const int kind_ = kind;                                                        \
        GATES_ROWS(s->f.batch, GATESQ_MR, GATESQ_NVP, GATES_COUNT(kind), GATESQ_TILE) \
    }
GATESQ_BLOCK(lbr_i8dyn, GATES_LBR)
GATESQ_BLOCK(rz_i8dyn, GATES_RZ)
GATESQ_BLOCK(n_i8dyn, GATES_N)

#endif /* GRU_SRC_GATES_Q_IMPL_H */
