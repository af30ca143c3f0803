/* SPDX-License-Identifier: MIT
 * int8dyn's per-step quantizer of the vector the recurrent product multiplies (gates.h). Portable
 * C, compiled once without ISA flags, so its bits are the same whichever kernels run after it. */
#include "gates.h"

void gru_gates_quantize_row(int16_t *q, float *s, const float *x, size_t n, size_t np) {
    const float sx = gru_int8_scale(x, n);
    *s = sx;
    for (size_t k = 0; k < n; k++) q[k] = gru_int8_quantize(x[k], sx);
    for (size_t k = n; k < np; k++) q[k] = 0;
}
