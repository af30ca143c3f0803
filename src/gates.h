/* SPDX-License-Identifier: MIT
 * Gates family: one fused recurrent step of one layer and direction for a batch of rows.
 * Shapes: H = hidden >= 1, Hp = round_up(H, nb) (nb: this table's block of hidden units),
 * batch >= 1. Contract of every function declared by decl_gates_fn:
 *   wp      W_hh packed by gru_pack_gates() for this table's nb and sub and the function's weight
 *           type: per sub-block of sub hidden units (Hp / sub of them), per k < H, the
 *           sub-block's r, z and n weights, sub each (zero past H); int8: then the sub-block's
 *           3 * sub row scales.
 *   gx      row b at gx + b * ldgx: [r | z | n], Hp floats each: the chain start of every gate
 *           (the input projection, with the biases the model folded into it).
 *   bn      LINEAR_BEFORE_RESET: Hp floats, the chain start of W_hn h (b_hh_n, or 0); RESET_BEFORE:
 *           unused (b_hh_n is folded into gx), may be NULL.
 *   h_in    row b at h_in + b * Hp: the state (lanes past H are read but do not matter).
 *   h_out   row b at h_out + b * Hp: the new state; all Hp lanes written (those past H are
 *           meaningless). Must not overlap h_in, gx, wp, y or scratch.
 *   y       NULL, or row b at y + b * ldy: the new state's first H floats, exactly those written.
 *   active  NULL (every row active) or batch flags: an inactive row keeps its state
 *           (h_out row = h_in row) and gets y row = 0.
 *   scratch RESET_BEFORE: gru_gates_scratch_floats() = 2 * batch * Hp floats (r * h and z), any
 *           alignment; LINEAR_BEFORE_RESET: unused (0 floats), may be NULL.
 *   blk0, blk1  the blocks of nb hidden units computed: units [blk0 * nb, blk1 * nb), blk0 < blk1 <=
 *           Hp / nb; only those units of h_out, y (and scratch) are written. Disjoint ranges may run
 *           at once on different threads. RESET_BEFORE is two passes: rb_n reads r * h of every
 *           unit, so every range of rb_rz must be done before any rb_n starts.
 * Numerics, the same expression order on every ISA (each "chain" is one FMA chain in increasing
 * k from the start value, vectorised over hidden units, never over k):
 *   r = sigmoid(chain(gx_r; W_hr, h)), z = sigmoid(chain(gx_z; W_hz, h)),
 *   LINEAR_BEFORE_RESET: n = tanh(fma(r, chain(bn; W_hn, h), gx_n)),
 *   RESET_BEFORE:        n = tanh(chain(gx_n; W_hn, r * h)),
 *   h' = fma(z, h - n, n)        (= (1 - z) * n + z * h).
 * Weight storage types (one function per pass and type, table slots lbr[type] ...): W above is
 * the stored weight widened exactly to fp32 (fp32, fp16, bf16); int8 (integers q, per-row scale
 * s_j of each gate's unit j): chain(start; W, x) is fma(s_j, chain(0; q, x), start), one FMA chain
 * over exact integer-valued floats from 0 in increasing k, then one fma.
 * A row's bits depend only on its own inputs: not on batch, its position or other rows. */
#ifndef GRU_SRC_GATES_H
#define GRU_SRC_GATES_H

#include <stddef.h>

#include "common.h"
#include "weights.h"

/* Sub-block of hidden units (sub: one vector) and block (nb: four sub-blocks, the padding unit)
 * of each ISA's kernel. */
#define gru_gates_sub_c 1
#define gru_gates_sub_avx2 8
#define gru_gates_sub_avx512 16
#define gru_gates_sub_neon 4
#define gru_gates_nb_c (4 * gru_gates_sub_c)
#define gru_gates_nb_avx2 (4 * gru_gates_sub_avx2)
#define gru_gates_nb_avx512 (4 * gru_gates_sub_avx512)
#define gru_gates_nb_neon (4 * gru_gates_sub_neon)

#define decl_gates_fn(name)                                                                                  \
    void(name)(float *h_out, float *y, size_t ldy, const float *h_in, const float *gx, size_t ldgx,         \
               const void *wp, const float *bn, const unsigned char *active, float *scratch, size_t batch, \
               size_t hidden, size_t blk0, size_t blk1)
typedef decl_gates_fn(*gru_gates_fn);

typedef struct GruGatesDSP {
    /* by gru_weight_type: */
    gru_gates_fn lbr[GRU_WEIGHT_TYPES];   /* GRU_VARIANT_LINEAR_BEFORE_RESET: the whole step */
    gru_gates_fn rb_rz[GRU_WEIGHT_TYPES]; /* GRU_VARIANT_RESET_BEFORE, pass 1: r * h and z into scratch */
    gru_gates_fn rb_n[GRU_WEIGHT_TYPES];  /* pass 2: n from every unit's r * h, then the update */
    size_t nb;        /* hidden units are padded to a multiple of nb */
    size_t sub;       /* sub-block of hidden units the packed weights must have */
} GruGatesDSP;

#define GRU_GATES_DECL(type)                                  \
    GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_lbr_##type);   \
    GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_rb_rz_##type); \
    GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_rb_n_##type)
GRU_GATES_DECL(f32);
GRU_GATES_DECL(f16);
GRU_GATES_DECL(bf16);
GRU_GATES_DECL(i8);

/* Fills every type's slots of the table from the functions gru_gates_<pass>_<type>_<isa>. */
#define GRU_GATES_SET1(c, t, type, isa)                \
    ((c)->lbr[t] = gru_gates_lbr_##type##_##isa,       \
     (c)->rb_rz[t] = gru_gates_rb_rz_##type##_##isa,   \
     (c)->rb_n[t] = gru_gates_rb_n_##type##_##isa)
#define GRU_GATES_SET(c, isa)                                  \
    do {                                                       \
        GRU_GATES_SET1(c, GRU_WEIGHTS_F32, f32, isa);          \
        GRU_GATES_SET1(c, GRU_WEIGHTS_F16, f16, isa);          \
        GRU_GATES_SET1(c, GRU_WEIGHTS_BF16, bf16, isa);        \
        GRU_GATES_SET1(c, GRU_WEIGHTS_INT8, i8, isa);          \
        (c)->nb = gru_gates_nb_##isa;                          \
        (c)->sub = gru_gates_sub_##isa;                        \
    } while (0)

/* Floats of scratch one step needs (see above); 0 on overflow. */
static inline int gru_gates_scratch_floats(size_t batch, size_t hp, int reset_before, size_t *floats) {
    *floats = 0;
    return !reset_before || (!__builtin_mul_overflow(batch, hp, floats) && !__builtin_mul_overflow(*floats, 2, floats));
}

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_gates_dsp_init(GruGatesDSP *c, unsigned flags);

#endif /* GRU_SRC_GATES_H */
