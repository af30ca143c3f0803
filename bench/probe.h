/* SPDX-License-Identifier: MIT
 * Roofline probe kernels, written once over the vector vocabulary (probe_impl.h) and compiled
 * per ISA like a kernel family, so the peak measured for an ISA is what its vectors can do. */
#ifndef GRU_BENCH_PROBE_H
#define GRU_BENCH_PROBE_H

#include <stddef.h>

#include "common.h"

/* FMA throughput: `rounds` rounds of PROBE_CHAINS independent FMA chains on full vectors.
 * Returns the FLOPs performed (2 per lane per FMA). */
#define decl_probe_fma_fn(name) double(name)(long rounds)
/* Read bandwidth: sums the n floats at p (64-byte aligned, n a multiple of 128) `reps` times
 * with independent accumulators; returns the sum so the loads stay live. */
#define decl_probe_read_fn(name) float(name)(const float *p, size_t n, long reps)
typedef decl_probe_fma_fn(*gru_probe_fma_fn);
typedef decl_probe_read_fn(*gru_probe_read_fn);

typedef struct GruProbeDSP {
    gru_probe_fma_fn fma;
    gru_probe_read_fn read;
} GruProbeDSP;

GRU_DECL_ISA_FNS(decl_probe_fma_fn, gru_bench_probe_fma);
GRU_DECL_ISA_FNS(decl_probe_read_fn, gru_bench_probe_read);

/* Fills the table for a CPU flag mask: scalar first, then newer ISAs over it. */
void gru_bench_probe_init(GruProbeDSP *c, unsigned flags);

#endif /* GRU_BENCH_PROBE_H */
