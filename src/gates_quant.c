/* SPDX-License-Identifier: MIT
 * int8dyn's per-step quantizer of the vector the recurrent product multiplies (gates.h). Portable
 * C, compiled once without ISA flags, so its bits are the same whichever kernels run after it. */
#include "gates.h"

void gru_gates_quantize_row(int16_t *q, float *s, const float *x, size_t n, size_t np) {
    const float sx = gru_int8_scale(x, n);
    *s = sx;
    if (!(sx >= 0x1p-126f)) { /* 0, subnormal or NaN: gru_int8_quantize's careful path */
        for (size_t k = 0; k < n; k++) q[k] = gru_int8_quantize(x[k], sx);
    } else { /* s normal: |x / s| <= 127 (1 + 2^-22), so the quotient converts to int32 as is */
        for (size_t k = 0; k < n; k++) {
            const int32_t v = gru_round_even(x[k] / sx);
            q[k] = (int16_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
    for (size_t k = n; k < np; k++) q[k] = 0;
}
