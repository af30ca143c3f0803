/* SPDX-License-Identifier: MIT
 * Names of the weight storage types. */
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
