/* SPDX-License-Identifier: MIT
 * x86 rungs of the activation family's init ladder. */
#ifndef GRU_SRC_X86_ACT_INIT_H
#define GRU_SRC_X86_ACT_INIT_H
#include "act.h"
#include "config.h"
#include "cpu.h"

static inline void gru_act_dsp_init_x86(GruActDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_AVX2)) return;
    c->sigmoid = gru_sigmoid_f32_avx2;
    c->tanh = gru_tanh_f32_avx2;
#if HAVE_AVX512
    if (!(flags & GRU_CPU_FLAG_AVX512)) return;
    c->sigmoid = gru_sigmoid_f32_avx512;
    c->tanh = gru_tanh_f32_avx512;
#endif
}

#endif /* GRU_SRC_X86_ACT_INIT_H */
