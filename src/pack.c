/* SPDX-License-Identifier: MIT */
#include "pack.h"

#include "common.h"

int gru_pack_gemm_floats(size_t n, size_t kdim, size_t nr, size_t *floats) {
    const size_t panels = n / nr + (n % nr != 0);
    size_t cols;
    return gru_mul_ok(panels, nr, &cols) && gru_mul_ok(cols, kdim, floats);
}

void gru_pack_gemm(float *dst, const float *const *cols, size_t n, size_t kdim, size_t nr) {
    const size_t panels = n / nr + (n % nr != 0);
    for (size_t p = 0; p < panels; p++)
        for (size_t c = 0; c < nr; c++) {
            const size_t j = p * nr + c;
            const float *src = j < n ? cols[j] : NULL;
            float *d = dst + p * kdim * nr + c;
            for (size_t k = 0; k < kdim; k++) d[k * nr] = src ? src[k] : 0.0f;
        }
}

int gru_pack_gates_floats(size_t hidden, size_t nb, size_t *floats) {
    const size_t blocks = hidden / nb + (hidden % nb != 0);
    size_t hp, rows;
    return gru_mul_ok(blocks, nb, &hp) && gru_mul_ok(hp, 3, &rows) && gru_mul_ok(rows, hidden, floats);
}

void gru_pack_gates(float *dst, const float *w_hh, size_t hidden, size_t nb, size_t sub) {
    const size_t subs = (hidden / nb + (hidden % nb != 0)) * (nb / sub);
    for (size_t s = 0; s < subs; s++)
        for (size_t k = 0; k < hidden; k++)
            for (size_t g = 0; g < 3; g++)
                for (size_t c = 0; c < sub; c++) {
                    const size_t j = s * sub + c;
                    *dst++ = j < hidden ? w_hh[(g * hidden + j) * hidden + k] : 0.0f;
                }
}
