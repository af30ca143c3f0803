/* SPDX-License-Identifier: MIT
 * GRUPredictor from the exporter's state_dict (tools/export_pytorch.py GRUPredictor). */
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"
#include "nets/nets.h"

/* A decimal metadata value, or `dflt` when absent; 0 and GRU_ERR_FORMAT when malformed. */
static gru_status meta_size(const gru_safetensors *st, const char *key, size_t dflt, size_t *out) {
    const char *v;
    gru_status s = gru_safetensors_metadata(st, key, &v);
    if (s != GRU_OK) return s;
    if (!v) {
        *out = dflt;
        return GRU_OK;
    }
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n > SIZE_MAX)
        return gru_error(GRU_ERR_FORMAT, "%s: metadata %s = '%s' is not a size", gru_safetensors_file(st), key, v);
    *out = (size_t)n;
    return GRU_OK;
}

gru_status gru_predictor_load(const gru_safetensors *st, gru_predictor **pred) {
    if (!st || !pred) return gru_error(GRU_ERR_NULL, "gru_predictor_load: NULL %s", st ? "pred" : "st");
    const char *file = gru_safetensors_file(st);
    gru_weights *gw = NULL;
    float *t[4] = {0};
    gru_status s = gru_safetensors_load_gru(st, "gru.", &gw);
    if (s != GRU_OK) return s;
    gru_weights_info wi;
    gru_weights_get_info(gw, &wi);
    const gru_config *gc = &wi.config;
    const size_t DH = (gc->bidirectional ? 2 : 1) * gc->hidden_size;
    gru_predictor_config c = {0, 0, gc->hidden_size, gc->num_layers, gc->bidirectional, 0, 0, GRU_WEIGHTS_F32};
    if ((s = meta_size(st, "predictor.tab_dim", 0, &c.tab_dim)) != GRU_OK ||
        (s = meta_size(st, "predictor.graph_dim", gc->input_size - (c.tab_dim < gc->input_size ? c.tab_dim : 0),
                       &c.graph_dim)) != GRU_OK)
        goto done;
    if (c.graph_dim + c.tab_dim != gc->input_size || c.graph_dim == 0) {
        s = gru_error(GRU_ERR_FORMAT, "%s: graph_dim %zu + tab_dim %zu must equal the GRU's input size %zu (graph_dim > 0)",
                      file, c.graph_dim, c.tab_dim, gc->input_size);
        goto done;
    }
    if (!gc->bias || gc->variant != GRU_VARIANT_LINEAR_BEFORE_RESET || !wi.batch_first) {
        s = gru_error(GRU_ERR_FORMAT, "%s: a GRUPredictor's GRU has biases, is linear_before_reset and batch_first", file);
        goto done;
    }
    size_t s1[2] = {0, DH}, s2[1] = {0}, s3[2] = {0, 0}, s4[1] = {0};
    if ((s = gru_nets_tensor(st, "classifier.", "0.weight", 2, s1, &t[0])) != GRU_OK) goto done;
    s2[0] = s1[0];
    s3[1] = s1[0];
    if ((s = gru_nets_tensor(st, "classifier.", "0.bias", 1, s2, &t[1])) != GRU_OK ||
        (s = gru_nets_tensor(st, "classifier.", "3.weight", 2, s3, &t[2])) != GRU_OK)
        goto done;
    s4[0] = s3[0];
    if ((s = gru_nets_tensor(st, "classifier.", "3.bias", 1, s4, &t[3])) != GRU_OK) goto done;
    c.head_dim = s1[0];
    c.num_classes = s3[0];
    const gru_predictor_weights pw = {wi.layers, t[0], t[1], t[2], t[3]};
    s = gru_predictor_create(pred, &c, &pw);
done:
    for (int i = 0; i < 4; i++) gru_free(t[i]);
    gru_weights_destroy(gw);
    return s;
}

gru_status gru_predictor_load_file(const char *path, gru_predictor **pred) {
    if (!path || !pred) return gru_error(GRU_ERR_NULL, "gru_predictor_load_file: NULL %s", path ? "pred" : "path");
    gru_safetensors *st;
    gru_status s = gru_safetensors_open(&st, path);
    if (s != GRU_OK) return s;
    s = gru_predictor_load(st, pred);
    gru_safetensors_close(st);
    return s;
}
