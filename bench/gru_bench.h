/* SPDX-License-Identifier: MIT
 * Helpers of the GRU entries that the peers share. */
#ifndef GRU_BENCH_GRU_BENCH_H
#define GRU_BENCH_GRU_BENCH_H

#include <stddef.h>

#include "bench.h"
#include "sweep.h"

/* Our model for a config on an ISA, made once per run (kept until gru_bench_models_clear). */
gru_status gru_bench_model_get(const gru_config *c, gru_isa isa, const gru_model **out, char *why, size_t why_len);
void gru_bench_models_clear(void);
/* Name "gru/<label>/<key>/<impl>" and the per-call figures of a shape. */
void gru_bench_fill_shape(gru_bench_entry *e, const gru_bench_shape *sh, const gru_bench_options *o, const char *impl);

#endif /* GRU_BENCH_GRU_BENCH_H */
