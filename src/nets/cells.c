/* SPDX-License-Identifier: MIT
 * Cells of hand-written PyTorch modules as one-layer models: nn.GRUCell, and the reset-before
 * cell (Linear over [x, h] for r, z; Linear over [x, r * h] for n) mapped onto RESET_BEFORE. */
#include <stdio.h>
#include <string.h>

#include "io/safetensors.h"
#include "nets/nets.h"

/* The prefix as given if `prefix + probe` exists, else with a '.' appended. */
static const char *pick_prefix(const gru_safetensors *st, const char *prefix, const char *probe, char *buf, size_t cap) {
    if (!prefix) prefix = "";
    size_t n = strlen(prefix);
    if (gru_nets_has(st, prefix, probe) || !n || prefix[n - 1] == '.' || n + 2 > cap) return prefix;
    snprintf(buf, cap, "%s.", prefix);
    return buf;
}

gru_status gru_safetensors_load_grucell(const gru_safetensors *st, const char *prefix, gru_model **model) {
    if (!st || !model) return gru_error(GRU_ERR_NULL, "gru_safetensors_load_grucell: NULL %s", st ? "model" : "st");
    char buf[256];
    const char *p = pick_prefix(st, prefix, "weight_ih", buf, sizeof buf);
    float *t[4] = {0};
    size_t si[2] = {0, 0}, sh[2] = {0, 0}, sb[1] = {0};
    gru_status s = gru_nets_tensor(st, p, "weight_ih", 2, si, &t[0]);
    if (s != GRU_OK) return s;
    const size_t H = si[0] / 3;
    sh[0] = si[0], sh[1] = H, sb[0] = si[0];
    const int bias = gru_nets_has(st, p, "bias_ih") || gru_nets_has(st, p, "bias_hh");
    if (si[0] % 3 || !H)
        s = gru_error(GRU_ERR_SHAPE, "%s: %sweight_ih has %zu rows, not 3H", gru_safetensors_file(st), p, si[0]);
    else if ((s = gru_nets_tensor(st, p, "weight_hh", 2, sh, &t[1])) == GRU_OK && bias &&
             (s = gru_nets_tensor(st, p, "bias_ih", 1, sb, &t[2])) == GRU_OK)
        s = gru_nets_tensor(st, p, "bias_hh", 1, sb, &t[3]);
    if (s == GRU_OK) {
        const gru_config c = {si[1], H, 1, 0, bias, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
        const gru_layer_weights lw = {t[0], t[1], t[2], t[3]};
        s = gru_model_create(model, &c, &lw);
    }
    for (int i = 0; i < 4; i++) gru_free(t[i]);
    return s;
}

gru_status gru_rbcell_create(gru_model **model, size_t I, size_t H, const float *w_rz, const float *b_rz,
                             const float *w_n, const float *b_n) {
    if (!model || !w_rz || !w_n) return gru_error(GRU_ERR_NULL, "gru_rbcell_create: NULL %s", !model ? "model" : !w_rz ? "w_rz" : "w_n");
    if (!b_rz != !b_n) return gru_error(GRU_ERR_NULL, "gru_rbcell_create: b_rz and b_n must both be given or both NULL");
    if (!I || !H) return gru_error(GRU_ERR_INVALID, "gru_rbcell_create: input_size (%zu) and hidden_size (%zu) must be > 0", I, H);
    size_t n, ih;
    if (!gru_add_ok(I, H, &ih) || ih > SIZE_MAX / 8 || H > SIZE_MAX / 8 || !gru_mul_ok(3 * (ih + 2), H, &n) ||
        !gru_mul_ok(n, sizeof(float), &n)) /* W_ih, W_hh, b_ih, b_hh: 3H (I + H + 2) */
        return gru_error(GRU_ERR_OVERFLOW, "gru_rbcell_create: I = %zu, H = %zu overflows", I, H);
    float *buf = gru_malloc(n);
    if (!buf) return gru_error(GRU_ERR_NOMEM, "gru_rbcell_create: out of memory");
    float *wi = buf, *wh = wi + 3 * H * I, *bi = wh + 3 * H * H, *bh = bi + 3 * H;
    for (size_t r = 0; r < 3 * H; r++) { /* rows r, z from linear_rz, then n from linear_n */
        const float *src = r < 2 * H ? w_rz + r * ih : w_n + (r - 2 * H) * ih;
        memcpy(wi + r * I, src, I * sizeof(float));
        memcpy(wh + r * H, src + I, H * sizeof(float));
        bi[r] = b_rz ? (r < 2 * H ? b_rz[r] : b_n[r - 2 * H]) : 0.0f;
        bh[r] = 0.0f;
    }
    const gru_config c = {I, H, 1, 0, b_rz != NULL, GRU_VARIANT_RESET_BEFORE, GRU_WEIGHTS_F32};
    const gru_layer_weights lw = {wi, wh, bi, bh};
    gru_status s = gru_model_create(model, &c, &lw);
    gru_free(buf);
    return s;
}

gru_status gru_safetensors_load_rbcell(const gru_safetensors *st, const char *prefix, gru_model **model) {
    if (!st || !model) return gru_error(GRU_ERR_NULL, "gru_safetensors_load_rbcell: NULL %s", st ? "model" : "st");
    char buf[256];
    const char *p = pick_prefix(st, prefix, "linear_rz.weight", buf, sizeof buf);
    float *t[4] = {0};
    size_t s0[2] = {0, 0}, s1[1], s2[2], s3[1];
    gru_status s = gru_nets_tensor(st, p, "linear_rz.weight", 2, s0, &t[0]);
    if (s != GRU_OK) return s;
    const size_t H = s0[0] / 2;
    const int bias = gru_nets_has(st, p, "linear_rz.bias") || gru_nets_has(st, p, "linear_n.bias");
    s1[0] = s0[0], s2[0] = H, s2[1] = s0[1], s3[0] = H;
    if (s0[0] % 2 || !H || s0[1] <= H)
        s = gru_error(GRU_ERR_SHAPE, "%s: %slinear_rz.weight is [%zu, %zu], not [2H, I + H] with I > 0",
                      gru_safetensors_file(st), p, s0[0], s0[1]);
    else if ((s = gru_nets_tensor(st, p, "linear_n.weight", 2, s2, &t[2])) == GRU_OK && bias &&
             (s = gru_nets_tensor(st, p, "linear_rz.bias", 1, s1, &t[1])) == GRU_OK)
        s = gru_nets_tensor(st, p, "linear_n.bias", 1, s3, &t[3]);
    if (s == GRU_OK) s = gru_rbcell_create(model, s0[1] - H, H, t[0], t[1], t[2], t[3]);
    for (int i = 0; i < 4; i++) gru_free(t[i]);
    return s;
}
