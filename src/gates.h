/* SPDX-License-Identifier: MIT
 * Gates family: one fused recurrent step of one layer and direction for a batch of rows.
 * Shapes: H = hidden >= 1, Hp = round_up(H, nb) (nb: this table's block of hidden units),
 * batch >= 1. Contract of every function declared by decl_gates_fn:
 *   wp      W_hh packed by gru_pack_gates() for this table's nb and sub and the function's weight
 *           type: per sub-block of sub hidden units (Hp / sub of them), per k < H, the
 *           sub-block's r, z and n weights, sub each (zero past H); int8: then the sub-block's
 *           3 * sub row scales; bf16: k in pairs, [k / 2][gate][unit][k % 2] (weights.h).
 *           NULL: h_in is zero (+0 or -0) in every lane of every row, and the products with W_hh
 *           are skipped: each chain is its start value (below). That gives the bits of the full
 *           step: with finite weights every product is +-0, which leaves a chain unchanged
 *           except a zero chain's sign, and sigmoid(+-0), tanh(+-0) and h' = fma(z, h - n, n)
 *           with h, n in {+0, -0} (always +0) do not depend on it. A quant pass does nothing.
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
 *   scratch gru_gates_scratch_floats() floats, any alignment: RESET_BEFORE 2 * batch * Hp (r * h,
 *           then z); LINEAR_BEFORE_RESET 0 (may be NULL). int8dyn: first batch rows of Hp int16
 *           (the quantized vector, Hp / 2 floats per row), then batch floats (its scales s_x), then
 *           the above.
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
 * int8dyn (q_w, s_w: W_hh quantized as int8, packed in k pairs, see weights.h): chain(start; W, x) is
 * fma((float)acc, s_w[j] * s_x, start), acc = sum over k < H of q_w[j][k] * q_x[k] exactly in
 * int32 (so any order gives it), where q_x, s_x is the row x quantized by gru_gates_quantize_row
 * into scratch by a pass that runs before: quant_h (x = h_in) before lbr and rb_rz, quant_rh
 * (x = r * h in scratch) before rb_n. A quant pass quantizes the rows [batch * blk0 / nblk,
 * batch * blk1 / nblk) (nblk = Hp / nb), so ranges covering every block quantize every row once;
 * the pass after it must not start before every range is done. gru_gates_step_passes lists them.
 * A row's bits depend only on its own inputs: not on batch, its position or other rows. */
#ifndef GRU_SRC_GATES_H
#define GRU_SRC_GATES_H

#include <stddef.h>
#include <stdint.h>

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
    gru_gates_fn quant_h, quant_rh; /* int8dyn: h, r * h quantized into scratch */
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
GRU_GATES_DECL(i8dyn);
GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_quant_h);
GRU_DECL_ISA_FNS(decl_gates_fn, gru_gates_quant_rh);

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
        GRU_GATES_SET1(c, GRU_WEIGHTS_INT8_DYNAMIC, i8dyn, isa); \
        (c)->quant_h = gru_gates_quant_h_##isa;                \
        (c)->quant_rh = gru_gates_quant_rh_##isa;              \
        (c)->nb = gru_gates_nb_##isa;                          \
        (c)->sub = gru_gates_sub_##isa;                        \
    } while (0)

/* Floats of scratch one step of batch rows of type t needs (see above): batch times those of one
 * row, so rows [b0, b1) of a batch may use the scratch from b0 * (floats of one row) on.
 * Returns 0 on overflow. */
static inline int gru_gates_scratch_floats(size_t batch, size_t hp, int reset_before, gru_weight_type t,
                                           size_t *floats) {
    size_t row = reset_before ? 2 * hp : 0;
    if (t == GRU_WEIGHTS_INT8_DYNAMIC) row += hp / 2 + 1;
    *floats = 0;
    return hp <= SIZE_MAX / 4 && !__builtin_mul_overflow(batch, row, floats);
}

/* The passes of one step, in order (GRU_GATES_MAX_PASSES at most), for a variant and type. */
#define GRU_GATES_MAX_PASSES 4
static inline size_t gru_gates_step_passes(const GruGatesDSP *c, int reset_before, gru_weight_type t,
                                           gru_gates_fn *pass) {
    size_t n = 0;
    const int dyn = t == GRU_WEIGHTS_INT8_DYNAMIC;
    if (dyn) pass[n++] = c->quant_h;
    pass[n++] = reset_before ? c->rb_rz[t] : c->lbr[t];
    if (!reset_before) return n;
    if (dyn) pass[n++] = c->quant_rh;
    pass[n++] = c->rb_n[t];
    return n;
}

/* int8dyn's quantizer of one row x[0..n) (portable C, the same bits on every ISA): s = max|x| / 127
 * (fp32 division; 0 for a zero row), q[k] = round-half-even(x[k] / s) in [-127, 127] (0 where s
 * is 0) for k < n, q[k] = 0 for n <= k < np; a row holding inf or NaN: s = NaN, q = 0. It is
 * gru_int8_scale and gru_int8_quantize of weights.h. */
void gru_gates_quantize_row(int16_t *q, float *s, const float *x, size_t n, size_t np);

/* Largest H int8dyn accepts: H * 127^2 <= INT32_MAX, so acc cannot overflow. */
#define GRU_INT8DYN_MAX_HIDDEN ((size_t)133143)

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_gates_dsp_init(GruGatesDSP *c, unsigned flags);

#endif /* GRU_SRC_GATES_H */
