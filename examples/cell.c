/* SPDX-License-Identifier: MIT
 * Custom cells stepped one input at a time: an nn.GRUCell (from its weight_ih / weight_hh /
 * bias_ih / bias_hh arrays) and the hand-written reset-before cell (linear_rz over [x, h],
 * linear_n over [x, r * h]) mapped onto GRU_VARIANT_RESET_BEFORE. Feeds both the same 6-step
 * input and prints the state's first values after each step. */
#include <math.h>
#include <stdio.h>

#include "gru/gru.h"

enum { I = 4, H = 5, STEPS = 6 };

static unsigned long long rng = 0xD1B54A32D192ED03ull;
static float frand(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return ((float)(rng >> 40) / 8388608.0f - 1.0f) * 0.45f;
}

int main(void) {
    static float w_ih[3 * H * I], w_hh[3 * H * H], b_ih[3 * H], b_hh[3 * H];
    static float w_rz[2 * H * (I + H)], b_rz[2 * H], w_n[H * (I + H)], b_n[H];
    float *all[] = {w_ih, w_hh, b_ih, b_hh, w_rz, b_rz, w_n, b_n};
    const size_t n[] = {3 * H * I, 3 * H * H, 3 * H, 3 * H, 2 * H * (I + H), 2 * H, H * (I + H), H};
    for (int a = 0; a < 8; a++)
        for (size_t i = 0; i < n[a]; i++) all[a][i] = frand();

    const gru_config c = {I, H, 1, 0, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
    const gru_layer_weights lw = {w_ih, w_hh, b_ih, b_hh};
    gru_model *grucell, *rbcell;
    if (gru_model_create(&grucell, &c, &lw) != GRU_OK || gru_rbcell_create(&rbcell, I, H, w_rz, b_rz, w_n, b_n) != GRU_OK)
        return fprintf(stderr, "%s\n", gru_last_error()), 1;
    float h1[H] = {0}, h2[H] = {0}, x[I];
    printf("step  nn.GRUCell h[0..2]            reset-before cell h[0..2]\n");
    for (int t = 0; t < STEPS; t++) {
        for (int i = 0; i < I; i++) x[i] = cosf(0.7f * (float)t + (float)i);
        if (gru_cell(grucell, 0, 0, 1, x, h1, h1, NULL, 0) != GRU_OK || gru_cell(rbcell, 0, 0, 1, x, h2, h2, NULL, 0) != GRU_OK)
            return fprintf(stderr, "%s\n", gru_last_error()), 1;
        printf("%4d  %+.5f %+.5f %+.5f      %+.5f %+.5f %+.5f\n", t, h1[0], h1[1], h1[2], h2[0], h2[1], h2[2]);
    }
    gru_model_destroy(grucell);
    gru_model_destroy(rbcell);
    return 0;
}
