/* SPDX-License-Identifier: MIT
 * Instantiates the gates family for the vocabulary included before it (one per ISA file). */
#include "gates.h"
#include "gates_impl.h"

decl_gates_fn(GRU_ISA_FN(gru_gates_lbr_f32)) {
    const gates_step s = gates_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, scratch, batch, hidden);
    gates_lbr_run(&s);
}

decl_gates_fn(GRU_ISA_FN(gru_gates_rb_f32)) {
    const gates_step s = gates_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, scratch, batch, hidden);
    gates_rb_run(&s);
}
