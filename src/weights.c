/* SPDX-License-Identifier: MIT
 * Names of the weight storage types, and the check of values against a type. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "weights.h"

static const char *const weight_names[GRU_WEIGHT_TYPES] = {"fp32", "fp16", "bf16", "int8", "int8dyn"};

const char *gru_weight_type_name(gru_weight_type type) {
    return (unsigned)type < GRU_WEIGHT_TYPES ? weight_names[type] : "unknown";
}

gru_status gru_weight_type_from_name(const char *name, gru_weight_type *type) {
    if (!name || !type) return gru_error(GRU_ERR_NULL, "gru_weight_type_from_name: NULL argument");
    for (unsigned t = 0; t < GRU_WEIGHT_TYPES; t++)
        if (!strcmp(name, weight_names[t])) {
            *type = (gru_weight_type)t;
            return GRU_OK;
        }
    return gru_error(GRU_ERR_INVALID, "unknown weight type '%s' (fp32, fp16, bf16, int8, int8dyn)", name);
}

gru_status gru_check_values(const char *fn, const char *what, const float *p, size_t rows, size_t cols,
                            gru_weight_type t) {
    const float limit = gru_weight_limit(t);
    const size_t n = rows * (cols ? cols : 1), k = gru_find_above(p, n, limit);
    if (k == n) return GRU_OK;
    char at[64];
    if (cols)
        snprintf(at, sizeof at, "[%zu][%zu]", k / cols, k % cols);
    else
        snprintf(at, sizeof at, "[%zu]", k);
    if (isfinite(p[k]))
        return gru_error(GRU_ERR_INVALID, "%s: %s%s = %.9g does not fit %s (|w| must be below %.9g)", fn, what, at,
                         (double)p[k], gru_weight_type_name(t), (double)limit);
    return gru_error(GRU_ERR_INVALID, "%s: %s%s is %g: values must be finite", fn, what, at, (double)p[k]);
}
