/* SPDX-License-Identifier: MIT
 * The sequence driver: arguments, workspace, layers, directions, lengths, h0 / h_n.
 * Per layer: one GEMM projects every (t, b) row for both directions at once (gx; with lengths only
 * the rows the steps read), then each direction walks its steps with the gates kernel,
 * double-buffering the state (src/layer.c). The work of a direction (and of any batch slice or
 * block of hidden units inside a step) depends on no other, so threads split it there without
 * changing a bit; the workspace does not depend on the thread count. */
#include <math.h>
#include <string.h>

#include "model.h"

/* Workspace regions (bytes, each a multiple of GRU_ALIGN), per direction where noted. */
typedef struct fwd_plan {
    size_t gx;      /* T * B * ldgx floats: the layer's input projection */
    size_t inter;   /* T * B * D * H floats: output of a layer that is not the last (L > 1) */
    size_t dir;     /* per direction: gru_direction_workspace() */
    size_t total;   /* everything, plus GRU_ALIGN - 1 to align a caller's buffer */
} fwd_plan;

static int fbytes(size_t a, size_t b, size_t c, size_t *r) { /* a * b * c floats, aligned */
    size_t n;
    return gru_mul_ok(a, b, &n) && gru_mul_ok(n, c, &n) && gru_mul_ok(n, sizeof(float), &n) && gru_align_ok(n, r);
}

static int plan_workspace(const gru_model *m, size_t T, size_t B, fwd_plan *p) {
    const size_t D = m->D, H = m->cfg.hidden_size;
    size_t rows, x;
    memset(p, 0, sizeof *p);
    if (!gru_mul_ok(T, B, &rows) || !fbytes(rows, m->ldgx, 1, &p->gx) || !gru_direction_workspace(m, B, &p->dir))
        return 0;
    if (m->cfg.num_layers > 1 && !fbytes(rows, D, H, &p->inter)) return 0;
    return gru_mul_ok(p->dir, D, &x) && gru_add_ok(x, p->gx, &x) && gru_add_ok(x, p->inter, &x) &&
           gru_add_ok(x, GRU_ALIGN - 1, &p->total);
}

gru_status gru_forward_workspace_size(const gru_model *model, size_t seq_len, size_t batch, size_t *bytes) {
    if (!model || !bytes)
        return gru_error(GRU_ERR_NULL, "gru_forward_workspace_size: NULL %s", model ? "bytes" : "model");
    if (seq_len == 0 || batch == 0)
        return gru_error(GRU_ERR_INVALID, "gru_forward_workspace_size: seq_len (%zu) and batch (%zu) must be > 0",
                         seq_len, batch);
    fwd_plan p;
    if (!plan_workspace(model, seq_len, batch, &p))
        return gru_error(GRU_ERR_OVERFLOW, "gru_forward_workspace_size: T = %zu, B = %zu overflows size_t", seq_len,
                         batch);
    *bytes = p.total;
    return GRU_OK;
}

/* Checks everything before anything is written. */
static gru_status check_args(const gru_model *m, const gru_forward_args *a, fwd_plan *p) {
    if (!m || !a) return gru_error(GRU_ERR_NULL, "gru_forward: NULL %s", m ? "args" : "model");
    const size_t T = a->seq_len, B = a->batch, D = m->D, H = m->cfg.hidden_size;
    if (T == 0 || B == 0)
        return gru_error(GRU_ERR_INVALID, "gru_forward: seq_len (%zu) and batch (%zu) must be > 0", T, B);
    if (!a->x) return gru_error(GRU_ERR_NULL, "gru_forward: NULL x");
    size_t n;
    if (!fbytes(T, B, m->cfg.input_size, &n) || !fbytes(T, B, D * H, &n) || !gru_mul_ok(D, H, &n) ||
        !fbytes(m->cfg.num_layers * D, B, H, &n) || !gru_mul_ok(m->cfg.num_layers, D * B, &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_forward: T = %zu, B = %zu: tensor sizes overflow size_t", T, B);
    if (a->lengths)
        for (size_t b = 0; b < B; b++)
            if (a->lengths[b] < 0 || (uint64_t)a->lengths[b] > T)
                return gru_error(GRU_ERR_INVALID, "gru_forward: lengths[%zu] = %lld is outside [0, %zu]", b,
                                 (long long)a->lengths[b], T);
    if (!plan_workspace(m, T, B, p))
        return gru_error(GRU_ERR_OVERFLOW, "gru_forward: workspace for T = %zu, B = %zu overflows size_t", T, B);
    /* x where it reaches the outputs (steps before lengths[b]; padding may hold anything) and h0
     * must be finite. */
    const size_t I = m->cfg.input_size, nx = T * B * I;
    size_t bad = nx; /* row * I + column of a non-finite value of x */
    if (!a->lengths)
        bad = gru_find_above(a->x, nx, INFINITY);
    else
        for (size_t b = 0; b < B && bad == nx; b++)
            for (size_t t = 0; t < (size_t)a->lengths[b] && bad == nx; t++) {
                const size_t r = a->batch_first ? b * T + t : t * B + b, k = gru_find_above(a->x + r * I, I, INFINITY);
                if (k < I) bad = r * I + k;
            }
    if (bad < nx) {
        const size_t r = bad / I, outer = a->batch_first ? r / T : r / B, inner = a->batch_first ? r % T : r % B;
        return gru_error(GRU_ERR_INVALID, "gru_forward: x[%s%zu, %s%zu, %zu] is %g: inputs must be finite",
                         a->batch_first ? "b=" : "t=", outer, a->batch_first ? "t=" : "b=", inner, bad % I,
                         (double)a->x[bad]);
    }
    const size_t nh = m->cfg.num_layers * D * B * H, k = a->h0 ? gru_find_above(a->h0, nh, INFINITY) : nh;
    if (k < nh)
        return gru_error(GRU_ERR_INVALID, "gru_forward: h0[%zu, %zu, %zu] is %g: inputs must be finite", k / (B * H),
                         k / H % B, k % H, (double)a->h0[k]);
    return GRU_OK;
}

/* With lengths, the recurrence reads gx row (t, b) only while t < lengths[b] (both directions),
 * so the projection covers only the runs of such rows, in row order. A single padding row between
 * two runs is computed with them: a run of one row multiplies W_ih by one vector, at up to 3x the
 * cost per row of a 4-row tile (measured: I = H = 1024, B = 64, lengths alternating T, T / 2
 * time-major, 1.27x slower when every padding row is skipped, 1.00 with this rule; lengths in
 * decreasing order, I = H = 256, B = 64, T = 32: 0.75x the time of projecting every row).
 * Which rows are computed changes no bits: a row's chains depend only on that row. */
#define PROJ_GAP_ROWS 2

static void project_layer(const gru_model *m, size_t l, const gru_steps *s, float *gx, const float *a,
                          const gru_threads *t) {
    const size_t rows = s->T * s->B, lda = m->layer[l].in;
    if (!s->lengths) {
        gru_project(m, l, gx, m->ldgx, a, lda, rows, 0, m->ldgx, t);
        return;
    }
    size_t r = 0;
    for (;;) {
        size_t r0 = rows, r1 = rows, gap = 0; /* the run [r0, r1), then the padding rows after it */
        for (; r < rows; r++) {
            const size_t b = r / s->row_b % s->B, tt = r / s->row_t % s->T;
            if (tt < (size_t)s->lengths[b]) {
                if (r0 == rows) r0 = r;
                r1 = r + 1, gap = 0;
            } else if (r0 < rows && ++gap >= PROJ_GAP_ROWS) {
                break;
            }
        }
        if (r0 == rows) return;
        gru_project(m, l, gx + r0 * m->ldgx, m->ldgx, a + r0 * lda, lda, r1 - r0, 0, m->ldgx, t);
    }
}

gru_status gru_forward(const gru_model *model, const gru_forward_args *args, void *workspace, size_t workspace_bytes) {
    fwd_plan p;
    gru_status st = check_args(model, args, &p);
    if (st != GRU_OK) return st;
    if (workspace && workspace_bytes < p.total)
        return gru_error(GRU_ERR_WORKSPACE, "gru_forward: workspace of %zu bytes, %zu needed", workspace_bytes,
                         p.total);
    if (!args->y && !args->h_n) return GRU_OK; /* nothing asked for */
    void *own = NULL;
    if (!workspace) {
        workspace = own = gru_malloc(p.total);
        if (!own) return gru_error(GRU_ERR_NOMEM, "gru_forward: cannot allocate %zu bytes of workspace", p.total);
    }
    unsigned char *ws = (unsigned char *)(((uintptr_t)workspace + GRU_ALIGN - 1) & ~(uintptr_t)(GRU_ALIGN - 1));
    float *gx = (float *)ws, *inter = (float *)(ws + p.gx);
    unsigned char *dir_ws = ws + p.gx + p.inter;

    const gru_model *m = model;
    const size_t T = args->seq_len, B = args->batch, L = m->cfg.num_layers, H = m->cfg.hidden_size;
    /* Row (t, b) of x, gx and y: t * B + b, or b * T + t when batch_first. */
    const gru_steps steps = {T, B, args->batch_first ? 1 : B, args->batch_first ? T : 1, args->lengths};
    const gru_threads t = gru_threads_get(args->threadpool);
    for (size_t l = 0; l < L; l++) {
        project_layer(m, l, &steps, gx, l ? inter : args->x, &t);
        gru_dir_job jobs[2];
        for (size_t d = 0; d < m->D; d++) {
            const size_t hidx = l * m->D + d;
            jobs[d] = (gru_dir_job){d, args->h0 ? args->h0 + hidx * B * H : NULL,
                                    args->h_n ? args->h_n + hidx * B * H : NULL, dir_ws + d * p.dir};
        }
        gru_run_layer(m, l, jobs, m->D, &steps, gx, m->ldgx, l + 1 < L ? inter : args->y, m->D * H, H, &t);
    }
    gru_free(own);
    return GRU_OK;
}
