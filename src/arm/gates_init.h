/* SPDX-License-Identifier: MIT
 * AArch64 rungs of the gates family's init ladder. */
#ifndef GRU_SRC_ARM_GATES_INIT_H
#define GRU_SRC_ARM_GATES_INIT_H
#include "cpu.h"
#include "gates.h"

static inline void gru_gates_dsp_init_arm(GruGatesDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_NEON)) return;
    c->lbr = gru_gates_lbr_f32_neon;
    c->rb_rz = gru_gates_rb_rz_f32_neon;
    c->rb_n = gru_gates_rb_n_f32_neon;
    c->nb = gru_gates_nb_neon;
    c->sub = gru_gates_sub_neon;
}

#endif /* GRU_SRC_ARM_GATES_INIT_H */
