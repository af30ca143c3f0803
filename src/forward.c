/* SPDX-License-Identifier: MIT
 * The sequence driver: arguments, workspace, layers, directions, lengths, h0 / h_n.
 * Per layer: one GEMM projects every (t, b) row for both directions at once (gx), then each
 * direction walks its steps with the gates kernel, double-buffering the state. The work of a
 * direction (and of any batch slice or block of hidden units inside a step) depends on no
 * other, so threads can later split it without changing a bit. */
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

/* A direction's regions: the state double buffer (2 * B * hp floats), the gates kernel's scratch,
 * B activity flags. */
static int direction_regions(const gru_model *m, size_t B, size_t *state, size_t *scratch, size_t *active) {
    size_t x;
    return fbytes(B, m->hp, 2, state) &&
           gru_gates_scratch_floats(B, m->hp, m->cfg.variant == GRU_VARIANT_RESET_BEFORE, &x) &&
           fbytes(x, 1, 1, scratch) && gru_align_ok(B, active);
}

int gru_direction_workspace(const gru_model *m, size_t B, size_t *bytes) {
    size_t state, scratch, active;
    return direction_regions(m, B, &state, &scratch, &active) && gru_add_ok(state, scratch, bytes) &&
           gru_add_ok(*bytes, active, bytes);
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
    return GRU_OK;
}

/* Copies B rows of H floats between strides (src NULL: zeros); zeroes dst lanes [H, ldd) if pad. */
static void copy_rows(float *dst, size_t ldd, const float *src, size_t lds, size_t B, size_t H, int pad) {
    for (size_t b = 0; b < B; b++) {
        if (src)
            memcpy(dst + b * ldd, src + b * lds, H * sizeof(float));
        else
            memset(dst + b * ldd, 0, H * sizeof(float));
        if (pad) memset(dst + b * ldd + H, 0, (ldd - H) * sizeof(float));
    }
}

void gru_run_direction(const gru_model *m, size_t l, size_t d, const gru_steps *s, const float *h0, const float *gx,
                       size_t ldgx, float *y, size_t ldy, float *h_n, size_t ldh, void *ws) {
    const size_t T = s->T, B = s->B, H = m->cfg.hidden_size, hp = m->hp;
    size_t state = 0, scratch_bytes = 0, active_bytes = 0;
    direction_regions(m, B, &state, &scratch_bytes, &active_bytes); /* checked by gru_direction_workspace */
    float *h_a = ws, *h_b = h_a + B * hp;
    float *scratch = (float *)((unsigned char *)ws + state);
    unsigned char *active = (unsigned char *)ws + state + scratch_bytes;

    copy_rows(h_a, hp, h0, H, B, H, 1);
    int masked = 0;
    if (s->lengths)
        for (size_t b = 0; b < B; b++) masked |= (size_t)s->lengths[b] != T;
    const gru_model_dir *dir = &m->dir[l * m->D + d];
    for (size_t k = 0; k < T; k++) {
        const size_t t = d ? T - 1 - k : k;
        if (masked)
            for (size_t b = 0; b < B; b++) active[b] = t < (size_t)s->lengths[b];
        gru_model_step(m, h_b, y ? y + t * s->row_t * ldy + d * H : NULL, s->row_b * ldy, h_a,
                       gx + t * s->row_t * ldgx + d * 3 * hp, s->row_b * ldgx, dir, masked ? active : NULL, scratch, B);
        float *tmp = h_a;
        h_a = h_b;
        h_b = tmp;
    }
    if (h_n) copy_rows(h_n, ldh, h_a, hp, B, H, 0);
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
    for (size_t l = 0; l < L; l++) {
        const gru_model_layer *ly = &m->layer[l];
        m->gemm.gemm(gx, m->ldgx, l ? inter : args->x, ly->in, ly->w_ih, ly->start, T * B, m->ldgx, ly->in);
        float *out = l + 1 < L ? inter : args->y;
        for (size_t d = 0; d < m->D; d++) {
            const size_t hidx = l * m->D + d;
            gru_run_direction(m, l, d, &steps, args->h0 ? args->h0 + hidx * B * H : NULL, gx, m->ldgx, out, m->D * H,
                              args->h_n ? args->h_n + hidx * B * H : NULL, H, dir_ws + d * p.dir);
        }
    }
    gru_free(own);
    return GRU_OK;
}
