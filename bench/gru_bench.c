/* SPDX-License-Identifier: MIT
 * Ours: one gru_forward per iteration, for every shape of the sweep and every ISA this run
 * measures. The ISA is chosen the public way: gru_set_max_isa() while the model is created
 * (models keep the ISA active at creation), then the cap is restored. The workspace is
 * allocated once, so the timed call allocates nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "cpu.h"
#include "data.h"
#include "gru_bench.h"
#include "roofline.h"
#include "sweep.h"

/* Models are kept per (weights, variant, ISA) until the end of the run. */
typedef struct model_item {
    struct model_item *next;
    gru_config config;
    gru_isa isa;
    gru_model *model;
} model_item;
static model_item *models;

gru_status gru_bench_model_get(const gru_config *c, gru_isa isa, const gru_model **out, char *why, size_t why_len) {
    for (model_item *m = models; m; m = m->next)
        if (!memcmp(&m->config, c, sizeof *c) && m->isa == isa) {
            *out = m->model;
            return GRU_OK;
        }
    const gru_bench_weights *w = gru_bench_weights_get(c);
    if (!w) {
        snprintf(why, why_len, "out of memory for the weights");
        return GRU_ERR_NOMEM;
    }
    const gru_isa prev = gru_isa_active();
    gru_status s = gru_set_max_isa(isa);
    gru_model *model = NULL;
    gru_config mc = *c;
    mc.bias = 1; /* the shared tensors include the biases */
    if (s == GRU_OK) s = gru_model_create(&model, &mc, w->layers);
    if (s != GRU_OK) snprintf(why, why_len, "%s: %s", gru_status_str(s), gru_last_error());
    gru_set_max_isa(prev);
    if (s != GRU_OK) return s;
    gru_model_info info;
    s = gru_model_get_info(model, &info);
    if (s == GRU_OK && info.isa != isa) {
        snprintf(why, why_len, "model created under cap %s reports ISA %s", gru_isa_name(isa), gru_isa_name(info.isa));
        s = GRU_ERR_UNSUPPORTED;
    }
    if (s == GRU_OK && (info.config.weights != c->weights || info.config.variant != c->variant)) {
        snprintf(why, why_len, "model reports weights %s, variant %d; the shape asks for %s, %d",
                 gru_weight_type_name(info.config.weights), (int)info.config.variant,
                 gru_weight_type_name(c->weights), (int)c->variant);
        s = GRU_ERR_INVALID;
    }
    model_item *m = s == GRU_OK ? calloc(1, sizeof *m) : NULL;
    if (!m) {
        if (s == GRU_OK) {
            snprintf(why, why_len, "out of memory");
            s = GRU_ERR_NOMEM;
        }
        gru_model_destroy(model);
        return s;
    }
    m->config = *c;
    m->isa = isa;
    m->model = model;
    m->next = models;
    models = m;
    *out = model;
    return GRU_OK;
}

void gru_bench_models_clear(void) {
    while (models) {
        model_item *m = models;
        models = m->next;
        gru_model_destroy(m->model);
        free(m);
    }
}

typedef struct gru_state {
    const gru_model *model;
    gru_forward_args args;
    void *ws;
    size_t ws_bytes;
} gru_state;

static void gru_teardown(void *state) {
    gru_state *s = state;
    gru_free(s->args.y);
    gru_free(s->args.h_n);
    gru_free(s->ws);
    free(s);
}

static void *gru_setup(const gru_bench_entry *e, char *why, size_t why_len) {
    const gru_bench_shape *sh = e->params;
    const gru_config c = gru_bench_shape_config(sh);
    gru_state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    if (gru_bench_model_get(&c, e->isa, &s->model, why, why_len) != GRU_OK) {
        free(s);
        return NULL;
    }
    const size_t D = (size_t)sh->D;
    s->args.seq_len = sh->T;
    s->args.batch = sh->B;
    s->args.x = gru_bench_input_get(sh->T * sh->B * sh->I, 0);
    s->args.h0 = sh->state ? gru_bench_shape_h0(sh) : NULL;
    s->args.y = gru_malloc(sh->T * sh->B * D * sh->H * sizeof(float));
    s->args.h_n = gru_malloc(sh->L * D * sh->B * sh->H * sizeof(float));
    gru_status st = gru_forward_workspace_size(s->model, sh->T, sh->B, &s->ws_bytes);
    if (st == GRU_OK && s->ws_bytes) s->ws = gru_malloc(s->ws_bytes);
    if (st == GRU_OK && (!s->args.x || (sh->state && !s->args.h0) || !s->args.y || !s->args.h_n || (s->ws_bytes && !s->ws)))
        st = gru_error(GRU_ERR_NOMEM, "out of memory for buffers");
    if (st == GRU_OK) st = gru_forward(s->model, &s->args, s->ws, s->ws_bytes);
    if (st != GRU_OK) {
        snprintf(why, why_len, "%s: %s", gru_status_str(st), gru_last_error());
        gru_teardown(s);
        return NULL;
    }
    return s;
}

static void gru_run(void *state) {
    gru_state *s = state;
    gru_forward(s->model, &s->args, s->ws, s->ws_bytes); /* succeeded in setup with the same arguments */
}

void gru_bench_fill_shape(gru_bench_entry *e, const gru_bench_shape *sh, const gru_bench_options *o, const char *impl) {
    char key[64];
    gru_bench_shape_key(sh, key, sizeof key);
    snprintf(e->name, sizeof e->name, "gru/%s/%s/%s", sh->label, key, impl);
    const gru_config c = gru_bench_shape_config(sh);
    e->params = sh;
    e->flops = gru_forward_flops(&c, sh->B, sh->T);
    e->weight_bytes = gru_forward_weight_bytes(&c, sh->T);
    e->bound_s = gru_roofline_bound_s(gru_roofline_get(), &c, sh->B, sh->T);
    e->min_time = o->min_time;
    e->repetitions = o->repetitions;
}

void gru_bench_add_gru(gru_bench_list *l, const gru_bench_options *o) {
    size_t n;
    const gru_bench_shape *shapes = gru_bench_shapes(&n);
    for (size_t k = 0; k < n; k++) {
        if (!(shapes[k].sets & o->set)) continue;
        for (int isa = 0; isa < GRU_ISA_COUNT; isa++) {
            if (!gru_bench_isa_enabled((gru_isa)isa)) continue;
            gru_bench_entry *e = gru_bench_list_add(l);
            gru_bench_fill_shape(e, &shapes[k], o, gru_isa_name((gru_isa)isa));
            e->setup = gru_setup;
            e->run = gru_run;
            e->teardown = gru_teardown;
            e->isa = (gru_isa)isa;
            if (isa == GRU_ISA_SCALAR && e->flops > o->scalar_max_flops) {
                snprintf(e->skip, sizeof e->skip, "scalar skipped: %.2f GFLOP per call > --gru_scalar_max_gflop=%g",
                         e->flops / 1e9, o->scalar_max_flops / 1e9);
            }
        }
    }
}

void gru_bench_gru_clear(void) {
    gru_bench_models_clear();
    gru_bench_data_clear();
}
