/* SPDX-License-Identifier: MIT
 * Activation family: every ISA bit-identical to the reference (to be completed). */
#include <criterion/criterion.h>
#include <string.h>

#include "act.h"
#include "rig.h"

Test(act, simd_matches_reference) {
    rig_rng r = rig_rng_init(1);
    const size_t n = 1000;
    float *x = rig_alloc(n, 0), *ref = rig_alloc(n, 0), *out = rig_alloc(n, 0);
    for (size_t i = 0; i < n; i++) x[i] = rig_uniform(&r, -20.0f, 20.0f);
    GruActDSP c0;
    gru_act_dsp_init(&c0, 0);
    c0.sigmoid(ref, x, n);
    int checked = 0;
    RIG_FOREACH_SIMD_ISA(isa) {
        GruActDSP c;
        gru_act_dsp_init(&c, gru_isa_flags(isa));
        c.sigmoid(out, x, n);
        cr_expect(!memcmp(ref, out, n * sizeof *out), "sigmoid %s differs from the reference", gru_isa_name(isa));
        rig_check_guard(out, "sigmoid");
        checked++;
    }
    cr_log_info("checked %d SIMD ISAs", checked);
    rig_free(x), rig_free(ref), rig_free(out);
}
