/* SPDX-License-Identifier: MIT
 * Instantiates the probe loops for the vocabulary included before it. */
#include "probe.h"
#include "probe_impl.h"

decl_probe_fma_fn(GRU_ISA_FN(gru_bench_probe_fma)) { return probe_fma_loop(rounds); }
decl_probe_read_fn(GRU_ISA_FN(gru_bench_probe_read)) { return probe_read_loop(p, n, reps); }
