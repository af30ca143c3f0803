/* SPDX-License-Identifier: MIT
 * Forecaster from arrays: a 2-layer GRU (I = 3 features, H = 16) over a 10-step window, then a
 * Linear on the last step's output giving 5 values. The window is three phase-shifted sines;
 * prints the input's last step and the 5 outputs (untrained weights: the numbers show the data
 * flow, not a forecast). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gru/gru.h"

static unsigned long long rng = 0x2545F4914F6CDD1Dull;
static float frand(float scale) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return ((float)(rng >> 40) / 8388608.0f - 1.0f) * scale;
}

int main(void) {
    enum { I = 3, H = 16, L = 2, O = 5, T = 10 };
    const float k = 0.25f; /* PyTorch's init range 1/sqrt(H) */
    static float w[L][3 * H * (H + H) + 6 * H], head_w[O * H], head_b[O], x[T * I], y[O];
    gru_layer_weights lw[L];
    for (int l = 0; l < L; l++) {
        const int in = l ? H : I;
        for (size_t i = 0; i < sizeof w[l] / sizeof(float); i++) w[l][i] = frand(k);
        lw[l] = (gru_layer_weights){w[l], w[l] + 3 * H * in, w[l] + 3 * H * (in + H), w[l] + 3 * H * (in + H) + 3 * H};
    }
    for (int i = 0; i < O * H; i++) head_w[i] = frand(k);
    for (int i = 0; i < O; i++) head_b[i] = frand(k);
    const gru_config c = {I, H, L, 0, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
    gru_forecaster *f;
    if (gru_forecaster_create(&f, &c, lw, O, head_w, head_b) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < I; i++) x[t * I + i] = sinf(0.6f * (float)t + 2.0f * (float)i);
    if (gru_forecaster_forward(f, 1, T, x, y) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;
    printf("Forecaster: %d features x %d steps -> %d values (2-layer GRU, H = %d, %s)\n", I, T, O, H,
           gru_isa_name(gru_isa_active()));
    printf("last step: %+.4f %+.4f %+.4f\nforecast: ", x[(T - 1) * I], x[(T - 1) * I + 1], x[(T - 1) * I + 2]);
    for (int o = 0; o < O; o++) printf(" %+.6f", y[o]);
    printf("\n");
    gru_forecaster_destroy(f);
    return 0;
}
