/* SPDX-License-Identifier: MIT
 * GEMM family: the input projection of a whole layer, hoisted out of the time loop.
 * Contract of every function declared by decl_gemm_fn:
 *   g[i * ldg + j] = start[j] + sum_k a[i * lda + k] * W[j][k]   for i < m, j < n,
 *   computed as ONE FMA chain per element: acc = start[j] (0 if start is NULL), then
 *   acc = fma(a[i][k], W[j][k], acc) for k = 0, 1, ..., kdim - 1 in that order. The chain may be
 *   stored to g and reloaded between k blocks (exact), never split into partial sums.
 *   So g's bits depend on neither m, the row position, the tile shape nor the ISA.
 *   Weight storage types (one function each, table slot gemm[type]): W[j][k] above is the stored
 *   weight widened exactly to fp32 (fp32, fp16, bf16). int8 (q[j][k] integers, s[j] the column's
 *   scale): acc = 0, acc = fma(a[i][k], q[j][k], acc) for k = 0 .. kdim - 1 in order, then
 *   g = fma(s[j], acc, start[j] or 0): one chain over exact integer-valued floats, one fma.
 *   int8dyn: the int8 function (its W_ih is int8; weights.h gru_ih_weight_type).
 *   wp: W packed by gru_pack_gemm() for this table's nr and the function's type: panels of nr
 *   columns, k-major inside (int8: the panel's nr scales after its weights);
 *   start: NULL or at least round_up(n, nr) floats. m, n, kdim >= 1; lda >= kdim; ldg >= n.
 *   Writes exactly g[i * ldg + j] for i < m, j < n; a, wp, start are not written; g overlaps
 *   none of them. Any alignment.
 * The panel width nr of each ISA is a constant below, so pack.c can lay W out for a table
 * without including any vector header. */
#ifndef GRU_SRC_GEMM_H
#define GRU_SRC_GEMM_H

#include <stddef.h>

#include "common.h"
#include "weights.h"

/* Panel width (columns) of each ISA's kernel: a multiple of its vector length. */
#define gru_gemm_nr_c 4
#define gru_gemm_nr_avx2 24
#define gru_gemm_nr_avx512 64
#define gru_gemm_nr_neon 16
/* Rows per register tile of each ISA's kernel (a row range of another size ends in a thinner
 * tile). */
#define gru_gemm_mr_c 4
#define gru_gemm_mr_avx2 4
#define gru_gemm_mr_avx512 6
#define gru_gemm_mr_neon 6

#define decl_gemm_fn(name)                                                                                     \
    void(name)(float *g, size_t ldg, const float *a, size_t lda, const void *wp, const float *start, size_t m, \
               size_t n, size_t kdim)
typedef decl_gemm_fn(*gru_gemm_fn);

typedef struct GruGemmDSP {
    gru_gemm_fn gemm[GRU_WEIGHT_TYPES]; /* by gru_weight_type */
    size_t nr; /* panel width the packed weights must have for `gemm` */
    size_t mr; /* rows per register tile */
} GruGemmDSP;

GRU_DECL_ISA_FNS(decl_gemm_fn, gru_gemm_f32);
GRU_DECL_ISA_FNS(decl_gemm_fn, gru_gemm_f16);
GRU_DECL_ISA_FNS(decl_gemm_fn, gru_gemm_bf16);
GRU_DECL_ISA_FNS(decl_gemm_fn, gru_gemm_i8);

/* Fills slot gemm[t] of every type from a set of functions gru_gemm_<type>_<isa>. */
#define GRU_GEMM_SET(c, isa)                               \
    do {                                                   \
        (c)->gemm[GRU_WEIGHTS_F32] = gru_gemm_f32_##isa;   \
        (c)->gemm[GRU_WEIGHTS_F16] = gru_gemm_f16_##isa;   \
        (c)->gemm[GRU_WEIGHTS_BF16] = gru_gemm_bf16_##isa; \
        (c)->gemm[GRU_WEIGHTS_INT8] = gru_gemm_i8_##isa;   \
        (c)->gemm[GRU_WEIGHTS_INT8_DYNAMIC] = gru_gemm_i8_##isa; /* W_ih of int8dyn is int8 */ \
        (c)->nr = gru_gemm_nr_##isa;                       \
        (c)->mr = gru_gemm_mr_##isa;                       \
    } while (0)

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_gemm_dsp_init(GruGemmDSP *c, unsigned flags);

#endif /* GRU_SRC_GEMM_H */
