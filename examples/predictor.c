/* SPDX-License-Identifier: MIT
 * GRUPredictor from arrays: G = 512 graph embeddings and Tab = 64 tabular embeddings per step,
 * H = 64, one layer, C = 2 classes; three sequences of lengths 8, 5 and 1 (packed). Prints the
 * logits and the predicted class of each. */
#include <stdio.h>
#include <stdlib.h>

#include "gru/gru.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static float frand(float scale) { /* xorshift64, uniform in [-scale, scale) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return ((float)(rng >> 40) / 8388608.0f - 1.0f) * scale;
}

static float *randv(size_t n, float scale) {
    float *p = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = frand(scale);
    return p;
}

int main(void) {
    enum { G = 512, TAB = 64, H = 64, F = 64, C = 2, B = 3, T = 8 };
    const gru_predictor_config c = {G, TAB, H, 1, 0, F, C, GRU_WEIGHTS_F32};
    float *w_ih = randv(3 * H * (G + TAB), 0.125f), *w_hh = randv(3 * H * H, 0.125f), *b_ih = randv(3 * H, 0.125f),
          *b_hh = randv(3 * H, 0.125f), *fc1_w = randv(F * H, 0.125f), *fc1_b = randv(F, 0.125f),
          *fc2_w = randv(C * F, 0.125f), *fc2_b = randv(C, 0.125f);
    const gru_layer_weights lw = {w_ih, w_hh, b_ih, b_hh};
    const gru_predictor_weights pw = {&lw, fc1_w, fc1_b, fc2_w, fc2_b};
    gru_predictor *p;
    if (gru_predictor_create(&p, &c, &pw) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;

    float *graph = randv(B * T * G, 1.0f), *tab = randv(B * TAB, 1.0f), logits[B * C];
    const int64_t lengths[B] = {8, 5, 1};
    const gru_predictor_args a = {B, T, graph, tab, 0, lengths, logits, NULL}; /* tab [B, Tab]: every step */
    if (gru_predictor_forward(p, &a) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;
    printf("GRUPredictor G=%d Tab=%d H=%d C=%d on %s\n", G, TAB, H, C, gru_isa_name(gru_isa_active()));
    for (int b = 0; b < B; b++)
        printf("sequence %d (length %lld): logits %+.6f %+.6f -> class %d\n", b, (long long)lengths[b],
               logits[b * C], logits[b * C + 1], logits[b * C + 1] > logits[b * C]);
    gru_predictor_destroy(p);
    free(w_ih), free(w_hh), free(b_ih), free(b_hh), free(fc1_w), free(fc1_b), free(fc2_w), free(fc2_b);
    free(graph), free(tab);
    return 0;
}
