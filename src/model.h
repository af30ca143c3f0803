/* SPDX-License-Identifier: MIT
 * The model: the configuration, the kernels chosen at creation and the weights packed for them.
 * Immutable after gru_model_create, so any number of threads may run it at once.
 * Layouts (Hp = hidden rounded up to the gates block nb; W = D * 3 * Hp):
 *   gx of a layer: row per (t, b) in x's order, W floats: direction d's [r | z | n] at d * 3 * Hp,
 *     each gate Hp wide; the chain starts r, z (and n for RESET_BEFORE) include b_ih + b_hh.
 *   layer[l].w_ih: both directions' W_ih as one GEMM of W columns, packed for the gemm table;
 *   layer[l].start: the GEMM's chain starts (W floats); dir[l * D + d].w_hh: W_hh packed for the
 *   gates table; dir[...].bn: the LINEAR_BEFORE_RESET start of W_hn h (b_hh_n), Hp floats. */
#ifndef GRU_SRC_MODEL_H
#define GRU_SRC_MODEL_H

#include "common.h"
#include "gates.h"
#include "gemm.h"

typedef struct gru_model_layer {
    const float *w_ih;  /* packed, round_up(W, nr) x I_l */
    const float *start; /* W floats */
    size_t in;          /* I_l */
} gru_model_layer;

typedef struct gru_model_dir {
    const float *w_hh; /* packed, 3 * Hp x H */
    const float *bn;   /* Hp floats */
} gru_model_dir;

struct gru_model {
    gru_config cfg;
    gru_isa isa;
    GruGemmDSP gemm;
    GruGatesDSP gates;
    gru_gates_fn step; /* gates.lbr or gates.rb, per cfg.variant */
    size_t D, hp, ldgx;
    gru_model_layer *layer; /* L entries */
    gru_model_dir *dir;     /* L * D entries */
    float *packed;          /* one allocation holding every packed array */
    size_t packed_bytes;
    size_t raw_bytes; /* the same weights as PyTorch fp32 tensors */
};

#endif /* GRU_SRC_MODEL_H */
