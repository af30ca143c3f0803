/* SPDX-License-Identifier: MIT
 * AArch64 rungs of the GEMM family's init ladder. */
#ifndef GRU_SRC_ARM_GEMM_INIT_H
#define GRU_SRC_ARM_GEMM_INIT_H
#include "cpu.h"
#include "gemm.h"

static inline void gru_gemm_dsp_init_arm(GruGemmDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_NEON)) return;
    GRU_GEMM_SET(c, neon);
}

#endif /* GRU_SRC_ARM_GEMM_INIT_H */
