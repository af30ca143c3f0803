/* SPDX-License-Identifier: MIT
 * The GRU shapes of PERF.md: the public sweep and the named cases, one table. */
#ifndef GRU_BENCH_SWEEP_H
#define GRU_BENCH_SWEEP_H

#include <stddef.h>

#include "gru/gru.h"

typedef struct gru_bench_shape {
    const char *label; /* "sweep" or the named case */
    size_t I, H, B, T, L;
    int D; /* directions: 1 or 2 */
    gru_variant variant;
    unsigned sets; /* GRU_BENCH_QUICK and/or GRU_BENCH_FULL */
    gru_weight_type weights; /* ours only: the peers run the fp32 rows */
    int state; /* 1: every library gets the same random h0 (a carried state); 0: h0 = zeros (ours: NULL) */
} gru_bench_shape;

/* The h0 of a shape with `state` ([L*D, B, H], values in [-1, 1]); NULL when out of memory. */
const float *gru_bench_shape_h0(const gru_bench_shape *s);

/* The table; *n rows. */
const gru_bench_shape *gru_bench_shapes(size_t *n);
/* The model config of a shape (bias on). */
gru_config gru_bench_shape_config(const gru_bench_shape *s);
/* "I256_H256_B1_T16" (+ "_L2", "_D2", "_rb" when not 1 layer, 1 direction, LINEAR_BEFORE_RESET;
 * + "_h0" with a carried state; + "_fp16", "_bf16", "_int8" for reduced-precision weights). */
void gru_bench_shape_key(const gru_bench_shape *s, char *buf, size_t len);

#endif /* GRU_BENCH_SWEEP_H */
