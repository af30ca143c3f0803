/* SPDX-License-Identifier: MIT
 * The dense layers of the systems' heads: one FMA chain per output, in increasing k. */
#include <math.h>

#include "nets/nets.h"

void gru_nets_linear(float *y, size_t ldy, const float *x, size_t ldx, size_t B, size_t in, const float *w,
                     const float *bias, size_t out, int relu) {
    for (size_t b = 0; b < B; b++)
        for (size_t o = 0; o < out; o++) {
            float acc = bias ? bias[o] : 0.0f;
            const float *wr = w + o * in, *xr = x + b * ldx;
            for (size_t k = 0; k < in; k++) acc = fmaf(xr[k], wr[k], acc);
            y[b * ldy + o] = relu && acc < 0.0f ? 0.0f : acc;
        }
}
