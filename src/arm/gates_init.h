/* SPDX-License-Identifier: MIT
 * AArch64 rungs of the gates family's init ladder. */
#ifndef GRU_SRC_ARM_GATES_INIT_H
#define GRU_SRC_ARM_GATES_INIT_H
#include "cpu.h"
#include "gates.h"

static inline void gru_gates_dsp_init_arm(GruGatesDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_NEON)) return;
    GRU_GATES_SET(c, neon);
}

#endif /* GRU_SRC_ARM_GATES_INIT_H */
