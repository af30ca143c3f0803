/* SPDX-License-Identifier: MIT
 * One step of one layer and direction (nn.GRUCell): the same GEMM columns and gates kernel as
 * gru_forward, so the same bits as that step inside a sequence. */
#include <string.h>

#include "model.h"

/* Workspace: gx [B, 3 hp], the state in and out [B, hp] each, the gates kernel's scratch. */
static int cell_plan(const gru_model *m, size_t B, size_t *gx, size_t *state, size_t *total) {
    size_t n, s, t, sc;
    if (!gru_mul_ok(B, 3 * m->hp, &n) || !gru_mul_ok(n, sizeof(float), &n) || !gru_align_ok(n, gx) ||
        !gru_mul_ok(B, m->hp, &s) || !gru_mul_ok(s, sizeof(float), &s) || !gru_align_ok(s, state) ||
        !gru_gates_scratch_floats(B, m->hp, m->cfg.variant == GRU_VARIANT_RESET_BEFORE, &sc) ||
        !gru_mul_ok(sc, sizeof(float), &sc))
        return 0;
    return gru_mul_ok(*state, 2, &t) && gru_add_ok(t, *gx, &t) && gru_add_ok(t, sc, &t) &&
           gru_add_ok(t, GRU_ALIGN - 1, total);
}

gru_status gru_cell_workspace_size(const gru_model *model, size_t batch, size_t *bytes) {
    if (!model || !bytes) return gru_error(GRU_ERR_NULL, "gru_cell_workspace_size: NULL %s", model ? "bytes" : "model");
    if (batch == 0) return gru_error(GRU_ERR_INVALID, "gru_cell_workspace_size: batch must be > 0");
    size_t gx, state;
    if (!cell_plan(model, batch, &gx, &state, bytes))
        return gru_error(GRU_ERR_OVERFLOW, "gru_cell_workspace_size: batch = %zu overflows size_t", batch);
    return GRU_OK;
}

gru_status gru_cell(const gru_model *model, size_t layer, int reverse, size_t batch, const float *x, const float *h,
                    float *h_out, void *workspace, size_t workspace_bytes) {
    if (!model || !x || !h_out)
        return gru_error(GRU_ERR_NULL, "gru_cell: NULL %s", !model ? "model" : !x ? "x" : "h_out");
    const gru_model *m = model;
    if (layer >= m->cfg.num_layers)
        return gru_error(GRU_ERR_INVALID, "gru_cell: layer %zu of a %zu-layer model", layer, m->cfg.num_layers);
    if (reverse && m->D == 1) return gru_error(GRU_ERR_INVALID, "gru_cell: reverse direction of a unidirectional model");
    if (batch == 0) return gru_error(GRU_ERR_INVALID, "gru_cell: batch must be > 0");
    const size_t H = m->cfg.hidden_size, hp = m->hp, in = m->layer[layer].in, d = reverse ? 1 : 0;
    size_t gxb, stb, total, n;
    if (!cell_plan(m, batch, &gxb, &stb, &total) || !gru_mul_ok(batch, in, &n) ||
        !gru_mul_ok(n, sizeof(float), &n) || !gru_mul_ok(batch, H * sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_cell: batch = %zu overflows size_t", batch);
    if (workspace && workspace_bytes < total)
        return gru_error(GRU_ERR_WORKSPACE, "gru_cell: workspace of %zu bytes, %zu needed", workspace_bytes, total);
    void *own = NULL;
    if (!workspace) {
        workspace = own = gru_malloc(total);
        if (!own) return gru_error(GRU_ERR_NOMEM, "gru_cell: cannot allocate %zu bytes of workspace", total);
    }
    unsigned char *ws = (unsigned char *)(((uintptr_t)workspace + GRU_ALIGN - 1) & ~(uintptr_t)(GRU_ALIGN - 1));
    float *gx = (float *)ws, *h_in = (float *)(ws + gxb), *h_new = (float *)(ws + gxb + stb);
    float *scratch = (float *)(ws + gxb + 2 * stb);

    /* Direction d's columns of the layer's GEMM: 3 hp is a multiple of the panel width. */
    const gru_model_layer *ly = &m->layer[layer];
    const size_t col0 = d * 3 * hp;
    m->gemm.gemm(gx, 3 * hp, x, in, ly->w_ih + col0 * in, ly->start + col0, batch, 3 * hp, in);
    for (size_t b = 0; b < batch; b++) {
        if (h)
            memcpy(h_in + b * hp, h + b * H, H * sizeof(float));
        else
            memset(h_in + b * hp, 0, H * sizeof(float));
        memset(h_in + b * hp + H, 0, (hp - H) * sizeof(float)); /* lanes past H: read, unused */
    }
    const gru_model_dir *dir = &m->dir[layer * m->D + d];
    m->step(h_new, h_out, H, h_in, gx, 3 * hp, dir->w_hh, dir->bn, NULL, scratch, batch, H);
    gru_free(own);
    return GRU_OK;
}
