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
    gru_gates_fn pass[2]; /* one step: LINEAR_BEFORE_RESET gates.lbr; RESET_BEFORE gates.rb_rz, gates.rb_n */
    size_t passes;
    size_t D, hp, ldgx;
    gru_model_layer *layer; /* L entries */
    gru_model_dir *dir;     /* L * D entries */
    float *packed;          /* one allocation holding every packed array */
    size_t packed_bytes;
    size_t raw_bytes; /* the same weights as PyTorch fp32 tensors */
};

/* One recurrent step of every hidden unit (the gates contract, all blocks, every pass in order). */
static inline void gru_model_step(const gru_model *m, float *h_out, float *y, size_t ldy, const float *h_in,
                                  const float *gx, size_t ldgx, const gru_model_dir *dir, const unsigned char *active,
                                  float *scratch, size_t B) {
    for (size_t p = 0; p < m->passes; p++)
        m->pass[p](h_out, y, ldy, h_in, gx, ldgx, dir->w_hh, dir->bn, active, scratch, B, m->cfg.hidden_size, 0,
                   m->hp / m->gates.nb);
}

/* The step loop of one direction d of layer l over a projection already computed, shared by
 * gru_forward and the systems in src/nets/ so they give the same bits. Row (t, b) of gx and y is
 * t * row_t + b * row_b; gx rows have ldgx floats, direction d's gates at d * 3 * hp; h0 NULL
 * (zeros) or B rows of H at h0 + b * H; y NULL or rows of ldy floats, this direction's H at d * H
 * (zero where a row is inactive); h_n NULL or B rows of H at h_n + b * ldh. Item b is active at
 * step t iff t < lengths[b] (lengths NULL: always); the reverse direction walks t = T-1 .. 0. */
typedef struct gru_steps {
    size_t T, B, row_t, row_b;
    const int64_t *lengths;
} gru_steps;
/* Bytes of the workspace gru_run_direction needs for B rows (a multiple of GRU_ALIGN); 0 on overflow. */
int gru_direction_workspace(const gru_model *m, size_t B, size_t *bytes);
/* ws: gru_direction_workspace() bytes, GRU_ALIGN-aligned. */
void gru_run_direction(const gru_model *m, size_t l, size_t d, const gru_steps *s, const float *h0, const float *gx,
                       size_t ldgx, float *y, size_t ldy, float *h_n, size_t ldh, void *ws);

#endif /* GRU_SRC_MODEL_H */
