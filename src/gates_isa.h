/* SPDX-License-Identifier: MIT
 * Instantiates the gates family, every pass for every weight storage type, for the vocabulary
 * included before it (one per ISA file). */
#include "gates.h"
#include "gates_impl.h"

#define GATES_ENTRY(name, pass)                                                                          \
    decl_gates_fn(GRU_ISA_FN(name)) {                                                                   \
        const gates_step s = gates_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, scratch, batch, hidden); \
        for (size_t blk = blk0; blk < blk1; blk++) gates_##pass##_block(&s, blk);                      \
    }
#define GATES_ENTRIES(type)                           \
    GATES_ENTRY(gru_gates_lbr_##type, lbr_##type)     \
    GATES_ENTRY(gru_gates_rb_rz_##type, rz_##type)    \
    GATES_ENTRY(gru_gates_rb_n_##type, n_##type)
GATES_ENTRIES(f32)
GATES_ENTRIES(f16)
GATES_ENTRIES(bf16)
GATES_ENTRIES(i8)
