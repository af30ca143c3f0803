/* SPDX-License-Identifier: MIT
 * Forecaster: gru_forward (batch-first) over a window, Linear on the last step's output. */
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"
#include "nets/nets.h"

struct gru_forecaster {
    gru_model *gru;
    size_t outputs;
    float *head_w, *head_b; /* [O, D H], [O] */
};

void gru_forecaster_destroy(gru_forecaster *f) {
    if (!f) return;
    gru_model_destroy(f->gru);
    gru_free(f->head_w);
    gru_free(f->head_b);
    free(f);
}

gru_status gru_forecaster_create(gru_forecaster **fc, const gru_config *config, const gru_layer_weights *gru,
                                 size_t outputs, const float *head_w, const float *head_b) {
    if (!fc || !config || !gru || !head_w || !head_b)
        return gru_error(GRU_ERR_NULL, "gru_forecaster_create: NULL %s",
                         !fc ? "fc" : !config ? "config" : !gru ? "gru" : !head_w ? "head_w" : "head_b");
    if (!outputs) return gru_error(GRU_ERR_INVALID, "gru_forecaster_create: outputs must be > 0");
    const size_t DH = (config->bidirectional ? 2 : 1) * config->hidden_size;
    size_t n;
    if (!gru_mul_ok(outputs, DH, &n) || !gru_mul_ok(n, sizeof(float), &n) || !gru_mul_ok(outputs, sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_forecaster_create: outputs = %zu overflows", outputs);
    gru_status s = gru_check_values("gru_forecaster_create", "head_w", head_w, outputs, DH, GRU_WEIGHTS_F32);
    if (s == GRU_OK) s = gru_check_values("gru_forecaster_create", "head_b", head_b, outputs, 0, GRU_WEIGHTS_F32);
    if (s != GRU_OK) return s;
    gru_forecaster *f = calloc(1, sizeof *f);
    if (!f) return gru_error(GRU_ERR_NOMEM, "gru_forecaster_create: out of memory");
    s = gru_model_create(&f->gru, config, gru);
    if (s == GRU_OK) {
        f->outputs = outputs;
        f->head_w = gru_malloc(outputs * DH * sizeof(float));
        f->head_b = gru_malloc(outputs * sizeof(float));
        if (!f->head_w || !f->head_b) s = gru_error(GRU_ERR_NOMEM, "gru_forecaster_create: out of memory");
    }
    if (s != GRU_OK) {
        gru_forecaster_destroy(f);
        return s;
    }
    memcpy(f->head_w, head_w, outputs * DH * sizeof(float));
    memcpy(f->head_b, head_b, outputs * sizeof(float));
    *fc = f;
    return GRU_OK;
}

gru_status gru_forecaster_load(const gru_safetensors *st, gru_forecaster **fc) {
    if (!st || !fc) return gru_error(GRU_ERR_NULL, "gru_forecaster_load: NULL %s", st ? "fc" : "st");
    gru_weights *gw = NULL;
    gru_status s = gru_safetensors_load_gru(st, "gru.", &gw);
    if (s != GRU_OK) return s;
    gru_weights_info wi;
    gru_weights_get_info(gw, &wi);
    float *w = NULL, *b = NULL;
    size_t sw[2] = {0, (wi.config.bidirectional ? 2 : 1) * wi.config.hidden_size}, sb[1];
    if (!wi.batch_first) {
        s = gru_error(GRU_ERR_FORMAT, "%s: a Forecaster's GRU is batch_first (metadata gru.batch_first = 1)",
                      gru_safetensors_file(st));
    } else if ((s = gru_nets_tensor(st, "head.", "weight", 2, sw, &w)) == GRU_OK) {
        sb[0] = sw[0];
        if ((s = gru_nets_tensor(st, "head.", "bias", 1, sb, &b)) == GRU_OK)
            s = gru_forecaster_create(fc, &wi.config, wi.layers, sw[0], w, b);
    }
    gru_free(w);
    gru_free(b);
    gru_weights_destroy(gw);
    return s;
}

gru_status gru_forecaster_get_info(const gru_forecaster *f, gru_config *config, size_t *outputs) {
    if (!f) return gru_error(GRU_ERR_NULL, "gru_forecaster_get_info: NULL fc");
    if (config) *config = f->gru->cfg;
    if (outputs) *outputs = f->outputs;
    return GRU_OK;
}

gru_status gru_forecaster_forward(const gru_forecaster *f, size_t batch, size_t seq_len, const float *x, float *y) {
    if (!f || !x || !y) return gru_error(GRU_ERR_NULL, "gru_forecaster_forward: NULL %s", !f ? "fc" : !x ? "x" : "y");
    if (!batch || !seq_len)
        return gru_error(GRU_ERR_INVALID, "gru_forecaster_forward: batch (%zu) and seq_len (%zu) must be > 0", batch,
                         seq_len);
    const size_t DH = f->gru->D * f->gru->cfg.hidden_size;
    size_t n;
    if (!gru_mul_ok(batch, seq_len, &n) || !gru_mul_ok(n, DH, &n) || !gru_mul_ok(n, sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_forecaster_forward: B = %zu, T = %zu overflows", batch, seq_len);
    float *out = gru_malloc(n);
    if (!out) return gru_error(GRU_ERR_NOMEM, "gru_forecaster_forward: cannot allocate %zu bytes", n);
    const gru_forward_args a = {seq_len, batch, 1, x, NULL, NULL, out, NULL, NULL};
    gru_status s = gru_forward(f->gru, &a, NULL, 0);
    if (s == GRU_OK) /* row b's last step: out[b, T - 1, :] */
        gru_nets_linear(y, f->outputs, out + (seq_len - 1) * DH, seq_len * DH, batch, DH, f->head_w, f->head_b,
                        f->outputs, 0);
    gru_free(out);
    return s;
}
