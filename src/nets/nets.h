/* SPDX-License-Identifier: MIT
 * Internal helpers shared by the systems built on the engine (src/nets/). */
#ifndef GRU_SRC_NETS_NETS_H
#define GRU_SRC_NETS_NETS_H

#include "model.h"

/* Dense layer, scalar (the heads are tiny): for b < B, o < out,
 *   y[b * ldy + o] = chain(bias[o] (0 if NULL); w[o][k], x[b * ldx + k]) for k = 0 .. in-1 in order,
 * one fmaf per k; relu: then y = y < 0 ? 0 : y (NaN and -0 pass). Same bits on every machine. */
void gru_nets_linear(float *y, size_t ldy, const float *x, size_t ldx, size_t B, size_t in, const float *w,
                     const float *bias, size_t out, int relu);

/* Copies tensor `prefix + name` of `st` into a new gru_malloc'd buffer; checks its rank and shape
 * (shape[i] == 0 means any, and is then set to the size found). rank 0 not used. */
gru_status gru_nets_tensor(const gru_safetensors *st, const char *prefix, const char *name, size_t rank,
                           size_t *shape, float **out);
/* 1 if `prefix + name` exists in st. */
int gru_nets_has(const gru_safetensors *st, const char *prefix, const char *name);

#endif /* GRU_SRC_NETS_NETS_H */
