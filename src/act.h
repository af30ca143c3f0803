/* SPDX-License-Identifier: MIT
 * Activation family: elementwise sigmoid and tanh over f32 arrays.
 * Contract of every function declared by decl_act_fn:
 *   y[i] = f(x[i]) for i < n; y == x (in place) allowed, other overlap not; any alignment; n >= 0.
 *   Bit-identical to the scalar reference (name_c) for every input; the algorithm is written
 *   once in act_impl.h over the vector vocabulary and instantiated per ISA. */
#ifndef GRU_SRC_ACT_H
#define GRU_SRC_ACT_H

#include <stddef.h>

#include "common.h"

#define decl_act_fn(name) void(name)(float *y, const float *x, size_t n)
typedef decl_act_fn(*gru_act_fn);

typedef struct GruActDSP {
    gru_act_fn sigmoid;
    gru_act_fn tanh;
} GruActDSP;

GRU_DECL_ISA_FNS(decl_act_fn, gru_sigmoid_f32);
GRU_DECL_ISA_FNS(decl_act_fn, gru_tanh_f32);

/* Fills the table for a CPU flag mask: the reference first, then newer ISAs over it. */
void gru_act_dsp_init(GruActDSP *c, unsigned flags);

#endif /* GRU_SRC_ACT_H */
