/* SPDX-License-Identifier: MIT */
#include "data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct item {
    struct item *next;
    char key[96];
    void *mem; /* gru_malloc'd floats */
    gru_bench_weights w;
    gru_layer_weights *layers;
} item;

static item *items;

static item *find(const char *key) {
    for (item *it = items; it; it = it->next)
        if (!strcmp(it->key, key)) return it;
    return NULL;
}

static item *add(const char *key, void *mem) {
    item *it = calloc(1, sizeof *it);
    if (!it) return NULL;
    snprintf(it->key, sizeof it->key, "%s", key);
    it->mem = mem;
    it->next = items;
    items = it;
    return it;
}

float *gru_bench_random(size_t n, float a, unsigned long long seed) {
    float *p = gru_malloc(n * sizeof(float));
    if (!p) return NULL;
    unsigned long long s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull; /* 64-bit LCG, top bits */
        p[i] = ((float)(s >> 40) * 0x1p-24f * 2.0f - 1.0f) * a;
    }
    return p;
}

const float *gru_bench_input_get(size_t n, unsigned salt) {
    char key[96];
    snprintf(key, sizeof key, "x%zu_%u", n, salt);
    item *it = find(key);
    if (it) return it->mem;
    float *p = gru_bench_random(n, 1.0f, n ^ ((unsigned long long)salt << 40));
    if (!p) return NULL;
    if (!add(key, p)) {
        gru_free(p);
        return NULL;
    }
    return p;
}

const gru_bench_weights *gru_bench_weights_get(const gru_config *c) {
    const size_t H = c->hidden_size, L = c->num_layers, D = c->bidirectional ? 2 : 1;
    char key[96];
    snprintf(key, sizeof key, "w%zu_%zu_%zu_%zu", c->input_size, H, L, D);
    item *it = find(key);
    if (it) return &it->w;
    size_t total = 0; /* floats of every tensor, one block */
    for (size_t l = 0; l < L; l++) total += D * 3 * H * ((l ? D * H : c->input_size) + H + 2);
    float *mem = gru_bench_random(total, 1.0f / sqrtf((float)H), total ^ (H << 20));
    gru_layer_weights *layers = calloc(L * D, sizeof *layers);
    if (!mem || !layers || !(it = add(key, mem))) {
        gru_free(mem);
        free(layers);
        return NULL;
    }
    float *p = mem;
    for (size_t l = 0; l < L; l++) {
        const size_t I = l ? D * H : c->input_size;
        for (size_t d = 0; d < D; d++) {
            gru_layer_weights *w = &layers[l * D + d];
            w->w_ih = p, p += 3 * H * I;
            w->w_hh = p, p += 3 * H * H;
            w->b_ih = p, p += 3 * H;
            w->b_hh = p, p += 3 * H;
        }
    }
    it->layers = layers;
    it->w.layers = layers;
    return &it->w;
}

void gru_bench_data_clear(void) {
    while (items) {
        item *it = items;
        items = it->next;
        gru_free(it->mem);
        free(it->layers);
        free(it);
    }
}
