/* SPDX-License-Identifier: MIT
 * x86 rungs of the gates family's init ladder. */
#ifndef GRU_SRC_X86_GATES_INIT_H
#define GRU_SRC_X86_GATES_INIT_H
#include "config.h"
#include "cpu.h"
#include "gates.h"

static inline void gru_gates_dsp_init_x86(GruGatesDSP *c, unsigned flags) {
    if (!(flags & GRU_CPU_FLAG_AVX2)) return;
    c->lbr = gru_gates_lbr_f32_avx2;
    c->rb_rz = gru_gates_rb_rz_f32_avx2;
    c->rb_n = gru_gates_rb_n_f32_avx2;
    c->nb = gru_gates_nb_avx2;
    c->sub = gru_gates_sub_avx2;
#if HAVE_AVX512
    if (!(flags & GRU_CPU_FLAG_AVX512)) return;
    c->lbr = gru_gates_lbr_f32_avx512;
    c->rb_rz = gru_gates_rb_rz_f32_avx512;
    c->rb_n = gru_gates_rb_n_f32_avx512;
    c->nb = gru_gates_nb_avx512;
    c->sub = gru_gates_sub_avx512;
#endif
}

#endif /* GRU_SRC_X86_GATES_INIT_H */
