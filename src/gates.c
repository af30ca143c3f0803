/* SPDX-License-Identifier: MIT
 * Gates family: the scalar reference and the dispatch table. */
#include "gates.h"

#include "config.h"
#include "cpu.h"
#include "vec_scalar.h"
#include "gates_isa.h"

#if ARCH_X86_64
#include "x86/gates_init.h"
#elif ARCH_AARCH64
#include "arm/gates_init.h"
#endif

void gru_gates_dsp_init(GruGatesDSP *c, unsigned flags) {
    c->lbr = gru_gates_lbr_f32_c;
    c->rb_rz = gru_gates_rb_rz_f32_c;
    c->rb_n = gru_gates_rb_n_f32_c;
    c->nb = gru_gates_nb_c;
    c->sub = gru_gates_sub_c;
#if ARCH_X86_64
    gru_gates_dsp_init_x86(c, flags);
#elif ARCH_AARCH64
    gru_gates_dsp_init_arm(c, flags);
#else
    (void)flags;
#endif
}
