/* SPDX-License-Identifier: MIT
 * The fused recurrent step written once over the vector vocabulary; included after one vec_*.h.
 * A tile is R batch rows x NVP vectors of hidden units of one block, 3 gates each: every weight
 * vector loaded feeds the R rows from registers; every accumulator lane is one (row, unit, gate)
 * chain. The nonlinearities and the update run on the accumulators right after the k loop. */
#ifndef GRU_SRC_GATES_IMPL_H
#define GRU_SRC_GATES_IMPL_H

#include "act_impl.h"
#include "gates.h"

/* Rows per tile and accumulator budget per ISA (16 vector registers on AVX2, 32 elsewhere). */
#define gates_mr_c 4
#define gates_acc_c 12
#define gates_mr_avx2 4
#define gates_acc_avx2 12
#define gates_mr_avx512 4
#define gates_acc_avx512 24
#define gates_mr_neon 4
#define gates_acc_neon 24

#define GATES_NB GRU_ISA_FN(gru_gates_nb)
#define GATES_NV (GATES_NB / VL)
#define GATES_MR GRU_ISA_FN(gates_mr)
#define GATES_ACC GRU_ISA_FN(gates_acc)
/* Vectors per tile for r rows: the most (dividing GATES_NV) whose 3 * r * NVP chains fit. */
#define GATES_NVP(r)                                \
    (3 * (r) * GATES_NV <= GATES_ACC       ? GATES_NV \
     : 3 * (r) * (GATES_NV / 2) <= GATES_ACC ? GATES_NV / 2 \
                                             : 1)

_Static_assert(GATES_NB % VL == 0 && GATES_NV % 4 == 0, "gates block must be four vectors");

#define GATES_ALWAYS_INLINE static inline __attribute__((always_inline))

typedef struct gates_step {
    float *h_out, *y, *rh, *zb;
    const float *h_in, *gx, *wp, *bn;
    const unsigned char *active;
    size_t ldy, ldgx, batch, H, Hp;
} gates_step;

GATES_ALWAYS_INLINE void gates_store_y(float *y, vf x, size_t j, size_t H) {
    if (j + VL <= H)
        vf_store(y + j, x);
    else if (j < H)
        vf_store_n(y + j, x, H - j);
}

/* Writes row `row`'s units [j, j + VL): the update if active, else the kept state and y = 0. */
GATES_ALWAYS_INLINE void gates_out(const gates_step *s, size_t row, size_t j, vf hprev, vf hnew) {
    const int on = !s->active || s->active[row];
    vf_store(s->h_out + row * s->Hp + j, on ? hnew : hprev);
    if (s->y) gates_store_y(s->y + row * s->ldy, on ? hnew : vf_set1(0.0f), j, s->H);
}

/* LINEAR_BEFORE_RESET: rows [row0, row0 + R), vectors [v0, v0 + NVP) of block blk. */
GATES_ALWAYS_INLINE void gates_lbr_tile(const gates_step *s, size_t row0, size_t blk, size_t v0, const int R,
                                        const int NVP) {
    const size_t H = s->H, Hp = s->Hp, j0 = blk * GATES_NB + v0 * VL;
    vf ar[GATES_MR][GATES_NV], az[GATES_MR][GATES_NV], an[GATES_MR][GATES_NV];
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) {
            const float *g = s->gx + (row0 + i) * s->ldgx + j0 + v * VL;
            ar[i][v] = vf_load(g);
            az[i][v] = vf_load(g + Hp);
            an[i][v] = vf_load(s->bn + j0 + v * VL);
        }
    const float *w = s->wp + blk * H * 3 * GATES_NB + v0 * VL;
    const float *h = s->h_in + row0 * Hp;
    for (size_t k = 0; k < H; k++, w += 3 * GATES_NB) {
#pragma GCC unroll 8
        for (int i = 0; i < R; i++) {
            const vf hb = vf_set1(h[i * Hp + k]);
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++) {
                ar[i][v] = vf_fma(hb, vf_load(w + v * VL), ar[i][v]);
                az[i][v] = vf_fma(hb, vf_load(w + GATES_NB + v * VL), az[i][v]);
                an[i][v] = vf_fma(hb, vf_load(w + 2 * GATES_NB + v * VL), an[i][v]);
            }
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) {
            const size_t row = row0 + i, j = j0 + v * VL;
            const vf r = v_sigmoid(ar[i][v]);
            const vf z = v_sigmoid(az[i][v]);
            const vf n = v_tanh(vf_fma(r, an[i][v], vf_load(s->gx + row * s->ldgx + 2 * Hp + j)));
            const vf hp = vf_load(s->h_in + row * Hp + j);
            gates_out(s, row, j, hp, vf_fma(z, vf_sub(hp, n), n));
        }
}

/* RESET_BEFORE, first pass: r and z; stores z and r * h for the second pass. */
GATES_ALWAYS_INLINE void gates_rz_tile(const gates_step *s, size_t row0, size_t blk, size_t v0, const int R,
                                       const int NVP) {
    const size_t H = s->H, Hp = s->Hp, j0 = blk * GATES_NB + v0 * VL;
    vf ar[GATES_MR][GATES_NV], az[GATES_MR][GATES_NV];
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) {
            const float *g = s->gx + (row0 + i) * s->ldgx + j0 + v * VL;
            ar[i][v] = vf_load(g);
            az[i][v] = vf_load(g + Hp);
        }
    const float *w = s->wp + blk * H * 3 * GATES_NB + v0 * VL;
    const float *h = s->h_in + row0 * Hp;
    for (size_t k = 0; k < H; k++, w += 3 * GATES_NB) {
#pragma GCC unroll 8
        for (int i = 0; i < R; i++) {
            const vf hb = vf_set1(h[i * Hp + k]);
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++) {
                ar[i][v] = vf_fma(hb, vf_load(w + v * VL), ar[i][v]);
                az[i][v] = vf_fma(hb, vf_load(w + GATES_NB + v * VL), az[i][v]);
            }
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) {
            const size_t o = (row0 + i) * Hp + j0 + v * VL;
            vf_store(s->rh + o, vf_mul(v_sigmoid(ar[i][v]), vf_load(s->h_in + o)));
            vf_store(s->zb + o, v_sigmoid(az[i][v]));
        }
}

/* RESET_BEFORE, second pass: n from r * h, then the update. */
GATES_ALWAYS_INLINE void gates_n_tile(const gates_step *s, size_t row0, size_t blk, size_t v0, const int R,
                                      const int NVP) {
    const size_t H = s->H, Hp = s->Hp, j0 = blk * GATES_NB + v0 * VL;
    vf an[GATES_MR][GATES_NV];
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) an[i][v] = vf_load(s->gx + (row0 + i) * s->ldgx + 2 * Hp + j0 + v * VL);
    const float *w = s->wp + blk * H * 3 * GATES_NB + 2 * GATES_NB + v0 * VL;
    const float *rh = s->rh + row0 * Hp;
    for (size_t k = 0; k < H; k++, w += 3 * GATES_NB) {
#pragma GCC unroll 8
        for (int i = 0; i < R; i++) {
            const vf hb = vf_set1(rh[i * Hp + k]);
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++) an[i][v] = vf_fma(hb, vf_load(w + v * VL), an[i][v]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++) {
            const size_t row = row0 + i, j = j0 + v * VL;
            const vf n = v_tanh(an[i][v]);
            const vf hp = vf_load(s->h_in + row * Hp + j);
            const vf z = vf_load(s->zb + row * Hp + j);
            gates_out(s, row, j, hp, vf_fma(z, vf_sub(hp, n), n));
        }
}

/* Every tile of one block: full row tiles of GATES_MR, then the remaining rows as one tile. */
#define GATES_BLOCK(kind)                                                                           \
    static void gates_##kind##_block(const gates_step *s, size_t blk) {                           \
        size_t row = 0;                                                                             \
        for (size_t v0 = 0; v0 < GATES_NV; v0 += GATES_NVP(GATES_MR))                               \
            for (row = 0; row + GATES_MR <= s->batch; row += GATES_MR)                                \
                gates_##kind##_tile(s, row, blk, v0, GATES_MR, GATES_NVP(GATES_MR));                \
        row = s->batch / GATES_MR * GATES_MR;                                                       \
        switch (s->batch - row) {                                                                   \
        case 1:                                                                                     \
            for (size_t v0 = 0; v0 < GATES_NV; v0 += GATES_NVP(1))                                  \
                gates_##kind##_tile(s, row, blk, v0, 1, GATES_NVP(1));                              \
            break;                                                                                  \
        case 2:                                                                                     \
            for (size_t v0 = 0; v0 < GATES_NV; v0 += GATES_NVP(2))                                  \
                gates_##kind##_tile(s, row, blk, v0, 2, GATES_NVP(2));                              \
            break;                                                                                  \
        case 3:                                                                                     \
            for (size_t v0 = 0; v0 < GATES_NV; v0 += GATES_NVP(3))                                  \
                gates_##kind##_tile(s, row, blk, v0, 3, GATES_NVP(3));                              \
            break;                                                                                  \
        default: break;                                                                             \
        }                                                                                           \
    }
#if GATES_MR != 4
#error "gates: the row tails below assume GATES_MR == 4"
#endif
GATES_BLOCK(lbr)
GATES_BLOCK(rz)
GATES_BLOCK(n)

static inline gates_step gates_step_init(float *h_out, float *y, size_t ldy, const float *h_in, const float *gx,
                                         size_t ldgx, const float *wp, const float *bn, const unsigned char *active,
                                         float *scratch, size_t batch, size_t hidden) {
    const size_t Hp = (hidden + GATES_NB - 1) / GATES_NB * GATES_NB;
    gates_step s = {h_out, y, scratch, scratch ? scratch + batch * Hp : NULL, h_in, gx, wp, bn, active,
                    ldy, ldgx, batch, hidden, Hp};
    return s;
}

static inline void gates_lbr_run(const gates_step *s) {
    for (size_t blk = 0; blk < s->Hp / GATES_NB; blk++) gates_lbr_block(s, blk);
}

static inline void gates_rb_run(const gates_step *s) {
    for (size_t blk = 0; blk < s->Hp / GATES_NB; blk++) gates_rz_block(s, blk);
    for (size_t blk = 0; blk < s->Hp / GATES_NB; blk++) gates_n_block(s, blk);
}

#endif /* GRU_SRC_GATES_IMPL_H */
