/* SPDX-License-Identifier: MIT
 * Benchmark data shared by ours and the peers, made once per key and kept until the end of the
 * run (benchmarks alternate, so every state stays alive): random weights in PyTorch's layout
 * and random inputs. Values are uniform (weights in +-1/sqrt(H), PyTorch's init; inputs in
 * +-1) and fixed by the shape, so every implementation sees the same numbers. */
#ifndef GRU_BENCH_DATA_H
#define GRU_BENCH_DATA_H

#include <stddef.h>

#include "gru/gru.h"

typedef struct gru_bench_weights {
    const gru_layer_weights *layers; /* L * D entries, as gru_model_create takes them */
} gru_bench_weights;

/* fp32 weights and biases for the dimensions of a config (I, H, L, D), shared by every weight
 * storage type and variant of those dimensions: the model created from them takes those two
 * from the caller's own config. NULL when out of memory. */
const gru_bench_weights *gru_bench_weights_get(const gru_config *c);
/* n floats uniform in [-1, 1), the same for the same (n, salt); NULL when out of memory. */
const float *gru_bench_input_get(size_t n, unsigned salt);
/* Frees everything made above. */
void gru_bench_data_clear(void);

/* 64-byte aligned floats filled uniformly in [-a, a) from a seed. */
float *gru_bench_random(size_t n, float a, unsigned long long seed);

#endif /* GRU_BENCH_DATA_H */
