/* SPDX-License-Identifier: MIT
 * AArch64 rungs of the activation family's init ladder. */
#ifndef GRU_SRC_ARM_ACT_INIT_H
#define GRU_SRC_ARM_ACT_INIT_H
#include "act.h"
#include "cpu.h"

static inline void gru_act_dsp_init_arm(GruActDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_NEON)) return;
    c->sigmoid = gru_sigmoid_f32_neon;
    c->tanh = gru_tanh_f32_neon;
}

#endif /* GRU_SRC_ARM_ACT_INIT_H */
