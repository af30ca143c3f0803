/* SPDX-License-Identifier: MIT
 * GEMM family: the input projection of a whole layer, hoisted out of the time loop.
 * Contract of every function declared by decl_gemm_fn:
 *   g[i * ldg + j] = start[j] + sum_k a[i * lda + k] * W[j][k]   for i < m, j < n,
 *   computed as ONE FMA chain per element: acc = start[j] (0 if start is NULL), then
 *   acc = fma(a[i][k], W[j][k], acc) for k = 0, 1, ..., kdim - 1 in that order. The chain may be
 *   stored to g and reloaded between k blocks (exact), never split into partial sums.
 *   So g's bits depend on neither m, the row position, the tile shape nor the ISA.
 *   wp: W packed by gru_pack_gemm() for this table's nr: panels of nr columns, k-major inside;
 *   start: NULL or at least round_up(n, nr) floats. m, n, kdim >= 1; lda >= kdim; ldg >= n.
 *   Writes exactly g[i * ldg + j] for i < m, j < n; a, wp, start are not written; g overlaps
 *   none of them. Any alignment.
 * The panel width nr of each ISA is a constant below, so pack.c can lay W out for a table
 * without including any vector header. */
#ifndef GRU_SRC_GEMM_H
#define GRU_SRC_GEMM_H

#include <stddef.h>

#include "common.h"

/* Panel width (columns) of each ISA's kernel: a multiple of its vector length. */
#define gru_gemm_nr_c 4
#define gru_gemm_nr_avx2 24
#define gru_gemm_nr_avx512 64
#define gru_gemm_nr_neon 16

#define decl_gemm_fn(name)                                                                                     \
    void(name)(float *g, size_t ldg, const float *a, size_t lda, const float *wp, const float *start, size_t m, \
               size_t n, size_t kdim)
typedef decl_gemm_fn(*gru_gemm_fn);

typedef struct GruGemmDSP {
    gru_gemm_fn gemm;
    size_t nr; /* panel width the packed weights must have for `gemm` */
} GruGemmDSP;

GRU_DECL_ISA_FNS(decl_gemm_fn, gru_gemm_f32);

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_gemm_dsp_init(GruGemmDSP *c, unsigned flags);

#endif /* GRU_SRC_GEMM_H */
