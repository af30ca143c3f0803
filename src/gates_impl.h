/* SPDX-License-Identifier: MIT
 * The fused recurrent step written once over the vector vocabulary; included after one vec_*.h.
 * A tile is R batch rows x NVP vectors of hidden units of one block, 3 gates each: every weight
 * vector loaded feeds the R rows from registers; every accumulator lane is one (row, unit, gate)
 * chain. The nonlinearities and the update run on the accumulators right after the k loop. */
#ifndef GRU_SRC_GATES_IMPL_H
#define GRU_SRC_GATES_IMPL_H

#include "act_impl.h"
#include "gates.h"
#include "wload_impl.h"

/* Rows per tile and accumulator budget per ISA (16 vector registers on AVX2, 32 elsewhere).
 * AVX-512: 8 rows x 1 vector halves the weight traffic per FMA of 4 x 2 (measured faster at
 * H = 1024, B = 64; equal elsewhere). */
#define gates_mr_c 4
#define gates_acc_c 12
#define gates_mr_avx2 4
#define gates_acc_avx2 12
#define gates_mr_avx512 8
#define gates_acc_avx512 24
#define gates_mr_neon 4
#define gates_acc_neon 24
/* Vector registers of each ISA (the scalar reference: as AVX2). */
#define gates_vregs_c 16
#define gates_vregs_avx2 16
#define gates_vregs_avx512 32
#define gates_vregs_neon 32

#define GATES_NB GRU_ISA_FN(gru_gates_nb)
#define GATES_NV (GATES_NB / VL)
#define GATES_MR GRU_ISA_FN(gates_mr)
#define GATES_ACC GRU_ISA_FN(gates_acc)
#define GATES_VREGS GRU_ISA_FN(gates_vregs)
/* Vectors per tile for r rows and g gates: the most (dividing GATES_NV) whose g * r * NVP
 * chains fit the accumulator budget. */
#define GATES_NVP(r, g)                                     \
    ((g) * (r) * GATES_NV <= GATES_ACC         ? GATES_NV     \
     : (g) * (r) * (GATES_NV / 2) <= GATES_ACC ? GATES_NV / 2 \
                                               : 1)

_Static_assert(GRU_ISA_FN(gru_gates_sub) == VL && GATES_NV == 4, "gates: one-vector sub-blocks, four per block");

#define GATES_ALWAYS_INLINE static inline __attribute__((always_inline))

typedef struct gates_step {
    float *h_out, *y, *rh, *zb;
    const float *h_in, *gx, *bn;
    const unsigned char *wp;
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

/* The three tile kinds: which gates a tile accumulates and what it multiplies them with. */
enum { GATES_LBR, GATES_RZ, GATES_N };
#define GATES_COUNT(kind) ((kind) == GATES_LBR ? 3 : (kind) == GATES_RZ ? 2 : 1)

/* After the k loop, row `row`'s units [j, j + VL) of one tile of each kind: the nonlinearities
 * and the update from the chains c0, c1, c2 (the tile's gates in order: LBR r, z, n; RZ r, z;
 * N n). Shared by every weight type's tiles. */
GATES_ALWAYS_INLINE void gates_finish(const gates_step *s, size_t row, size_t j, vf c0, vf c1, vf c2, const int kind) {
    const size_t Hp = s->Hp, o = row * Hp + j;
    const vf hp = vf_load(s->h_in + o);
    if (kind == GATES_LBR) {
        const vf r = v_sigmoid(c0);
        const vf z = v_sigmoid(c1);
        const vf n = v_tanh(vf_fma(r, c2, vf_load(s->gx + row * s->ldgx + 2 * Hp + j)));
        gates_out(s, row, j, hp, vf_fma(z, vf_sub(hp, n), n));
    } else if (kind == GATES_RZ) {
        vf_store(s->rh + o, vf_mul(v_sigmoid(c0), hp));
        vf_store(s->zb + o, v_sigmoid(c1));
    } else {
        const vf n = v_tanh(c0);
        const vf z = vf_load(s->zb + o);
        gates_out(s, row, j, hp, vf_fma(z, vf_sub(hp, n), n));
    }
}

/* The chain start of gate `gate` (0, 1, 2 = r, z, n) of row `row`, units [j, j + VL). */
GATES_ALWAYS_INLINE vf gates_start(const gates_step *s, size_t row, size_t j, int gate, const int kind) {
    return kind == GATES_LBR && gate == 2 ? vf_load(s->bn + j) : vf_load(s->gx + row * s->ldgx + gate * s->Hp + j);
}

/* A tile's chains, rows [row0, row0 + R), vectors [0, NVP) from unit j0, at their start values
 * (gates_start), or at 0 where `zero` (the chains the int8 types scale at the end). */
GATES_ALWAYS_INLINE void gates_starts(const gates_step *s, vf c[3][GATES_MR][GATES_NV], size_t row0, size_t j0,
                                      const int kind, const int R, const int NVP, const int zero) {
    const int G = GATES_COUNT(kind);
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
            for (int g = 0; g < G; g++) /* r, z, n = 0, 1, 2 */
                c[g][i][v] =
                    zero ? vf_set1(0.0f) : gates_start(s, row0 + i, j0 + v * VL, kind == GATES_N ? 2 : g, kind);
}

/* The end of every tile, after its k loop: the chains c of rows [row0, row0 + R), vectors [0, NVP)
 * from unit j0. Where the type keeps integers (sc: the scales of the tile's first sub-block,
 * [gate][unit], the next sub-block's vs bytes on; NULL for the float types) first
 * c = fma(c, s_j, start), s_j times the row's s_x (sx[i]) for int8dyn; then gates_finish. */
GATES_ALWAYS_INLINE void gates_tile_end(const gates_step *s, vf c[3][GATES_MR][GATES_NV], size_t row0, size_t j0,
                                        const unsigned char *sc, size_t vs, const float *sx, const int kind,
                                        const int R, const int NVP) {
    const int G = GATES_COUNT(kind);
    if (sc)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
            for (int g = 0; g < G; g++) {
                const int gate = kind == GATES_N ? 2 : g;
                const vf sw = vf_load((const float *)(const void *)(sc + v * vs) + gate * VL);
#pragma GCC unroll 8
                for (int i = 0; i < R; i++)
                    c[g][i][v] = vf_fma(c[g][i][v], sx ? vf_mul(sw, vf_set1(sx[i])) : sw,
                                        gates_start(s, row0 + i, j0 + v * VL, gate, kind));
            }
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
            gates_finish(s, row0 + i, j0 + v * VL, c[0][i][v], c[G > 1][i][v], c[G > 2 ? 2 : 0][i][v], kind);
}

/* A tile's chains through memory once, between its k loop and its end: otherwise GCC 12 keeps some
 * of the widening types' chains on the stack inside the k loop (a store and a reload per k on each
 * such chain), for the register pressure of the activations after it. AVX2, B = 1, I = H = 1024,
 * T = 16: fp16 0.86x the time, int8 0.90x; bf16, B = 3, H = 256: 23 -> 15 us per step. Not for
 * fp32: no spills there, and ~10 % slower at I = H = 64, B = 1 on AVX-512. */
GATES_ALWAYS_INLINE void gates_park(vf c[3][GATES_MR][GATES_NV], const int G, const int R, const int NVP) {
    vf park[3][GATES_MR][GATES_NV];
#pragma GCC unroll 3
    for (int g = 0; g < G; g++)
#pragma GCC unroll 8
        for (int i = 0; i < R; i++)
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++) park[g][i][v] = c[g][i][v];
    __asm__ volatile("" : : "r"(park) : "memory");
#pragma GCC unroll 3
    for (int g = 0; g < G; g++)
#pragma GCC unroll 8
        for (int i = 0; i < R; i++)
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++) c[g][i][v] = park[g][i][v];
}

/* Asks for the gx lines of the next tile's chain starts: gx is written by the input projection for
 * every step before the recurrence runs, so a step finds it in L3 or further (AVX2, I = H = 256,
 * T = 16: B = 64 0.96x the time, B = 1 0.98-1.00x; B = 8 and H = 1024 unchanged). The next tile
 * is the one R rows down, or after the last rows the first R at the next vector position (the
 * next block's after a block's last vector); its address may lie past gx (gru_prefetch_bytes). */
GATES_ALWAYS_INLINE void gates_prefetch_next(const gates_step *s, size_t row0, size_t j0, const int kind, const int R,
                                             const int NVP) {
    const int down = row0 + R < s->batch;
    const size_t row = down ? row0 + R : 0, j = down ? j0 : j0 + (size_t)NVP * VL;
    const uintptr_t p = (uintptr_t)s->gx + (row * s->ldgx + j) * sizeof(float);
#pragma GCC unroll 8
    for (int i = 0; i < R; i++)
#pragma GCC unroll 3
        for (int g = 0; g < 3; g++)
            if (kind == GATES_LBR || (kind == GATES_N) == (g == 2)) /* the gates of gx it reads */
                gru_prefetch_bytes(p + ((size_t)i * s->ldgx + (size_t)g * s->Hp) * sizeof(float),
                                   (size_t)NVP * VL * sizeof(float));
}

/* bf16 pairs (weights.h): the tile's chains take the weights of k, then of k + 1 when `both`, from
 * one load per vector (w: the pair row of k). An odd H's last k runs alone: its pad weight is
 * never multiplied (fma(x, +0, -0) would turn a -0 chain into +0). One row: both halves of a pair
 * feed its chains at once (one op per weight vector). Several rows: the widened weights feed
 * every row, k then k + 1, as the other types do, when the chains, the six widened vectors per
 * sub-block and a broadcast fit the registers; else (AVX2 B >= 4: 12 + 6 + 1 > 16) each pair
 * row feeds every row's chains, k then k + 1, before the next one is loaded, the rows' h loaded
 * again for each (the barrier keeps the compiler from holding 2R broadcasts): caching either
 * pushed chains onto the stack, a store and a reload per k (AVX2, B = 8, H = 256: 0.81x the
 * time; B = 64 0.84x; B = 3, which fits, 1.17x slower this way). */
GATES_ALWAYS_INLINE void gates_bf16_pair(vf a[3][GATES_MR][GATES_NV], const unsigned char *w, size_t vs, size_t g0,
                                         const float *h, size_t Hp, size_t k, const int both, const int R,
                                         const int NVP, const int G) {
    if (R > 1 && both && G * NVP * (R + 2) + 1 > GATES_VREGS) {
#pragma GCC unroll 8
        for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
            for (int g = 0; g < G; g++) {
                __asm__ volatile("" : : : "memory");
                vf lo, hi;
                vf_load_bf16x2((const uint16_t *)(w + v * vs) + 2 * (g0 + (size_t)g * VL), &lo, &hi);
#pragma GCC unroll 8
                for (int i = 0; i < R; i++) {
                    a[g][i][v] = vf_fma(vf_set1(h[i * Hp + k]), lo, a[g][i][v]);
                    a[g][i][v] = vf_fma(vf_set1(h[i * Hp + k + 1]), hi, a[g][i][v]);
                }
            }
        return;
    }
    if (R > 1 && both) {
#pragma GCC unroll 2
        for (int half = 0; half < 2; half++)
#pragma GCC unroll 8
            for (int i = 0; i < R; i++) {
                const vf hb = vf_set1(h[i * Hp + k + half]);
#pragma GCC unroll 8
                for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
                    for (int g = 0; g < G; g++) {
                        vf lo, hi;
                        vf_load_bf16x2((const uint16_t *)(w + v * vs) + 2 * (g0 + (size_t)g * VL), &lo, &hi);
                        a[g][i][v] = vf_fma(hb, half ? hi : lo, a[g][i][v]);
                    }
            }
        return;
    }
    vf h0[GATES_MR], h1[GATES_MR];
#pragma GCC unroll 8
    for (int i = 0; i < R; i++) {
        h0[i] = vf_set1(h[i * Hp + k]);
        h1[i] = both ? vf_set1(h[i * Hp + k + 1]) : h0[i];
    }
#pragma GCC unroll 8
    for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
        for (int g = 0; g < G; g++) {
            vf lo, hi;
            vf_load_bf16x2((const uint16_t *)(w + v * vs) + 2 * (g0 + (size_t)g * VL), &lo, &hi);
#pragma GCC unroll 8
            for (int i = 0; i < R; i++) {
                a[g][i][v] = vf_fma(h0[i], lo, a[g][i][v]);
                if (both) a[g][i][v] = vf_fma(h1[i], hi, a[g][i][v]);
            }
        }
}

/* One tile, kind LBR (r, z, n from h, then the update), RZ (RESET_BEFORE's r and z from h; stores
 * z and r * h) or N (RESET_BEFORE's n from r * h, then the update): rows [row0, row0 + R), vectors
 * [v0, v0 + NVP) of block blk, every k in one go, weights of type wt (int8: the chains start from
 * 0 and end with one fma(scale, chain, start)); no k at all when s->wp is NULL (zero state).
 * (Splitting k into L1-sized chunks, parking the chains in between, was measured slower: the
 * weights stream well from L2. Also with 16 row tiles sharing each 16 KiB chunk, AVX2 H = 1024,
 * B = 64: the k loop alone runs at the FMA peak, 6.0 cycles per k for 12 FMAs, with its 96 KiB of
 * weights in L2.) */
GATES_ALWAYS_INLINE void gates_tile(const gates_step *s, size_t row0, size_t blk, size_t v0, const int kind,
                                    const int R, const int NVP, const gru_weight_type wt) {
    const int G = GATES_COUNT(kind), i8 = wt == GRU_WEIGHTS_INT8 && s->wp;
    const size_t H = s->H, Hp = s->Hp, j0 = blk * GATES_NB + v0 * VL, K = s->wp ? H : 0; /* K = 0: zero state */
    vf a[3][GATES_MR][GATES_NV];
    gates_starts(s, a, row0, j0, kind, R, NVP, i8);
    const size_t vs = gru_gates_sub_bytes(H, VL, wt); /* bytes between sub-blocks */
    const unsigned char *const wb = s->wp ? s->wp + (blk * GATES_NV + v0) * vs : NULL, *w = wb;
    const size_t g0 = kind == GATES_N ? 2 * VL : 0; /* N reads only the n weights */
    const float *h = (kind == GATES_N ? s->rh : s->h_in) + row0 * Hp;
    gates_prefetch_next(s, row0, j0, kind, R, NVP);
    if (wt == GRU_WEIGHTS_BF16) { /* k in pairs: 3 * VL pairs (4 bytes each) per pair row */
        size_t k = 0;
        for (; k + 1 < K; k += 2, w += 3 * VL * 4) gates_bf16_pair(a, w, vs, g0, h, Hp, k, 1, R, NVP, G);
        if (k < K) gates_bf16_pair(a, w, vs, g0, h, Hp, k, 0, R, NVP, G);
    }
    for (size_t k = 0; wt != GRU_WEIGHTS_BF16 && k < K; k++, w += 3 * VL * gru_weight_bytes(wt)) {
#pragma GCC unroll 8
        for (int i = 0; i < R; i++) {
            const vf hb = vf_set1(h[i * Hp + k]);
#pragma GCC unroll 8
            for (int v = 0; v < NVP; v++)
#pragma GCC unroll 3
                for (int g = 0; g < G; g++)
                    a[g][i][v] = vf_fma(hb, wt_load(w + v * vs, g0 + (size_t)g * VL, wt), a[g][i][v]);
        }
    }
    if (wt != GRU_WEIGHTS_F32) /* the widening types: see gates_park */
        gates_park(a, G, R, NVP);
    /* int8: the scales follow each sub-block's weights */
    gates_tile_end(s, a, row0, j0, i8 ? wb + gru_gates_sub_weights_bytes(H, VL, wt) : NULL, vs, NULL, kind, R, NVP);
}

/* The tiles of one block, for both tile families (gates_tile, gates_q_tile): full row tiles of MR
 * rows, one sub-block range after the other (its weights stay in L2), then the remaining rows as
 * one tile. TILE(row, v0, R, NVP) runs one tile, NVPF(R, G) is the vectors per tile of R rows and
 * G gates; each tail's R is the constant of its case (GATES_TAILS_<MR> lists them). */
#define GATES_TAIL(R, TILE, NVPF, G)                                                         \
    case R:                                                                                  \
        for (size_t v0 = 0; v0 < GATES_NV; v0 += NVPF(R, G)) TILE(row, v0, R, NVPF(R, G)); \
        break;
#define GATES_TAILS_2(TILE, NVPF, G) GATES_TAIL(1, TILE, NVPF, G)
#define GATES_TAILS_4(TILE, NVPF, G) \
    GATES_TAILS_2(TILE, NVPF, G) GATES_TAIL(2, TILE, NVPF, G) GATES_TAIL(3, TILE, NVPF, G)
#define GATES_TAILS_8(TILE, NVPF, G)                                                           \
    GATES_TAILS_4(TILE, NVPF, G) GATES_TAIL(4, TILE, NVPF, G) GATES_TAIL(5, TILE, NVPF, G) \
    GATES_TAIL(6, TILE, NVPF, G) GATES_TAIL(7, TILE, NVPF, G)
#define GATES_PASTE_(a, b) a##b
#define GATES_PASTE(a, b) GATES_PASTE_(a, b)
#define GATES_ROWS(batch, MR, NVPF, G, TILE)                                                    \
    {                                                                                           \
        const size_t full = (batch) / (MR) * (MR);                                              \
        for (size_t v0 = 0; v0 < GATES_NV; v0 += NVPF(MR, G))                                   \
            for (size_t row = 0; row < full; row += (MR)) TILE(row, v0, MR, NVPF(MR, G));         \
        const size_t row = full;                                                                \
        switch ((batch) - row) {                                                                \
            GATES_PASTE(GATES_TAILS_, MR)(TILE, NVPF, G)                                        \
        default: break;                                                                         \
        }                                                                                       \
    }
#define GATES_FLOAT_TILE(row, v0, R, NVP) gates_tile(s, row, blk, v0, kind_, R, NVP, wt_)
#define GATES_BLOCK(name, kind, wt)                                                  \
    static void gates_##name##_block(const gates_step *s, size_t blk) {              \
        const int kind_ = kind;                                                      \
        const gru_weight_type wt_ = wt;                                              \
        GATES_ROWS(s->batch, GATES_MR, GATES_NVP, GATES_COUNT(kind), GATES_FLOAT_TILE) \
    }
#define GATES_BLOCKS(type, wt)               \
    GATES_BLOCK(lbr_##type, GATES_LBR, wt)   \
    GATES_BLOCK(rz_##type, GATES_RZ, wt)     \
    GATES_BLOCK(n_##type, GATES_N, wt)
GATES_BLOCKS(f32, GRU_WEIGHTS_F32)
GATES_BLOCKS(f16, GRU_WEIGHTS_F16)
GATES_BLOCKS(bf16, GRU_WEIGHTS_BF16)
GATES_BLOCKS(i8, GRU_WEIGHTS_INT8)

static inline gates_step gates_step_init(float *h_out, float *y, size_t ldy, const float *h_in, const float *gx,
                                         size_t ldgx, const void *wp, const float *bn, const unsigned char *active,
                                         float *scratch, size_t batch, size_t hidden) {
    const size_t Hp = (hidden + GATES_NB - 1) / GATES_NB * GATES_NB;
    gates_step s = {h_out, y, scratch, scratch ? scratch + batch * Hp : NULL, h_in, gx, bn,
                    (const unsigned char *)wp, active, ldy, ldgx, batch, hidden, Hp};
    return s;
}

#endif /* GRU_SRC_GATES_IMPL_H */
