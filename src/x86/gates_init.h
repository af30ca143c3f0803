/* SPDX-License-Identifier: MIT
 * x86 rungs of the gates family's init ladder. */
#ifndef GRU_SRC_X86_GATES_INIT_H
#define GRU_SRC_X86_GATES_INIT_H
#include "config.h"
#include "cpu.h"
#include "gates.h"

static inline void gru_gates_dsp_init_x86(GruGatesDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_AVX2)) return;
    GRU_GATES_SET(c, avx2);
#if HAVE_AVX512
    if (!(flags & GRU_CPU_FLAG_AVX512)) return;
    GRU_GATES_SET(c, avx512);
#endif
}

#endif /* GRU_SRC_X86_GATES_INIT_H */
