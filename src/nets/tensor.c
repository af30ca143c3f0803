/* SPDX-License-Identifier: MIT
 * Reading a named tensor of a given shape for the systems' loaders. */
#include <stdio.h>
#include <string.h>

#include "io/safetensors.h"
#include "nets/nets.h"

static int find(const gru_safetensors *st, const char *prefix, const char *name, size_t *idx, char *full,
                size_t cap) {
    snprintf(full, cap, "%s%s", prefix ? prefix : "", name);
    for (size_t i = 0; i < gru_safetensors_count(st); i++) {
        gru_tensor_info ti;
        if (gru_safetensors_info(st, i, &ti) == GRU_OK && !strcmp(ti.name, full)) {
            *idx = i;
            return 1;
        }
    }
    return 0;
}

int gru_nets_has(const gru_safetensors *st, const char *prefix, const char *name) {
    char full[512];
    size_t i;
    return find(st, prefix, name, &i, full, sizeof full);
}

gru_status gru_nets_tensor(const gru_safetensors *st, const char *prefix, const char *name, size_t rank,
                           size_t *shape, float **out) {
    char full[512];
    size_t idx;
    const char *file = gru_safetensors_file(st);
    if (!find(st, prefix, name, &idx, full, sizeof full))
        return gru_error(GRU_ERR_FORMAT, "%s: no tensor '%s'", file, full);
    gru_tensor_info ti;
    gru_status s = gru_safetensors_info(st, idx, &ti);
    if (s != GRU_OK) return s;
    int ok = ti.rank == rank;
    for (size_t i = 0; ok && i < rank; i++) ok = !shape[i] || shape[i] == ti.shape[i];
    if (!ok) {
        char want[128] = "", got[128] = "";
        for (size_t i = 0; i < rank; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%zu", i ? ", " : "", shape[i]);
        for (size_t i = 0; i < ti.rank && i < 8; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", i ? ", " : "", ti.shape[i]);
        return gru_error(GRU_ERR_SHAPE, "%s: tensor '%s' has shape [%s], expected [%s] (0: any)", file, full, got,
                         want);
    }
    for (size_t i = 0; i < rank; i++) shape[i] = ti.shape[i];
    size_t bytes;
    if (!gru_mul_ok(ti.numel, sizeof(float), &bytes))
        return gru_error(GRU_ERR_OVERFLOW, "%s: tensor '%s' too large", file, full);
    float *p = gru_malloc(bytes ? bytes : sizeof(float));
    if (!p) return gru_error(GRU_ERR_NOMEM, "%s: cannot allocate tensor '%s'", file, full);
    s = gru_safetensors_read_f32(st, idx, p, ti.numel);
    if (s != GRU_OK) {
        gru_free(p);
        return s;
    }
    *out = p;
    return GRU_OK;
}
