/* SPDX-License-Identifier: MIT
 * Instantiates the gates family for the vocabulary included before it (one per ISA file). */
#include "gates.h"
#include "gates_impl.h"

#define GATES_ENTRY(name, pass)                                                                          \
    decl_gates_fn(GRU_ISA_FN(name)) {                                                                   \
        const gates_step s = gates_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, scratch, batch, hidden); \
        for (size_t blk = blk0; blk < blk1; blk++) gates_##pass##_block(&s, blk);                      \
    }
GATES_ENTRY(gru_gates_lbr_f32, lbr)
GATES_ENTRY(gru_gates_rb_rz_f32, rz)
GATES_ENTRY(gru_gates_rb_n_f32, n)
