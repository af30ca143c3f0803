/* SPDX-License-Identifier: MIT
 * The model: the configuration, the kernels chosen at creation and the weights packed for them.
 * Immutable after gru_model_create, so any number of threads may run it at once.
 * Layouts (Hp = hidden rounded up to the gates block nb; W = D * 3 * Hp):
 *   gx of a layer: row per (t, b) in x's order, W floats: direction d's [r | z | n] at d * 3 * Hp,
 *     each gate Hp wide; the chain starts r, z (and n for RESET_BEFORE) include b_ih + b_hh.
 *   layer[l].w_ih: both directions' W_ih as one GEMM of W columns, packed for the gemm table;
 *   layer[l].start: the GEMM's chain starts (W floats); dir[l * D + d].w_hh: W_hh packed for the
 *   gates table; dir[...].bn: the LINEAR_BEFORE_RESET start of W_hn h (b_hh_n), Hp floats.
 *   w_ih and w_hh are stored in cfg.weights (weights.h): reach columns of w_ih only through
 *   gru_model_w_ih_at(); gemm and pass[] are the kernels of that type. */
#ifndef GRU_SRC_MODEL_H
#define GRU_SRC_MODEL_H

#include "common.h"
#include "gates.h"
#include "gemm.h"
#include "pool.h"

typedef struct gru_model_layer {
    const void *w_ih;   /* packed, round_up(W, nr) x I_l, type cfg.weights */
    const float *start; /* W floats */
    size_t in;          /* I_l */
} gru_model_layer;

typedef struct gru_model_dir {
    const void *w_hh;  /* packed, 3 * Hp x H, type cfg.weights */
    const float *bn;   /* Hp floats */
} gru_model_dir;

/* The GEMM kernel of the model's weight type, the panel width it was packed for and its row tile. */
typedef struct gru_model_gemm {
    gru_gemm_fn gemm;
    size_t nr, mr;
} gru_model_gemm;

struct gru_model {
    gru_config cfg;
    gru_isa isa;
    gru_model_gemm gemm; /* the gemm table's gemm[cfg.weights] */
    GruGatesDSP gates;
    gru_gates_fn pass[GRU_GATES_MAX_PASSES]; /* one step, type cfg.weights: gru_gates_step_passes() */
    size_t passes;
    size_t D, hp, ldgx;
    gru_model_layer *layer; /* L entries */
    gru_model_dir *dir;     /* L * D entries */
    float *packed;          /* one allocation holding every packed array */
    size_t packed_bytes;
    size_t raw_bytes; /* the same weights as PyTorch fp32 tensors */
};

/* Layer l's packed W_ih from GEMM column col0 on (col0 a multiple of the panel width nr). */
static inline const void *gru_model_w_ih_at(const gru_model *m, size_t l, size_t col0) {
    return (const unsigned char *)m->layer[l].w_ih +
           col0 / m->gemm.nr * gru_gemm_panel_bytes(m->layer[l].in, m->gemm.nr, m->cfg.weights);
}

/* One recurrent step of every hidden unit (the gates contract, all blocks, every pass in order);
 * zero: h_in is all zeros (the first step from a zero state), so the products with W_hh are skipped.
 * down: the blocks run from the last to the first, one call each. Steps alternate it, so a step
 * starts with the block the previous one ended with, whose weights are still in L1 when a block
 * fits there (I = H = 64: half of W_hh's 48 KiB read from L1 instead of L2). Blocks are
 * independent, so the order changes no bits. */
static inline void gru_model_step(const gru_model *m, float *h_out, float *y, size_t ldy, const float *h_in,
                                  const float *gx, size_t ldgx, const gru_model_dir *dir, const unsigned char *active,
                                  float *scratch, size_t B, int zero, int down) {
    const size_t nblk = m->hp / m->gates.nb;
    const void *w = zero ? NULL : dir->w_hh;
    for (size_t p = 0; p < m->passes; p++)
        if (!down)
            m->pass[p](h_out, y, ldy, h_in, gx, ldgx, w, dir->bn, active, scratch, B, m->cfg.hidden_size, 0, nblk);
        else
            for (size_t b = nblk; b-- > 0;)
                m->pass[p](h_out, y, ldy, h_in, gx, ldgx, w, dir->bn, active, scratch, B, m->cfg.hidden_size, b, b + 1);
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
/* Bytes of the workspace gru_run_direction needs for B rows (a multiple of GRU_ALIGN); 0 on overflow.
 * The layout: the state double buffer (2 * B * hp floats), the gates kernel's scratch, gathered gx
 * rows (B * 3 * hp floats), the rows' order (2 * B size_t), each region GRU_ALIGN-aligned
 * (gru_direction_regions gives their sizes). A batch slice [b0, b1) uses rows b0.. of every
 * region, so threads never need more. */
typedef struct gru_dir_regions {
    size_t state, scratch, gxc, order;
} gru_dir_regions;
int gru_direction_workspace(const gru_model *m, size_t B, size_t *bytes);
int gru_direction_regions(const gru_model *m, size_t B, gru_dir_regions *r);
/* ws: gru_direction_workspace() bytes, GRU_ALIGN-aligned. One thread. A step computes only the
 * rows active at it, steps where none is are skipped (only their y rows are zeroed): the same
 * bits. */
void gru_run_direction(const gru_model *m, size_t l, size_t d, const gru_steps *s, const float *h0, const float *gx,
                       size_t ldgx, float *y, size_t ldy, float *h_n, size_t ldh, void *ws);

/* One direction of a layer run: d, its h0 and h_n (as gru_run_direction's, B rows at stride H and
 * ldh) and its own gru_direction_workspace(B) bytes, GRU_ALIGN-aligned. */
typedef struct gru_dir_job {
    size_t d;
    const float *h0;
    float *h_n;
    void *ws;
} gru_dir_job;
/* The directions jobs[0..njobs) of layer l, each as gru_run_direction, on t's threads. The split
 * is chosen here: whole recurrences at once (directions, then batch slices of whole gates tiles)
 * when there are enough, else blocks of hidden units per step when a step is big, else one
 * thread. The bits do not depend on it. */
void gru_run_layer(const gru_model *m, size_t l, const gru_dir_job *jobs, size_t njobs, const gru_steps *s,
                   const float *gx, size_t ldgx, float *y, size_t ldy, size_t ldh, const gru_threads *t);
/* The split gru_run_layer chooses for njobs directions of T steps of B rows on nt threads (for
 * tests, which check that every kind is exercised); *slices: batch slices per direction. */
typedef enum gru_split {
    GRU_SPLIT_NONE,       /* one thread */
    GRU_SPLIT_DIRECTIONS, /* one task per direction, each the whole recurrence */
    GRU_SPLIT_SLICES,     /* one task per direction and batch slice, each the whole recurrence */
    GRU_SPLIT_BLOCKS      /* every step split into ranges of hidden-unit blocks */
} gru_split;
gru_split gru_layer_split(const gru_model *m, size_t njobs, size_t T, size_t B, size_t nt, size_t *slices);
/* Tests only, not thread-safe: scales the least work a split needs (1: the default; 0: split
 * whatever can be split), so small shapes exercise every split. */
void gru_layer_set_min_work(double scale);
/* Columns [col0, col0 + ncols) of layer l's input projection (the gemm contract): g row i at
 * g + i * ldg (those columns only), from rows of a (lda floats apart); col0 a multiple of the
 * panel width. Split into row chunks, or whole panels when rows are few, on t's threads. */
void gru_project(const gru_model *m, size_t l, float *g, size_t ldg, const float *a, size_t lda, size_t rows,
                 size_t col0, size_t ncols, const gru_threads *t);

#endif /* GRU_SRC_MODEL_H */
