/* SPDX-License-Identifier: MIT
 * Weight loads of every storage type over the vector vocabulary; included after one vec_*.h by
 * the kernel templates. The type is a compile-time constant of each instantiation, so the
 * switch folds away and fp32 kernels load exactly as before. */
#ifndef GRU_SRC_WLOAD_IMPL_H
#define GRU_SRC_WLOAD_IMPL_H

#include "weights.h"

/* VL weights of type t, elements i .. i + VL - 1 of the array at byte address p, widened to fp32
 * exactly. */
static inline __attribute__((always_inline)) vf wt_load(const unsigned char *p, size_t i, const gru_weight_type t) {
    switch (t) {
    case GRU_WEIGHTS_F16: return vf_load_f16((const uint16_t *)p + i);
    case GRU_WEIGHTS_BF16: return vf_load_bf16((const uint16_t *)p + i);
    case GRU_WEIGHTS_INT8: return vf_load_i8((const int8_t *)p + i);
    default: return vf_load((const float *)p + i);
    }
}

#endif /* GRU_SRC_WLOAD_IMPL_H */
