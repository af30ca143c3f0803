/* SPDX-License-Identifier: MIT
 * A plain GRU written for clarity, used by the tests as an oracle (never by the library).
 * It takes the public API's types and follows gru.h's contract: both variants, L layers
 * (layer l > 0 reads the D*H outputs of layer l-1), both directions, h0 (NULL for zeros),
 * per-item lengths with packed-sequence semantics (reverse starts at lengths[b]-1, y zero past
 * lengths[b], h_n the state after the last valid step), batch_first.
 *
 * Several precisions from one code path:
 *  - GRU_ORACLE_F64: every operation in double (the accuracy oracle of NUMERICS.md §2);
 *  - GRU_ORACLE_F32*: a naive float32 implementation that follows PyTorch's CPU cell: every
 *    operation rounded to float, sigmoid = 1 / (1 + exp(-x)) in three rounded steps, tanh and
 *    exp correctly rounded, h' = (h - n) * z + n. Dot products start from 0, then add the bias;
 *    three summation orders: increasing k with separate multiply and add (F32), increasing k
 *    fused (F32_FMA), decreasing k fused (F32_FMA_REV). The worst of the three errors against
 *    GRU_ORACLE_F64 stands in for "PyTorch fp32" where no PyTorch module exists: PyTorch sums in
 *    MKL's order, which cannot be reproduced, and one order alone is sometimes luckier than any
 *    real implementation on tiny cases. */
#ifndef GRU_TESTS_GRU_ORACLE_H
#define GRU_TESTS_GRU_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "gru/gru.h"

typedef enum gru_oracle_precision {
    GRU_ORACLE_F64,
    GRU_ORACLE_F32,
    GRU_ORACLE_F32_FMA,
    GRU_ORACLE_F32_FMA_REV
} gru_oracle_precision;

/* y: [T, B, D*H] (or [B, T, D*H] with batch_first), may be NULL; h_n: [L*D, B, H], may be NULL.
 * Inputs are the caller's float arrays, as gru_forward takes them; no validation beyond asserts. */
void gru_oracle_forward(gru_oracle_precision prec, const gru_config *cfg, const gru_layer_weights *w,
                        const gru_forward_args *args, double *y, double *h_n);

/* max |a[i] - ref[i]| over n elements, with a given as float. */
double gru_oracle_max_err_f(const float *a, const double *ref, size_t n);
/* max |a[i] - ref[i]| over n elements, both double. */
double gru_oracle_max_err_d(const double *a, const double *ref, size_t n);

#endif /* GRU_TESTS_GRU_ORACLE_H */
