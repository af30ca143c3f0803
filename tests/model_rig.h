/* SPDX-License-Identifier: MIT
 * Helpers for the engine tests (forward, parity, bad input), on top of rig.h and the public API:
 * random weights for a config, a model created under a chosen ISA, the ISA list of this run. */
#ifndef GRU_TESTS_MODEL_RIG_H
#define GRU_TESTS_MODEL_RIG_H

#include <stddef.h>

#include "gru/gru.h"
#include "rig.h"

/* The ISAs this run checks: scalar first, then every SIMD ISA available (or emulated). */
int mrig_isas(gru_isa isas[GRU_ISA_COUNT]);

static inline size_t mrig_dirs(const gru_config *c) { return c->bidirectional ? 2 : 1; }
/* Input width of layer l: I for layer 0, D*H above. */
static inline size_t mrig_layer_input(const gru_config *c, size_t l) {
    return l ? mrig_dirs(c) * c->hidden_size : c->input_size;
}

/* Weights for every layer and direction in one block, each array at an odd float offset (the
 * API promises any alignment). Values uniform in [-scale/sqrt(H), scale/sqrt(H)], PyTorch's
 * initialisation for scale = 1; biases are allocated even when cfg.bias == 0 (and then ignored). */
typedef struct mrig_weights {
    gru_layer_weights *lw; /* L*D entries */
    float *block;
} mrig_weights;
void mrig_weights_random(mrig_weights *w, const gru_config *c, rig_rng *r, float scale);
void mrig_weights_free(mrig_weights *w);

/* Caps dispatch at `isa`, creates the model, asserts GRU_OK and that the model reports that
 * ISA and the config it was given. */
gru_model *mrig_model(const gru_config *c, const gru_layer_weights *lw, gru_isa isa);

/* Fills n floats with values uniform in [lo, hi]. */
void mrig_fill(rig_rng *r, float *p, size_t n, float lo, float hi);

#endif /* GRU_TESTS_MODEL_RIG_H */
