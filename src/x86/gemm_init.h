/* SPDX-License-Identifier: MIT
 * x86 rungs of the GEMM family's init ladder. */
#ifndef GRU_SRC_X86_GEMM_INIT_H
#define GRU_SRC_X86_GEMM_INIT_H
#include "config.h"
#include "cpu.h"
#include "gemm.h"

static inline void gru_gemm_dsp_init_x86(GruGemmDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_AVX2)) return;
    GRU_GEMM_SET(c, avx2);
#if HAVE_AVX512
    if (!(flags & GRU_CPU_FLAG_AVX512)) return;
    GRU_GEMM_SET(c, avx512);
#endif
}

#endif /* GRU_SRC_X86_GEMM_INIT_H */
