/* SPDX-License-Identifier: MIT
 * A GRU from a PyTorch state_dict in a safetensors file: names, shapes and metadata checked, weights
 * widened to f32 into one owned block, ready for gru_model_create. Built on the public reader API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "io/safetensors.h"

struct gru_weights {
    gru_config config;
    int batch_first;
    char *prefix;
    gru_layer_weights *layers;
    float *storage;
};

enum { W_IH, W_HH, B_IH, B_HH, N_KINDS };
static const char *const kind_names[N_KINDS] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};

typedef struct loader {
    const gru_safetensors *st;
    const char *file, *prefix;
    char *name; /* scratch for prefix + tensor name */
    size_t name_cap;
} loader;

#define fail(ld, ...) gru_file_error((ld)->file, __VA_ARGS__)

static const char *tensor_name(loader *ld, int kind, size_t layer, int reverse) {
    snprintf(ld->name, ld->name_cap, "%s%s_l%zu%s", ld->prefix, kind_names[kind], layer, reverse ? "_reverse" : "");
    return ld->name;
}

/* The tensor's info if it exists (1), or 0. */
static int lookup(loader *ld, int kind, size_t layer, int reverse, gru_tensor_info *info, size_t *index) {
    size_t i;
    if (gru_safetensors_find(ld->st, tensor_name(ld, kind, layer, reverse), &i)) return 0;
    gru_safetensors_info(ld->st, i, info);
    if (index) *index = i;
    return 1;
}

/* Does `rest` read <kind>_l<digits>[_reverse]? Sets *kind, *layer, *reverse. */
static int parse_gru_name(const char *rest, int *kind, size_t *layer, int *reverse) {
    for (int k = 0; k < N_KINDS; k++) {
        const size_t n = strlen(kind_names[k]);
        if (strncmp(rest, kind_names[k], n) || strncmp(rest + n, "_l", 2)) continue;
        const char *p = rest + n + 2;
        if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) return 0; /* PyTorch: no 0-padding */
        size_t v = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if (!gru_mul_ok(v, 10, &v) || !gru_add_ok(v, (size_t)(*p - '0'), &v)) return 0;
        if (strcmp(p, "") && strcmp(p, "_reverse")) return 0;
        *kind = k, *layer = v, *reverse = *p != '\0';
        return 1;
    }
    return 0;
}

static const char *const first_name = "weight_ih_l0";

/* Finds the one prefix p with a tensor p + "weight_ih_l0" (*found: 0, 1 or 2 for "several"). */
static void detect_prefix(const gru_safetensors *st, const char **names, size_t *found) {
    const size_t n = gru_safetensors_count(st), fl = strlen(first_name);
    *found = 0;
    for (size_t i = 0; i < n && *found < 2; i++) {
        gru_tensor_info t;
        gru_safetensors_info(st, i, &t);
        const size_t len = strlen(t.name);
        if (len >= fl && !strcmp(t.name + len - fl, first_name)) names[(*found)++] = t.name;
    }
}

/* Sets ld->prefix (owned copy in *owned). */
static gru_status resolve_prefix(loader *ld, const char *prefix, char **owned) {
    const size_t fl = strlen(first_name);
    size_t plen;
    if (!prefix || !*prefix) {
        const char *names[2];
        size_t found;
        detect_prefix(ld->st, names, &found);
        if (!found) return fail(ld, GRU_ERR_FORMAT, "no GRU: no tensor name ends in '%s'", first_name);
        if (found > 1)
            return fail(ld, GRU_ERR_FORMAT, "several GRUs ('%s', '%s', ...): pass a prefix", names[0], names[1]);
        plen = strlen(names[0]) - fl;
        prefix = names[0];
    } else {
        plen = strlen(prefix);
    }
    /* Room for the prefix, a '.', the longest name and a 20-digit layer. */
    ld->name_cap = plen + 64;
    if (!(*owned = malloc(plen + 2)) || !(ld->name = malloc(ld->name_cap)))
        return fail(ld, GRU_ERR_NOMEM, "out of memory");
    memcpy(*owned, prefix, plen);
    (*owned)[plen] = '\0';
    ld->prefix = *owned;
    gru_tensor_info t;
    if (lookup(ld, W_IH, 0, 0, &t, NULL)) return GRU_OK;
    if (plen && prefix[plen - 1] != '.') {
        (*owned)[plen] = '.', (*owned)[plen + 1] = '\0';
        if (lookup(ld, W_IH, 0, 0, &t, NULL)) return GRU_OK;
        (*owned)[plen] = '\0';
    }
    return fail(ld, GRU_ERR_FORMAT, "no tensor '%s%s'", ld->prefix, first_name);
}

static void shape_str(const gru_tensor_info *t, char *buf, size_t cap) {
    size_t used = (size_t)snprintf(buf, cap, "[");
    for (size_t i = 0; i < t->rank && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, i ? ", %zu" : "%zu", t->shape[i]);
    if (used < cap) snprintf(buf + used, cap - used, "]");
}

/* Tensor (kind, l, d) must exist with shape [rows] or [rows, cols] (cols == 0: rank 1). */
static gru_status expect(loader *ld, int kind, size_t l, int d, size_t rows, size_t cols, size_t *index) {
    gru_tensor_info t;
    if (!lookup(ld, kind, l, d, &t, index)) return fail(ld, GRU_ERR_FORMAT, "missing tensor '%s'", ld->name);
    const int ok = cols ? t.rank == 2 && t.shape[0] == rows && t.shape[1] == cols : t.rank == 1 && t.shape[0] == rows;
    if (ok) return GRU_OK;
    char got[96];
    shape_str(&t, got, sizeof got);
    if (cols) return fail(ld, GRU_ERR_FORMAT, "'%s' has shape %s, expected [%zu, %zu]", t.name, got, rows, cols);
    return fail(ld, GRU_ERR_FORMAT, "'%s' has shape %s, expected [%zu]", t.name, got, rows);
}

/* Derives the configuration from layer 0 and rejects GRU tensors that do not belong to it. */
static gru_status derive_config(loader *ld, gru_config *c) {
    gru_tensor_info t;
    lookup(ld, W_IH, 0, 0, &t, NULL);
    char got[96];
    shape_str(&t, got, sizeof got);
    if (t.rank != 2 || t.shape[0] == 0 || t.shape[0] % 3 || t.shape[1] == 0)
        return fail(ld, GRU_ERR_FORMAT, "'%s' has shape %s, expected [3*hidden, input] with both > 0", t.name, got);
    c->hidden_size = t.shape[0] / 3;
    c->input_size = t.shape[1];
    c->num_layers = 0;
    while (lookup(ld, W_IH, c->num_layers, 0, &t, NULL)) c->num_layers++;
    c->bidirectional = lookup(ld, W_IH, 0, 1, &t, NULL);
    c->bias = lookup(ld, B_IH, 0, 0, &t, NULL);
    const size_t plen = strlen(ld->prefix), n = gru_safetensors_count(ld->st);
    for (size_t i = 0; i < n; i++) {
        gru_safetensors_info(ld->st, i, &t);
        int kind, rev;
        size_t layer;
        if (strncmp(t.name, ld->prefix, plen) || !parse_gru_name(t.name + plen, &kind, &layer, &rev)) continue;
        if (layer >= c->num_layers)
            return fail(ld, GRU_ERR_FORMAT, "'%s' found but '%s' is missing", t.name,
                        tensor_name(ld, W_IH, c->num_layers, 0));
        if (rev && !c->bidirectional)
            return fail(ld, GRU_ERR_FORMAT, "'%s' found but '%s' is missing", t.name, tensor_name(ld, W_IH, 0, 1));
        if (kind >= B_IH && !c->bias)
            return fail(ld, GRU_ERR_FORMAT, "'%s' found but '%s' is missing", t.name, tensor_name(ld, B_IH, 0, 0));
    }
    return GRU_OK;
}

static gru_status read_metadata(loader *ld, gru_config *c, int *batch_first) {
    const char *v;
    gru_safetensors_metadata(ld->st, "gru.variant", &v);
    c->variant = GRU_VARIANT_LINEAR_BEFORE_RESET;
    if (v && !strcmp(v, "reset_before"))
        c->variant = GRU_VARIANT_RESET_BEFORE;
    else if (v && strcmp(v, "linear_before_reset"))
        return fail(ld, GRU_ERR_FORMAT, "metadata gru.variant = '%.40s': want linear_before_reset or reset_before", v);
    gru_safetensors_metadata(ld->st, "gru.batch_first", &v);
    *batch_first = 0;
    if (v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "True")))
        *batch_first = 1;
    else if (v && strcmp(v, "0") && strcmp(v, "false") && strcmp(v, "False"))
        return fail(ld, GRU_ERR_FORMAT, "metadata gru.batch_first = '%.40s': want 0 or 1", v);
    return GRU_OK;
}

/* Checks every tensor, then reads them into one block, each array 64-byte aligned. */
static gru_status load(loader *ld, gru_weights *w) {
    gru_config *c = &w->config;
    gru_status s;
    if ((s = derive_config(ld, c)) || (s = read_metadata(ld, c, &w->batch_first))) return s;
    const size_t D = c->bidirectional ? 2 : 1, H = c->hidden_size, G = 3 * H, nk = c->bias ? N_KINDS : 2;
    size_t entries, total = 0, index[N_KINDS];
    if (!gru_mul_ok(c->num_layers, D, &entries)) return fail(ld, GRU_ERR_OVERFLOW, "too many layers");
    for (size_t l = 0; l < c->num_layers; l++)
        for (size_t d = 0; d < D; d++) {
            const size_t cols[N_KINDS] = {l ? D * H : c->input_size, H, 0, 0};
            for (size_t k = 0; k < nk; k++) {
                if ((s = expect(ld, (int)k, l, (int)d, G, cols[k], &index[k]))) return s;
                size_t bytes, padded;
                if (!gru_mul_ok(G, cols[k] ? cols[k] : 1, &bytes) || !gru_mul_ok(bytes, sizeof(float), &bytes) ||
                    !gru_align_ok(bytes, &padded) || !gru_add_ok(total, padded, &total))
                    return fail(ld, GRU_ERR_OVERFLOW, "weights too large");
            }
        }
    if (!(w->layers = calloc(entries, sizeof *w->layers)) || !(w->storage = gru_malloc(total)))
        return fail(ld, GRU_ERR_NOMEM, "cannot allocate %zu bytes of weights", total);
    unsigned char *p = (unsigned char *)w->storage;
    for (size_t l = 0; l < c->num_layers; l++)
        for (size_t d = 0; d < D; d++) {
            const float **dst[N_KINDS] = {&w->layers[l * D + d].w_ih, &w->layers[l * D + d].w_hh,
                                          &w->layers[l * D + d].b_ih, &w->layers[l * D + d].b_hh};
            for (size_t k = 0; k < nk; k++) {
                gru_tensor_info t;
                lookup(ld, (int)k, l, (int)d, &t, &index[k]);
                if ((s = gru_safetensors_read_f32(ld->st, index[k], (float *)p, t.numel))) return s;
                *dst[k] = (const float *)p;
                size_t padded = 0;
                gru_align_ok(t.numel * sizeof(float), &padded); /* checked when `total` was summed */
                p += padded;
            }
        }
    return GRU_OK;
}

gru_status gru_safetensors_load_gru(const gru_safetensors *st, const char *prefix, gru_weights **weights) {
    if (!st || !weights) return gru_error(GRU_ERR_NULL, "gru_safetensors_load_gru: NULL argument");
    loader ld = {st, gru_safetensors_file(st), "", NULL, 0};
    gru_weights *w = calloc(1, sizeof *w);
    gru_status s = w ? resolve_prefix(&ld, prefix, &w->prefix) : fail(&ld, GRU_ERR_NOMEM, "out of memory");
    if (!s) s = load(&ld, w);
    free(ld.name);
    if (s) {
        gru_weights_destroy(w);
        return s;
    }
    *weights = w;
    return GRU_OK;
}

gru_status gru_load_gru_file(const char *path, const char *prefix, gru_weights **weights) {
    if (!path || !weights) return gru_error(GRU_ERR_NULL, "gru_load_gru_file: NULL argument");
    gru_safetensors *st;
    gru_status s = gru_safetensors_open(&st, path);
    if (s) return s;
    s = gru_safetensors_load_gru(st, prefix, weights);
    gru_safetensors_close(st);
    return s;
}

void gru_weights_destroy(gru_weights *w) {
    if (!w) return;
    gru_free(w->storage);
    free(w->layers);
    free(w->prefix);
    free(w);
}

gru_status gru_weights_get_info(const gru_weights *w, gru_weights_info *info) {
    if (!w || !info) return gru_error(GRU_ERR_NULL, "gru_weights_get_info: NULL argument");
    *info = (gru_weights_info){w->config, w->layers, w->batch_first, w->prefix};
    return GRU_OK;
}
