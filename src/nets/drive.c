/* SPDX-License-Identifier: MIT
 * The step loop of one layer and direction over a projection the caller computed: the same
 * kernel calls, state handling and masking as gru_forward (src/forward.c), so the same bits. */
#include <string.h>

#include "nets/nets.h"

/* State double buffer 2 B hp, RESET_BEFORE scratch 2 B hp, active flags B; each region aligned. */
int gru_nets_dir_ws(const gru_model *m, size_t B, size_t *bytes) {
    size_t st, act, t;
    if (!gru_mul_ok(B, m->hp, &st) || !gru_mul_ok(st, 2 * sizeof(float), &st) || !gru_align_ok(st, &st) ||
        !gru_align_ok(B, &act))
        return 0;
    const size_t n = m->cfg.variant == GRU_VARIANT_RESET_BEFORE ? 2 : 1;
    return gru_mul_ok(st, n, &t) && gru_add_ok(t, act, bytes);
}

void gru_nets_run_dir(const gru_model *m, size_t l, size_t d, const gru_nets_steps *s, const float *gx, size_t ldgx,
                      float *y, size_t ldy, float *h_n, size_t ldh, void *ws) {
    const size_t T = s->T, B = s->B, H = m->cfg.hidden_size, hp = m->hp;
    size_t stb = 0;
    gru_align_ok(B * hp * 2 * sizeof(float), &stb); /* checked by gru_nets_dir_ws */
    float *h_a = ws, *h_b = h_a + B * hp;
    const int rb = m->cfg.variant == GRU_VARIANT_RESET_BEFORE;
    float *scratch = rb ? (float *)((unsigned char *)ws + stb) : NULL;
    unsigned char *active = (unsigned char *)ws + stb * (rb ? 2 : 1);
    memset(h_a, 0, B * hp * sizeof(float));
    int masked = 0;
    if (s->lengths)
        for (size_t b = 0; b < B; b++) masked |= (size_t)s->lengths[b] != T;
    const gru_model_dir *dir = &m->dir[l * m->D + d];
    for (size_t k = 0; k < T; k++) {
        const size_t t = d ? T - 1 - k : k;
        if (masked)
            for (size_t b = 0; b < B; b++) active[b] = t < (size_t)s->lengths[b];
        m->step(h_b, y ? y + t * s->row_t * ldy + d * H : NULL, s->row_b * ldy, h_a, gx + t * s->row_t * ldgx + d * 3 * hp,
                s->row_b * ldgx, dir->w_hh, dir->bn, masked ? active : NULL, scratch, B, H);
        float *tmp = h_a;
        h_a = h_b;
        h_b = tmp;
    }
    if (h_n)
        for (size_t b = 0; b < B; b++) memcpy(h_n + b * ldh, h_a + b * hp, H * sizeof(float));
}
