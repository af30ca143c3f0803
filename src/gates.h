/* SPDX-License-Identifier: MIT
 * Gates family: one fused recurrent step of one layer and direction for a batch of rows.
 * Shapes: H = hidden >= 1, Hp = round_up(H, nb) (nb: this table's block of hidden units),
 * batch >= 1. Contract of every function declared by decl_gates_fn:
 *   wp      W_hh packed by gru_pack_gates() for this table's nb: per block of nb hidden units,
 *           per k < H, the block's r, z and n rows, nb floats each (zero past H).
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
 *   scratch RESET_BEFORE: 2 * batch * Hp floats; LINEAR_BEFORE_RESET: unused, may be NULL.
 * Numerics, the same expression order on every ISA (each "chain" is one FMA chain in increasing
 * k from the start value, vectorised over hidden units, never over k):
 *   r = sigmoid(chain(gx_r; W_hr, h)), z = sigmoid(chain(gx_z; W_hz, h)),
 *   LINEAR_BEFORE_RESET: n = tanh(fma(r, chain(bn; W_hn, h), gx_n)),
 *   RESET_BEFORE:        n = tanh(chain(gx_n; W_hn, r * h)),
 *   h' = fma(z, h - n, n)        (= (1 - z) * n + z * h).
 * A row's bits depend only on its own inputs: not on batch, its position or other rows. */
#ifndef GRU_SRC_GATES_H
#define GRU_SRC_GATES_H

#include <stddef.h>

#include "common.h"

/* Block of hidden units (nb) of each ISA's kernel: four vectors. */
#define gru_gates_nb_c 4
#define gru_gates_nb_avx2 32
#define gru_gates_nb_avx512 64
#define gru_gates_nb_neon 16

#define decl_gates_fn(name)                                                                                  \
    void(name)(float *h_out, float *y, size_t ldy, const float *h_in, const float *gx, size_t ldgx,         \
               const float *wp, const float *bn, const unsigned char *active, float *scratch, size_t batch, \
               size_t hidden)
typedef decl_gates_fn(*gru_gates_fn);

typedef struct GruGatesDSP {
    gru_gates_fn lbr; /* GRU_VARIANT_LINEAR_BEFORE_RESET */
    gru_gates_fn rb;  /* GRU_VARIANT_RESET_BEFORE */
    size_t nb;        /* block of hidden units the packed weights must have */
} GruGatesDSP;

GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_lbr_f32);
GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_rb_f32);

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_gates_dsp_init(GruGatesDSP *c, unsigned flags);

#endif /* GRU_SRC_GATES_H */
