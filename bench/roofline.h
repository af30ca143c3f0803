/* SPDX-License-Identifier: MIT
 * The roofline of this machine, measured at start-up (~1 s), and PERF.md's lower bound on the time
 * of one GRU forward under it. */
#ifndef GRU_BENCH_ROOFLINE_H
#define GRU_BENCH_ROOFLINE_H

#include <stddef.h>

#include "gru/gru.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GRU_ROOF_MAX_BW 40

typedef struct gru_roofline {
    double hz;        /* core clock at start (clock.h), 0 if unknown */
    double hz_end;    /* the same, measured again after the benchmarks */
    double peak[4];   /* FMA peak FLOP/s per gru_isa probed; 0: not run here */
    double peak_best; /* P: the highest of them, the machine's limit */
    int n_bw;
    double bw_bytes[GRU_ROOF_MAX_BW]; /* footprints probed, increasing (x1.5, x4/3 steps) */
    double bw[GRU_ROOF_MAX_BW];       /* read bandwidth at each, bytes/s */
} gru_roofline;

/* Measures the clock, the FMA peak of every ISA enabled for this run and the read bandwidth
 * of the best one from 16 KiB to 128 MiB. */
void gru_roofline_probe(gru_roofline *r);
/* The figures of the last probe (zeros before). */
const gru_roofline *gru_roofline_get(void);

/* Read bandwidth (bytes/s) for data of `bytes`: the best measured at any probed footprint at
 * least as large (so data inside a cache level gets that level's rate). */
double gru_roofline_bw(const gru_roofline *r, double bytes);

/* Lower bound (seconds) on one forward, PERF.md: summed over layers and directions,
 *   max(input projection flops / P, input weight bytes / BW(their size))
 * + T * max(recurrent flops per step / P, recurrent weight bytes / BW(their size)). */
double gru_roofline_bound_s(const gru_roofline *r, const gru_config *c, size_t batch, size_t seq);

/* FLOPs of one forward: 2 * 3H * (I_l + H) * B * T per layer and direction. */
double gru_forward_flops(const gru_config *c, size_t batch, size_t seq);
/* Weight bytes streamed by one forward (in the config's storage type): input weights once, recurrent
 * weights once per step. */
double gru_forward_weight_bytes(const gru_config *c, size_t seq);

#ifdef __cplusplus
}
#endif
#endif /* GRU_BENCH_ROOFLINE_H */
