/* SPDX-License-Identifier: MIT */
#include "model_rig.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

int mrig_isas(gru_isa isas[GRU_ISA_COUNT]) {
    int n = 0;
    isas[n++] = GRU_ISA_SCALAR;
    RIG_FOREACH_SIMD_ISA(isa) isas[n++] = isa;
    return n;
}

void mrig_fill(rig_rng *r, float *p, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) p[i] = rig_uniform(r, lo, hi);
}

void mrig_weights_random(mrig_weights *w, const gru_config *c, rig_rng *r, float scale) {
    const size_t D = mrig_dirs(c), H = c->hidden_size, n = c->num_layers * D;
    size_t total = 0;
    for (size_t l = 0; l < c->num_layers; l++)
        total += D * (3 * H * mrig_layer_input(c, l) + 3 * H * H + 6 * H + 4); /* +1 per array: odd offsets */
    w->block = malloc((total + 1) * sizeof *w->block);
    w->lw = calloc(n, sizeof *w->lw);
    cr_assert(w->block && w->lw, "out of memory");
    const float k = scale / sqrtf((float)H);
    float *p = w->block + 1;
    for (size_t l = 0; l < c->num_layers; l++)
        for (size_t d = 0; d < D; d++) {
            const size_t sizes[4] = {3 * H * mrig_layer_input(c, l), 3 * H * H, 3 * H, 3 * H};
            float *arr[4];
            for (int i = 0; i < 4; i++) {
                arr[i] = p;
                mrig_fill(r, p, sizes[i], -k, k);
                p += sizes[i] + (sizes[i] & 1); /* the next array starts at an odd offset too */
            }
            w->lw[l * D + d] = (gru_layer_weights){arr[0], arr[1], arr[2], arr[3]};
        }
}

void mrig_weights_free(mrig_weights *w) {
    free(w->block);
    free(w->lw);
    w->block = NULL;
    w->lw = NULL;
}

gru_model *mrig_model(const gru_config *c, const gru_layer_weights *lw, gru_isa isa) {
    cr_assert(gru_set_max_isa(isa) == GRU_OK, "gru_set_max_isa(%s) failed: %s", gru_isa_name(isa), gru_last_error());
    cr_assert(gru_isa_active() == isa, "active ISA is %s after gru_set_max_isa(%s)", gru_isa_name(gru_isa_active()),
              gru_isa_name(isa));
    gru_model *m = NULL;
    const gru_status s = gru_model_create(&m, c, lw);
    cr_assert(s == GRU_OK && m, "gru_model_create on %s: %s (%s)", gru_isa_name(isa), gru_status_str(s),
              gru_last_error());
    gru_model_info info;
    cr_assert(gru_model_get_info(m, &info) == GRU_OK);
    cr_assert(info.isa == isa, "model created under %s reports ISA %s", gru_isa_name(isa), gru_isa_name(info.isa));
    cr_assert(info.config.input_size == c->input_size && info.config.hidden_size == c->hidden_size &&
                  info.config.num_layers == c->num_layers && !info.config.bidirectional == !c->bidirectional &&
                  !info.config.bias == !c->bias && info.config.variant == c->variant,
              "gru_model_get_info does not echo the config");
    size_t raw = 0;
    for (size_t l = 0; l < c->num_layers; l++)
        raw += mrig_dirs(c) * 3 * c->hidden_size * (mrig_layer_input(c, l) + c->hidden_size + (c->bias ? 2 : 0));
    cr_assert(info.raw_weight_bytes == raw * sizeof(float), "raw_weight_bytes %zu, expected %zu", info.raw_weight_bytes,
              raw * sizeof(float));
    return m;
}
