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
    GRU_GATES_SET(c, c);
#if ARCH_X86_64
    gru_gates_dsp_init_x86(c, flags);
#elif ARCH_AARCH64
    gru_gates_dsp_init_arm(c, flags);
#else
    (void)flags;
#endif
}
