/* SPDX-License-Identifier: MIT
 * Activation family: the scalar reference, the dispatch table and the public entry points. */
#include "act.h"

#include "config.h"
#include "cpu.h"
#include "vec_scalar.h"
#include "act_isa.h"

#if ARCH_X86_64
#include "x86/act_init.h"
#elif ARCH_AARCH64
#include "arm/act_init.h"
#endif

void gru_act_dsp_init(GruActDSP *c, unsigned flags) {
    c->sigmoid = gru_sigmoid_f32_c;
    c->tanh = gru_tanh_f32_c;
#if ARCH_X86_64
    gru_act_dsp_init_x86(c, flags);
#elif ARCH_AARCH64
    gru_act_dsp_init_arm(c, flags);
#else
    (void)flags;
#endif
}

static gru_status run(int tanh_fn, float *y, const float *x, size_t n, const char *name) {
    if (n == 0) return GRU_OK;
    if (!y || !x) return gru_error(GRU_ERR_NULL, "%s: NULL array with n = %zu", name, n);
    if (n > SIZE_MAX / sizeof(float)) return gru_error(GRU_ERR_OVERFLOW, "%s: n = %zu floats overflows", name, n);
    GruActDSP c;
    gru_act_dsp_init(&c, gru_cpu_flags());
    (tanh_fn ? c.tanh : c.sigmoid)(y, x, n);
    return GRU_OK;
}

gru_status gru_sigmoid_f32(float *y, const float *x, size_t n) { return run(0, y, x, n, "gru_sigmoid_f32"); }
gru_status gru_tanh_f32(float *y, const float *x, size_t n) { return run(1, y, x, n, "gru_tanh_f32"); }
