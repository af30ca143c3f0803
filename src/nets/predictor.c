/* SPDX-License-Identifier: MIT
 * GRUPredictor: GRU over graph (+ tabular) embeddings, final state, Linear -> ReLU -> Linear.
 * Layer 0's projection is split by input columns: `gru` projects the graph columns (chain from
 * the folded biases), `tab` (a bias-free one-layer model of the same H, D, variant and ISA)
 * the tabular columns (chain from 0); gx = graph part + tab part, one add. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nets/nets.h"

struct gru_predictor {
    gru_predictor_config cfg;
    gru_model *gru; /* input_size = G */
    gru_model *tab; /* input_size = Tab, or NULL */
    float *head;    /* fc1_w, fc1_b, fc2_w, fc2_b back to back */
    const float *fc1_w, *fc1_b, *fc2_w, *fc2_b;
};

void gru_predictor_destroy(gru_predictor *p) {
    if (!p) return;
    gru_model_destroy(p->gru);
    gru_model_destroy(p->tab);
    gru_free(p->head);
    free(p);
}

gru_status gru_predictor_get_config(const gru_predictor *p, gru_predictor_config *c) {
    if (!p || !c) return gru_error(GRU_ERR_NULL, "gru_predictor_get_config: NULL %s", p ? "config" : "pred");
    *c = p->cfg;
    return GRU_OK;
}

/* Copies columns [c0, c0 + n) of a [rows, ld] matrix. */
static float *columns(const float *w, size_t rows, size_t ld, size_t c0, size_t n) {
    float *o = gru_malloc(rows * n * sizeof(float));
    if (o)
        for (size_t r = 0; r < rows; r++) memcpy(o + r * n, w + r * ld + c0, n * sizeof(float));
    return o;
}

static gru_status check_config(const gru_predictor_config *c, const gru_predictor_weights *w) {
    if (!c->graph_dim || !c->hidden_size || !c->num_layers || !c->head_dim || !c->num_classes)
        return gru_error(GRU_ERR_INVALID,
                         "gru_predictor_create: graph_dim (%zu), hidden_size (%zu), num_layers (%zu), head_dim (%zu) "
                         "and num_classes (%zu) must be > 0",
                         c->graph_dim, c->hidden_size, c->num_layers, c->head_dim, c->num_classes);
    size_t n;
    if (!gru_add_ok(c->graph_dim, c->tab_dim, &n) || !gru_mul_ok(n, 3 * c->hidden_size, &n) ||
        !gru_mul_ok(n, sizeof(float), &n) || c->hidden_size > SIZE_MAX / 64 || !gru_mul_ok(c->head_dim, 2 * c->hidden_size, &n) ||
        !gru_mul_ok(c->num_classes, c->head_dim, &n) || !gru_mul_ok(n, 2 * sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_predictor_create: sizes overflow size_t");
    if (!w->gru || !w->fc1_w || !w->fc1_b || !w->fc2_w || !w->fc2_b)
        return gru_error(GRU_ERR_NULL, "gru_predictor_create: NULL weights");
    const size_t D = c->bidirectional ? 2 : 1;
    for (size_t i = 0; i < c->num_layers * D; i++)
        if (!w->gru[i].w_ih || !w->gru[i].w_hh || !w->gru[i].b_ih || !w->gru[i].b_hh)
            return gru_error(GRU_ERR_NULL, "gru_predictor_create: GRU weights[%zu] has a NULL array", i);
    /* The head's values; the GRU's are checked by gru_model_create as it packs them. */
    const char *fn = "gru_predictor_create";
    const size_t DH = D * c->hidden_size, F = c->head_dim, C = c->num_classes;
    gru_status s = gru_check_values(fn, "fc1_w", w->fc1_w, F, DH, GRU_WEIGHTS_F32);
    if (s == GRU_OK) s = gru_check_values(fn, "fc1_b", w->fc1_b, F, 0, GRU_WEIGHTS_F32);
    if (s == GRU_OK) s = gru_check_values(fn, "fc2_w", w->fc2_w, C, F, GRU_WEIGHTS_F32);
    if (s == GRU_OK) s = gru_check_values(fn, "fc2_b", w->fc2_b, C, 0, GRU_WEIGHTS_F32);
    return s;
}

/* After a model creation refused the split columns: the message again, with layer 0's w_ih as the
 * caller gave it (graph and tab columns together), when a value there is at fault. */
static gru_status w_ih_error(const gru_predictor_config *c, const gru_predictor_weights *w, gru_status s) {
    static const char *const what[2] = {"weights[0] (layer 0, direction 0) w_ih", "weights[1] (layer 0, direction 1) w_ih"};
    for (size_t d = 0; d < (c->bidirectional ? 2u : 1u); d++) {
        const gru_status e = gru_check_values("gru_predictor_create", what[d], w->gru[d].w_ih, 3 * c->hidden_size,
                                              c->graph_dim + c->tab_dim, c->weights);
        if (e != GRU_OK) return e;
    }
    return s;
}

gru_status gru_predictor_create(gru_predictor **pred, const gru_predictor_config *c, const gru_predictor_weights *w) {
    if (!pred || !c || !w) return gru_error(GRU_ERR_NULL, "gru_predictor_create: NULL %s", !pred ? "pred" : !c ? "config" : "weights");
    gru_status s = check_config(c, w);
    if (s != GRU_OK) return s;
    const size_t D = c->bidirectional ? 2 : 1, H = c->hidden_size, G = c->graph_dim, Tb = c->tab_dim, In = G + Tb;
    const size_t DH = D * H, F = c->head_dim, C = c->num_classes, nlw = c->num_layers * D;
    gru_predictor *p = calloc(1, sizeof *p);
    gru_layer_weights *lw = calloc(nlw, sizeof *lw);
    float *cols[4] = {0};
    const size_t head = F * DH + F + C * F + C;
    if (p) p->head = gru_malloc(head * sizeof(float));
    if (!p || !lw || !p->head) {
        s = gru_error(GRU_ERR_NOMEM, "gru_predictor_create: out of memory");
        goto done;
    }
    p->cfg = *c;
    memcpy(lw, w->gru, nlw * sizeof *lw);
    for (size_t d = 0; d < D; d++) {
        cols[d] = columns(w->gru[d].w_ih, 3 * H, In, 0, G);
        if (Tb) cols[2 + d] = columns(w->gru[d].w_ih, 3 * H, In, G, Tb);
        if (!cols[d] || (Tb && !cols[2 + d])) {
            s = gru_error(GRU_ERR_NOMEM, "gru_predictor_create: out of memory");
            goto done;
        }
        lw[d].w_ih = cols[d];
    }
    gru_config gc = {G, H, c->num_layers, c->bidirectional, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, c->weights};
    if ((s = gru_model_create(&p->gru, &gc, lw)) != GRU_OK) {
        s = w_ih_error(c, w, s);
        goto done;
    }
    if (Tb) {
        gru_layer_weights tw[2];
        for (size_t d = 0; d < D; d++) tw[d] = (gru_layer_weights){cols[2 + d], w->gru[d].w_hh, NULL, NULL};
        gru_config tc = {Tb, H, 1, c->bidirectional, 0, GRU_VARIANT_LINEAR_BEFORE_RESET, c->weights}; /* m->gemm runs it */
        if ((s = gru_model_create(&p->tab, &tc, tw)) != GRU_OK) {
            s = w_ih_error(c, w, s);
            goto done;
        }
        if (p->tab->isa != p->gru->isa || p->tab->ldgx != p->gru->ldgx) {
            s = gru_error(GRU_ERR_INVALID, "gru_predictor_create: the active ISA changed during creation");
            goto done;
        }
    }
    float *h = p->head;
    memcpy(h, w->fc1_w, F * DH * sizeof(float)), p->fc1_w = h, h += F * DH;
    memcpy(h, w->fc1_b, F * sizeof(float)), p->fc1_b = h, h += F;
    memcpy(h, w->fc2_w, C * F * sizeof(float)), p->fc2_w = h, h += C * F;
    memcpy(h, w->fc2_b, C * sizeof(float)), p->fc2_b = h;
done:
    for (int i = 0; i < 4; i++) gru_free(cols[i]);
    free(lw);
    if (s != GRU_OK) {
        gru_predictor_destroy(p);
        return s;
    }
    *pred = p;
    return GRU_OK;
}

/* Workspace: gx [B T, ldgx], tab part [B T or B, ldgx], inter [B T, D H] (L > 1), per direction
 * the step state (q->dir bytes each, so the directions can run at once), then the final state [B, D H] and the head's hidden [B, F]. */
typedef struct pplan {
    size_t gx, gt, inter, dir, fin, hid, total;
} pplan;

static int fb(size_t a, size_t b, size_t *r) {
    size_t n;
    return gru_mul_ok(a, b, &n) && gru_mul_ok(n, sizeof(float), &n) && gru_align_ok(n, r);
}

static int plan(const gru_predictor *p, size_t B, size_t T, int per_step, pplan *q) {
    const gru_model *m = p->gru;
    const size_t DH = m->D * m->cfg.hidden_size;
    size_t rows, x, dirs;
    memset(q, 0, sizeof *q);
    if (!gru_mul_ok(B, T, &rows) || !fb(rows, m->ldgx, &q->gx) || !gru_direction_workspace(m, B, &q->dir) ||
        !gru_mul_ok(q->dir, m->D, &dirs) || !fb(B, DH, &q->fin) || !fb(B, p->cfg.head_dim, &q->hid))
        return 0;
    if (p->tab && !fb(per_step ? rows : B, m->ldgx, &q->gt)) return 0;
    if (m->cfg.num_layers > 1 && !fb(rows, DH, &q->inter)) return 0;
    return gru_add_ok(q->gx, q->gt, &x) && gru_add_ok(x, q->inter, &x) && gru_add_ok(x, dirs, &x) &&
           gru_add_ok(x, q->fin, &x) && gru_add_ok(x, q->hid, &q->total);
}

gru_status gru_predictor_forward(const gru_predictor *p, const gru_predictor_args *a) {
    if (!p || !a) return gru_error(GRU_ERR_NULL, "gru_predictor_forward: NULL %s", p ? "args" : "pred");
    const size_t B = a->batch, T = a->seq_len;
    if (!B || !T) return gru_error(GRU_ERR_INVALID, "gru_predictor_forward: batch (%zu) and seq_len (%zu) must be > 0", B, T);
    if (!a->graph || !a->logits) return gru_error(GRU_ERR_NULL, "gru_predictor_forward: NULL %s", a->graph ? "logits" : "graph");
    if (p->tab && !a->tab) return gru_error(GRU_ERR_NULL, "gru_predictor_forward: this predictor takes tab (tab_dim = %zu)", p->cfg.tab_dim);
    if (!p->tab && a->tab) return gru_error(GRU_ERR_INVALID, "gru_predictor_forward: tab given but tab_dim = 0");
    if (a->lengths)
        for (size_t b = 0; b < B; b++)
            if (a->lengths[b] < 0 || (uint64_t)a->lengths[b] > T)
                return gru_error(GRU_ERR_INVALID, "gru_predictor_forward: lengths[%zu] = %lld is outside [0, %zu]", b,
                                 (long long)a->lengths[b], T);
    pplan q;
    size_t chk;
    if (!plan(p, B, T, a->tab_per_step, &q) || !gru_mul_ok(B * T, p->cfg.graph_dim + p->cfg.tab_dim, &chk))
        return gru_error(GRU_ERR_OVERFLOW, "gru_predictor_forward: B = %zu, T = %zu overflows size_t", B, T);
    /* graph and tab where they reach the logits (steps before lengths[b]) must be finite. */
    const size_t G = p->cfg.graph_dim, Tb = p->cfg.tab_dim;
    for (size_t b = 0; b < B; b++) {
        const size_t len = a->lengths ? (size_t)a->lengths[b] : T;
        char what[64];
        snprintf(what, sizeof what, "graph[b=%zu]", b);
        gru_status s = gru_check_values("gru_predictor_forward", what, a->graph + b * T * G, len, G, GRU_WEIGHTS_F32);
        if (s == GRU_OK && Tb && len) {
            snprintf(what, sizeof what, "tab[b=%zu]", b);
            s = gru_check_values("gru_predictor_forward", what, a->tab + b * (a->tab_per_step ? T : 1) * Tb,
                                 a->tab_per_step ? len : Tb, a->tab_per_step ? Tb : 0, GRU_WEIGHTS_F32);
        }
        if (s != GRU_OK) return s;
    }
    unsigned char *ws = gru_malloc(q.total);
    if (!ws) return gru_error(GRU_ERR_NOMEM, "gru_predictor_forward: cannot allocate %zu bytes", q.total);
    const gru_model *m = p->gru;
    const size_t ld = m->ldgx, H = m->cfg.hidden_size, D = m->D, DH = D * H, L = m->cfg.num_layers, rows = B * T;
    float *gx = (float *)ws, *gt = (float *)(ws + q.gx), *inter = (float *)(ws + q.gx + q.gt);
    unsigned char *dws = ws + q.gx + q.gt + q.inter;
    float *fin = (float *)(dws + D * q.dir), *hid = (float *)(dws + D * q.dir + q.fin);

    /* Layer 0: rows b * T + t (batch-first), graph chain + tab chain. */
    const gru_threads t = gru_threads_get(NULL);
    gru_project(m, 0, gx, ld, a->graph, p->cfg.graph_dim, rows, 0, ld, &t);
    if (p->tab) { /* p->tab has no bias: its chains start from 0 */
        gru_project(p->tab, 0, gt, ld, a->tab, p->cfg.tab_dim, a->tab_per_step ? rows : B, 0, ld, &t);
        for (size_t r = 0; r < rows; r++) {
            const float *src = gt + (a->tab_per_step ? r : r / T) * ld;
            float *dst = gx + r * ld;
            for (size_t j = 0; j < ld; j++) dst[j] = dst[j] + src[j];
        }
    }
    const gru_steps st = {T, B, 1, T, a->lengths};
    for (size_t l = 0; l < L; l++) {
        if (l) gru_project(m, l, gx, ld, inter, DH, rows, 0, ld, &t);
        const int last = l + 1 == L;
        gru_dir_job jobs[2];
        for (size_t d = 0; d < D; d++) jobs[d] = (gru_dir_job){d, NULL, last ? fin + d * H : NULL, dws + d * q.dir};
        gru_run_layer(m, l, jobs, D, &st, gx, ld, last ? NULL : inter, DH, DH, &t);
    }
    gru_nets_linear(hid, p->cfg.head_dim, fin, DH, B, DH, p->fc1_w, p->fc1_b, p->cfg.head_dim, 1);
    gru_nets_linear(a->logits, p->cfg.num_classes, hid, p->cfg.head_dim, B, p->cfg.head_dim, p->fc2_w, p->fc2_b,
                    p->cfg.num_classes, 0);
    if (a->state) memcpy(a->state, fin, B * DH * sizeof(float));
    gru_free(ws);
    return GRU_OK;
}
