/* SPDX-License-Identifier: MIT
 * Instantiates the activation family for the vocabulary included before it (one per ISA file). */
#include "act.h"
#include "act_impl.h"

decl_act_fn(GRU_ISA_FN(gru_sigmoid_f32)) { act_sigmoid_loop(y, x, n); }
decl_act_fn(GRU_ISA_FN(gru_tanh_f32)) { act_tanh_loop(y, x, n); }
