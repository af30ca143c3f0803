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

/* One direction d of layer l over T steps of B rows, as gru_forward runs it. Row (t, b) of gx
 * and y is t * row_t + b * row_b; gx rows have ldgx floats, direction d's at d * 3 * hp; y NULL
 * or rows of ldy floats, this direction's H at d * H; h_n NULL or B rows of H at h_n + b * ldh;
 * the state starts at zero.
 * ws: gru_nets_dir_ws(m, B) bytes, 64-byte aligned. */
typedef struct gru_nets_steps {
    size_t T, B, row_t, row_b;
    const int64_t *lengths; /* NULL: all T */
} gru_nets_steps;
int gru_nets_dir_ws(const gru_model *m, size_t B, size_t *bytes);
void gru_nets_run_dir(const gru_model *m, size_t l, size_t d, const gru_nets_steps *s, const float *gx, size_t ldgx,
                      float *y, size_t ldy, float *h_n, size_t ldh, void *ws);

#endif /* GRU_SRC_NETS_NETS_H */
