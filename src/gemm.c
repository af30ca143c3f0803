/* SPDX-License-Identifier: MIT
 * GEMM family: the scalar reference and the dispatch table. */
#include "gemm.h"

#include "config.h"
#include "cpu.h"
#include "vec_scalar.h"
#include "gemm_isa.h"

#if ARCH_X86_64
#include "x86/gemm_init.h"
#elif ARCH_AARCH64
#include "arm/gemm_init.h"
#endif

void gru_gemm_dsp_init(GruGemmDSP *c, unsigned flags) {
    GRU_GEMM_SET(c, c);
#if ARCH_X86_64
    gru_gemm_dsp_init_x86(c, flags);
#elif ARCH_AARCH64
    gru_gemm_dsp_init_arm(c, flags);
#else
    (void)flags;
#endif
}
