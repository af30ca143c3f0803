/* SPDX-License-Identifier: MIT
 * One step of one layer and direction (nn.GRUCell): the same GEMM columns and gates kernel as
 * gru_forward, so the same bits as that step inside a sequence. */
#include "model.h"

/* Workspace: the layer's gx row layout [B, ldgx] (only this direction's columns are computed), then
 * the step driver's workspace. */
static int cell_plan(const gru_model *m, size_t B, size_t *gx, size_t *total) {
    size_t n, dir;
    if (!gru_mul_ok(B, m->ldgx, &n) || !gru_mul_ok(n, sizeof(float), &n) || !gru_align_ok(n, gx) ||
        !gru_direction_workspace(m, B, &dir))
        return 0;
    return gru_add_ok(*gx, dir, total) && gru_add_ok(*total, GRU_ALIGN - 1, total);
}

gru_status gru_cell_workspace_size(const gru_model *model, size_t batch, size_t *bytes) {
    if (!model || !bytes) return gru_error(GRU_ERR_NULL, "gru_cell_workspace_size: NULL %s", model ? "bytes" : "model");
    if (batch == 0) return gru_error(GRU_ERR_INVALID, "gru_cell_workspace_size: batch must be > 0");
    size_t gx;
    if (!cell_plan(model, batch, &gx, bytes))
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
    size_t gxb, total, n;
    if (!cell_plan(m, batch, &gxb, &total) || !gru_mul_ok(batch, in, &n) ||
        !gru_mul_ok(n, sizeof(float), &n) || !gru_mul_ok(batch, H * sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_cell: batch = %zu overflows size_t", batch);
    gru_status st = gru_check_values("gru_cell", "x", x, batch, in, GRU_WEIGHTS_F32);
    if (st == GRU_OK && h) st = gru_check_values("gru_cell", "h", h, batch, H, GRU_WEIGHTS_F32);
    if (st != GRU_OK) return st;
    if (workspace && workspace_bytes < total)
        return gru_error(GRU_ERR_WORKSPACE, "gru_cell: workspace of %zu bytes, %zu needed", workspace_bytes, total);
    void *own = NULL;
    if (!workspace) {
        workspace = own = gru_malloc(total);
        if (!own) return gru_error(GRU_ERR_NOMEM, "gru_cell: cannot allocate %zu bytes of workspace", total);
    }
    unsigned char *ws = (unsigned char *)(((uintptr_t)workspace + GRU_ALIGN - 1) & ~(uintptr_t)(GRU_ALIGN - 1));
    float *gx = (float *)ws;

    /* Direction d's columns of the layer's GEMM (3 hp is a multiple of the panel width), then one
     * step of the same driver gru_forward runs; h_out is its final state, so it may alias h. */
    const gru_threads t = gru_threads_get(NULL);
    gru_project(m, layer, gx, m->ldgx, x, in, batch, d * 3 * hp, 3 * hp, &t);
    const gru_steps one = {1, batch, batch, 1, NULL};
    const gru_dir_job job = {d, h, h_out, ws + gxb};
    gru_run_layer(m, layer, &job, 1, &one, gx, m->ldgx, NULL, 0, H, &t);
    gru_free(own);
    return GRU_OK;
}
