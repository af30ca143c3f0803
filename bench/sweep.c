/* SPDX-License-Identifier: MIT */
#include "sweep.h"

#include <stdio.h>

#include "bench.h"
#include "data.h"

#define Q (GRU_BENCH_QUICK | GRU_BENCH_FULL)
#define F GRU_BENCH_FULL
#define SWEEP(H, B, T, sets)                                                                                           \
    { "sweep", H, H, B, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, sets, GRU_WEIGHTS_F32, 0 }
#define NAMED(name, I, H, B, T)                                                                                        \
    { name, I, H, B, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, Q, GRU_WEIGHTS_F32, 0 }
/* A streaming call: one step from the state the previous call left, so h0 is given (not zeros,
 * which would let libgru skip the step's W_hh product). */
#define STREAM(name, I, H, B, T)                                                                                       \
    { name, I, H, B, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, Q, GRU_WEIGHTS_F32, 1 }
/* The memory-bound B = 1 shapes with reduced-precision weights (issue #7). */
#define LOWP(H, T, sets)                                                                                               \
    { "sweep", H, H, 1, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, sets, GRU_WEIGHTS_F16, 0 },                             \
    { "sweep", H, H, 1, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, sets, GRU_WEIGHTS_BF16, 0 },                        \
    { "sweep", H, H, 1, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, sets, GRU_WEIGHTS_INT8, 0 },                        \
    { "sweep", H, H, 1, T, 1, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, sets, GRU_WEIGHTS_INT8_DYNAMIC, 0 }

/* batch x hidden x seq_len with input = hidden, then the named cases. The quick set: every
 * batch and hidden size at T = 16, the per-call floor (T = 1) at both ends, and T = 128 at the
 * two shapes whose weights live in L3 at small batch. B = 1, H = 2048, T = 16: fp32 weights (96 MiB)
 * far past L3. Reduced-precision weights at B = 1, T = 16 for H = 256, 1024, 2048. */
/* clang-format off */
static const gru_bench_shape shapes[] = {
    SWEEP(64, 1, 1, Q),     SWEEP(64, 1, 16, Q),    SWEEP(64, 1, 128, F),
    SWEEP(64, 8, 1, F),     SWEEP(64, 8, 16, Q),    SWEEP(64, 8, 128, F),
    SWEEP(64, 64, 1, F),    SWEEP(64, 64, 16, Q),   SWEEP(64, 64, 128, F),
    SWEEP(256, 1, 1, F),    SWEEP(256, 1, 16, Q),   SWEEP(256, 1, 128, Q),
    SWEEP(256, 8, 1, F),    SWEEP(256, 8, 16, Q),   SWEEP(256, 8, 128, F),
    SWEEP(256, 64, 1, F),   SWEEP(256, 64, 16, Q),  SWEEP(256, 64, 128, F),
    SWEEP(1024, 1, 1, F),   SWEEP(1024, 1, 16, Q),  SWEEP(1024, 1, 128, F),
    SWEEP(1024, 8, 1, F),   SWEEP(1024, 8, 16, Q),  SWEEP(1024, 8, 128, Q),
    SWEEP(1024, 64, 1, Q),  SWEEP(1024, 64, 16, Q), SWEEP(1024, 64, 128, F),
    SWEEP(2048, 1, 16, Q),
    LOWP(256, 16, Q),       LOWP(1024, 16, Q),      LOWP(2048, 16, Q),
    NAMED("predictor", 512, 64, 1, 8),
    NAMED("predictor", 512, 64, 32, 8),
    NAMED("deepspeech2", 1760, 1760, 1, 50),
    NAMED("deepbench", 1536, 1536, 4, 50),
    STREAM("stream", 256, 256, 1, 1),
};
/* clang-format on */

const gru_bench_shape *gru_bench_shapes(size_t *n) {
    *n = sizeof shapes / sizeof shapes[0];
    return shapes;
}

gru_config gru_bench_shape_config(const gru_bench_shape *s) {
    gru_config c = {s->I, s->H, s->L, s->D == 2, 1, s->variant, s->weights};
    return c;
}

void gru_bench_shape_key(const gru_bench_shape *s, char *buf, size_t len) {
    int k = snprintf(buf, len, "I%zu_H%zu_B%zu_T%zu", s->I, s->H, s->B, s->T);
    if (k > 0 && (size_t)k < len && s->L != 1) k += snprintf(buf + k, len - (size_t)k, "_L%zu", s->L);
    if (k > 0 && (size_t)k < len && s->D != 1) k += snprintf(buf + k, len - (size_t)k, "_D%d", s->D);
    if (k > 0 && (size_t)k < len && s->variant == GRU_VARIANT_RESET_BEFORE) k += snprintf(buf + k, len - (size_t)k, "_rb");
    if (k > 0 && (size_t)k < len && s->state) k += snprintf(buf + k, len - (size_t)k, "_h0");
    if (k > 0 && (size_t)k < len && s->weights != GRU_WEIGHTS_F32)
        snprintf(buf + k, len - (size_t)k, "_%s", gru_weight_type_name(s->weights));
}

const float *gru_bench_shape_h0(const gru_bench_shape *s) {
    return gru_bench_input_get(s->L * (size_t)s->D * s->B * s->H, 1);
}
