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

/* int8dyn: the integer tiles over the quantized rows, and the quant passes before them. */
#include "gates_q_impl.h"

#define GATESQ_INIT                                                                                       \
    const gates_q_step s = gates_q_step_init(h_out, y, ldy, h_in, gx, ldgx, wp, bn, active, scratch, batch, \
                                             hidden)
#define GATESQ_ENTRY(name, pass)                                                    \
    decl_gates_fn(GRU_ISA_FN(name)) {                                              \
        GATESQ_INIT;                                                                \
        for (size_t blk = blk0; blk < blk1; blk++) gates_##pass##_block(&s, blk); \
    }
GATESQ_ENTRY(gru_gates_lbr_i8dyn, lbr_i8dyn)
GATESQ_ENTRY(gru_gates_rb_rz_i8dyn, rz_i8dyn)
GATESQ_ENTRY(gru_gates_rb_n_i8dyn, n_i8dyn)
decl_gates_fn(GRU_ISA_FN(gru_gates_quant_h)) {
    GATESQ_INIT;
    gates_quant_rows(&s, 0, blk0, blk1);
}
decl_gates_fn(GRU_ISA_FN(gru_gates_quant_rh)) {
    GATESQ_INIT;
    gates_quant_rows(&s, 1, blk0, blk1);
}
