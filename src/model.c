/* SPDX-License-Identifier: MIT
 * Model creation: validation, kernel choice for the active ISA, packing; introspection. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "pack.h"
#include "weights.h"

/* A direction's GEMM columns (3 hp) must be whole panels: gru_cell runs one direction alone. */
#define GRU_PANELS_FIT(isa) (3 * gru_gates_nb_##isa % gru_gemm_nr_##isa == 0)
_Static_assert(GRU_PANELS_FIT(c) && GRU_PANELS_FIT(avx2) && GRU_PANELS_FIT(avx512) && GRU_PANELS_FIT(neon),
               "3 * gates block must be a multiple of the gemm panel width");

/* Byte sizes of every packed array of one layer, each rounded up to GRU_ALIGN. */
typedef struct layer_sizes {
    size_t w_ih, start, w_hh, bn;
} layer_sizes;

static int floats_bytes(size_t floats, size_t *bytes) {
    size_t b;
    return gru_mul_ok(floats, sizeof(float), &b) && gru_align_ok(b, bytes);
}

/* Entry i's biases (weights = 0) or weights (1) against their limits: GRU_ERR_INVALID naming the
 * first value that is inf, NaN or, for a weight, not finite in the storage type; else GRU_OK. */
static gru_status values_error(const gru_config *cfg, const gru_layer_weights *w, size_t i, int weights) {
    const size_t D = cfg->bidirectional ? 2 : 1, H = cfg->hidden_size, H3 = 3 * H;
    const char *names[4] = {"w_ih", "w_hh", "b_ih", "b_hh"};
    const float *arr[4] = {w[i].w_ih, w[i].w_hh, w[i].b_ih, w[i].b_hh};
    const size_t cols[4] = {i / D ? D * H : cfg->input_size, H, 0, 0};
    for (int a = weights ? 0 : 2; a < (weights ? 2 : 4); a++) {
        char what[128];
        snprintf(what, sizeof what, "weights[%zu] (layer %zu, direction %zu) %s", i, i / D, i % D, names[a]);
        const gru_status s =
            gru_check_values("gru_model_create", what, arr[a], H3, cols[a], weights ? cfg->weights : GRU_WEIGHTS_F32);
        if (s != GRU_OK) return s;
    }
    return GRU_OK;
}

static gru_status validate(const gru_config *cfg, const gru_layer_weights *w) {
    if (cfg->input_size == 0 || cfg->hidden_size == 0 || cfg->num_layers == 0)
        return gru_error(GRU_ERR_INVALID, "gru_model_create: input_size (%zu), hidden_size (%zu) and num_layers (%zu) must be > 0",
                         cfg->input_size, cfg->hidden_size, cfg->num_layers);
    if (cfg->variant != GRU_VARIANT_LINEAR_BEFORE_RESET && cfg->variant != GRU_VARIANT_RESET_BEFORE)
        return gru_error(GRU_ERR_INVALID, "gru_model_create: unknown variant %d", (int)cfg->variant);
    if ((unsigned)cfg->weights >= GRU_WEIGHT_TYPES)
        return gru_error(GRU_ERR_INVALID, "gru_model_create: unknown weight type %d", (int)cfg->weights);
    if (cfg->weights == GRU_WEIGHTS_INT8_DYNAMIC && cfg->hidden_size > GRU_INT8DYN_MAX_HIDDEN)
        return gru_error(GRU_ERR_INVALID, "gru_model_create: int8dyn takes hidden_size <= %zu (int32 sums), not %zu",
                         GRU_INT8DYN_MAX_HIDDEN, cfg->hidden_size);
    const size_t D = cfg->bidirectional ? 2 : 1;
    size_t entries;
    if (!gru_mul_ok(cfg->num_layers, D, &entries))
        return gru_error(GRU_ERR_OVERFLOW, "gru_model_create: num_layers = %zu overflows", cfg->num_layers);
    /* The raw fp32 weights must fit in memory before any entry of `w` is read: a config whose
     * sizes overflow cannot come with L*D real entries. */
    size_t H3, DH, per_dir, bytes = 0;
    int ok = gru_mul_ok(cfg->hidden_size, 3, &H3) && gru_mul_ok(cfg->hidden_size, D, &DH);
    for (size_t l = 0; ok && l < cfg->num_layers; l++) {
        size_t cols;
        ok = gru_add_ok(l ? DH : cfg->input_size, cfg->hidden_size, &cols) && gru_add_ok(cols, 2, &cols) &&
             gru_mul_ok(H3, cols, &per_dir) && gru_mul_ok(per_dir, D * sizeof(float), &per_dir) &&
             gru_add_ok(bytes, per_dir, &bytes);
    }
    if (!ok)
        return gru_error(GRU_ERR_OVERFLOW, "gru_model_create: the weights of I = %zu, H = %zu, L = %zu overflow size_t",
                         cfg->input_size, cfg->hidden_size, cfg->num_layers);
    for (size_t i = 0; i < entries; i++) {
        if (!w[i].w_ih || !w[i].w_hh)
            return gru_error(GRU_ERR_NULL, "gru_model_create: weights[%zu] (layer %zu, direction %zu) has a NULL %s", i,
                             i / D, i % D, w[i].w_ih ? "w_hh" : "w_ih");
        if (cfg->bias && (!w[i].b_ih || !w[i].b_hh))
            return gru_error(GRU_ERR_NULL, "gru_model_create: bias = 1 but weights[%zu] has a NULL %s", i,
                             w[i].b_ih ? "b_hh" : "b_ih");
    }
    /* Biases finite; the weights are checked as they are packed (values_error below). */
    for (size_t i = 0; i < entries && cfg->bias; i++) {
        const gru_status s = values_error(cfg, w, i, 0);
        if (s != GRU_OK) return s;
    }
    return GRU_OK;
}

/* Every size the model needs, overflow-checked: hp, ldgx, per-layer packed bytes, totals. */
static gru_status plan(gru_model *m, layer_sizes *ls, size_t *total, size_t *raw) {
    const gru_config *c = &m->cfg;
    const size_t H = c->hidden_size, D = m->D;
    size_t hp, h3, dh;
    if (!gru_add_ok(H, m->gates.nb - 1, &hp) || !gru_mul_ok(hp / m->gates.nb, m->gates.nb, &hp) ||
        !gru_mul_ok(hp, 3 * D, &m->ldgx) || !gru_mul_ok(H, 3, &h3) || !gru_mul_ok(H, D, &dh))
        return gru_error(GRU_ERR_OVERFLOW, "gru_model_create: hidden_size = %zu overflows", H);
    m->hp = hp;
    *total = 0;
    *raw = 0;
    for (size_t l = 0; l < c->num_layers; l++) {
        const size_t in = l ? dh : c->input_size;
        size_t f, per_dir[2], rawl;
        const int ok = gru_pack_gemm_bytes(m->ldgx, in, m->gemm.nr, c->weights, &f) && gru_align_ok(f, &ls[l].w_ih) &&
                       floats_bytes(m->ldgx, &ls[l].start) &&
                       gru_pack_gates_bytes(H, m->gates.nb, m->gates.sub, c->weights, &f) &&
                       gru_align_ok(f, &ls[l].w_hh) && floats_bytes(hp, &ls[l].bn) &&
                       gru_add_ok(ls[l].w_hh, ls[l].bn, &per_dir[0]) && gru_mul_ok(per_dir[0], D, &per_dir[1]) &&
                       gru_add_ok(*total, ls[l].w_ih, total) && gru_add_ok(*total, ls[l].start, total) &&
                       gru_add_ok(*total, per_dir[1], total) && gru_add_ok(in, H, &rawl) &&
                       gru_add_ok(rawl, c->bias ? 2 : 0, &rawl) && gru_mul_ok(rawl, h3, &rawl) &&
                       gru_mul_ok(rawl, D * sizeof(float), &rawl) && gru_add_ok(*raw, rawl, raw);
        if (!ok)
            return gru_error(GRU_ERR_OVERFLOW, "gru_model_create: layer %zu (I = %zu, H = %zu) overflows size_t", l,
                             in, H);
    }
    return GRU_OK;
}

/* Packs layer l: both directions' W_ih as one GEMM, the folded chain starts, each W_hh. */
static int pack_layer(gru_model *m, size_t l, const gru_layer_weights *w, const float **cols, void *w_ih,
                      float *start, void *const *w_hh, float *const *bn) {
    const gru_config *c = &m->cfg;
    const size_t H = c->hidden_size, hp = m->hp, in = m->layer[l].in;
    const int lbr = c->variant == GRU_VARIANT_LINEAR_BEFORE_RESET;
    for (size_t col = 0; col < m->ldgx; col++) {
        const size_t d = col / (3 * hp), g = col % (3 * hp) / hp, j = col % hp;
        const gru_layer_weights *lw = &w[l * m->D + d];
        cols[col] = j < H ? lw->w_ih + (g * H + j) * in : NULL;
        float s = 0.0f;
        if (j < H && c->bias) {
            s = lw->b_ih[g * H + j];
            if (g < 2 || !lbr) s = s + lw->b_hh[g * H + j]; /* b_hh folded, except LBR's b_hn */
        }
        start[col] = s;
    }
    int ok = gru_pack_gemm(w_ih, cols, m->ldgx, in, m->gemm.nr, c->weights);
    for (size_t d = 0; d < m->D; d++) {
        const gru_layer_weights *lw = &w[l * m->D + d];
        ok &= gru_pack_gates(w_hh[d], lw->w_hh, H, m->gates.nb, m->gates.sub, c->weights);
        for (size_t j = 0; j < hp; j++) bn[d][j] = j < H && c->bias && lbr ? lw->b_hh[2 * H + j] : 0.0f;
        m->dir[l * m->D + d].w_hh = w_hh[d];
        m->dir[l * m->D + d].bn = bn[d];
    }
    m->layer[l].w_ih = w_ih;
    m->layer[l].start = start;
    return ok;
}

gru_status gru_model_create(gru_model **model, const gru_config *config, const gru_layer_weights *weights) {
    if (!model || !config || !weights)
        return gru_error(GRU_ERR_NULL, "gru_model_create: NULL %s", !model ? "model" : !config ? "config" : "weights");
    gru_status st = validate(config, weights);
    if (st != GRU_OK) return st;

    gru_model *m = calloc(1, sizeof *m);
    layer_sizes *ls = calloc(config->num_layers, sizeof *ls);
    if (!m || !ls) {
        free(m), free(ls);
        return gru_error(GRU_ERR_NOMEM, "gru_model_create: out of memory");
    }
    m->cfg = *config;
    m->D = config->bidirectional ? 2 : 1;
    const unsigned flags = gru_cpu_flags();
    m->isa = gru_isa_of_flags(flags);
    GruGemmDSP gemm;
    gru_gemm_dsp_init(&gemm, flags);
    const gru_weight_type t = config->weights;
    m->gemm = (gru_model_gemm){gemm.gemm[t], gemm.nr, gemm.mr};
    gru_gates_dsp_init(&m->gates, flags);
    m->passes = gru_gates_step_passes(&m->gates, config->variant == GRU_VARIANT_RESET_BEFORE, t, m->pass);

    size_t total = 0, raw = 0;
    const float **cols = NULL;
    st = plan(m, ls, &total, &raw);
    if (st == GRU_OK) {
        m->layer = calloc(config->num_layers, sizeof *m->layer);
        m->dir = calloc(config->num_layers * m->D, sizeof *m->dir);
        m->packed = gru_malloc(total);
        cols = malloc(m->ldgx * sizeof *cols);
        if (!m->layer || !m->dir || !m->packed || !cols)
            st = gru_error(GRU_ERR_NOMEM, "gru_model_create: cannot allocate %zu bytes of packed weights", total);
    }
    if (st != GRU_OK) {
        free(cols), free(ls);
        gru_model_destroy(m);
        return st;
    }
    m->packed_bytes = total;
    m->raw_bytes = raw;
    unsigned char *p = (unsigned char *)m->packed;
    int ok = 1;
    for (size_t l = 0; l < config->num_layers; l++) {
        m->layer[l].in = l ? m->D * config->hidden_size : config->input_size;
        void *w_ih = p, *w_hh[2];
        float *start = (float *)(p += ls[l].w_ih), *bn[2];
        p += ls[l].start;
        for (size_t d = 0; d < m->D; d++) {
            w_hh[d] = p;
            bn[d] = (float *)(p += ls[l].w_hh);
            p += ls[l].bn;
        }
        ok &= pack_layer(m, l, weights, cols, w_ih, start, w_hh, bn);
    }
    free(cols), free(ls);
    if (!ok) { /* a weight out of range: find it for the message (packing read every one once) */
        for (size_t i = 0; i < config->num_layers * m->D && st == GRU_OK; i++) st = values_error(config, weights, i, 1);
        if (st == GRU_OK) /* cannot happen: the packers and values_error test the same limit */
            st = gru_error(GRU_ERR_INVALID, "gru_model_create: a weight is not finite in %s",
                           gru_weight_type_name(config->weights));
        gru_model_destroy(m);
        return st;
    }
    *model = m;
    return GRU_OK;
}

void gru_model_destroy(gru_model *model) {
    if (!model) return;
    gru_free(model->packed);
    free(model->layer);
    free(model->dir);
    free(model);
}

gru_status gru_model_get_info(const gru_model *model, gru_model_info *info) {
    if (!model || !info) return gru_error(GRU_ERR_NULL, "gru_model_get_info: NULL %s", model ? "info" : "model");
    info->config = model->cfg;
    info->isa = model->isa;
    info->packed_weight_bytes = model->packed_bytes;
    info->raw_weight_bytes = model->raw_bytes;
    return GRU_OK;
}
