/* SPDX-License-Identifier: MIT
 * libFuzzer target: the safetensors reader from memory, every accessor on what it accepts, and GRU
 * loading. A rejected input must leave a message; an accepted one must keep its invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gru/gru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) abort();                                                                                             \
    } while (0)

static void load_gru(const gru_safetensors *st, const char *prefix) {
    gru_weights *w = NULL;
    if (gru_safetensors_load_gru(st, prefix, &w) != GRU_OK) {
        CHECK(gru_last_error()[0] && !w);
        return;
    }
    gru_weights_info info;
    CHECK(gru_weights_get_info(w, &info) == GRU_OK);
    const gru_config *c = &info.config;
    CHECK(c->input_size && c->hidden_size && c->num_layers);
    const size_t D = c->bidirectional ? 2 : 1, G = 3 * c->hidden_size;
    volatile float sink = 0;
    for (size_t l = 0; l < c->num_layers; l++)
        for (size_t d = 0; d < D; d++) {
            const gru_layer_weights *lw = &info.layers[l * D + d];
            const size_t in = l ? D * c->hidden_size : c->input_size;
            /* Touch the last element of each array: ASan checks the sizes. */
            sink += lw->w_ih[G * in - 1] + lw->w_hh[G * c->hidden_size - 1];
            CHECK(!c->bias == !lw->b_ih && !c->bias == !lw->b_hh);
            if (c->bias) sink += lw->b_ih[G - 1] + lw->b_hh[G - 1];
        }
    (void)sink;
    gru_weights_destroy(w);
}

static void fuzz_file(const uint8_t *data, size_t size) {
    gru_safetensors *st = NULL;
    if (gru_safetensors_open_memory(&st, data, size, "fuzz") != GRU_OK) {
        CHECK(gru_last_error()[0] && !st);
        return;
    }
    const size_t n = gru_safetensors_count(st);
    for (size_t i = 0; i < n; i++) {
        gru_tensor_info t;
        CHECK(gru_safetensors_info(st, i, &t) == GRU_OK);
        size_t numel = 1, found = n;
        for (size_t k = 0; k < t.rank; k++) numel *= t.shape[k];
        CHECK(numel == t.numel);
        CHECK(gru_safetensors_find(st, t.name, &found) == GRU_OK && found == i);
        /* Every element lies inside the input: at most size / 2 of them for 16-bit types. */
        const int convertible = t.dtype == GRU_DTYPE_F32 || t.dtype == GRU_DTYPE_F16 || t.dtype == GRU_DTYPE_BF16;
        CHECK(!convertible || t.numel <= size / 2);
        float *out = t.numel && convertible ? malloc(t.numel * sizeof *out) : NULL;
        const gru_status s = gru_safetensors_read_f32(st, i, out, t.numel);
        CHECK(convertible ? s == GRU_OK : s == GRU_ERR_UNSUPPORTED);
        free(out);
    }
    for (size_t i = 0; i < gru_safetensors_metadata_count(st); i++) {
        const char *k, *v, *v2;
        CHECK(gru_safetensors_metadata_at(st, i, &k, &v) == GRU_OK);
        CHECK(gru_safetensors_metadata(st, k, &v2) == GRU_OK && v2 && !strcmp(v, v2));
    }
    load_gru(st, NULL);
    load_gru(st, "gru");
    gru_safetensors_close(st);
}

/* Two encodings of an input. A raw file; or, when it starts with '{', the JSON header up to the
 * first NUL byte, then the data area: the 8-byte length is filled in, so mutations that resize the
 * JSON keep producing files whose header parses. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size || data[0] != '{') {
        fuzz_file(data, size);
        return 0;
    }
    const uint8_t *nul = memchr(data, 0, size);
    const size_t n = nul ? (size_t)(nul - data) : size, rest = nul ? size - n - 1 : 0;
    uint8_t *f = malloc(8 + n + rest);
    if (!f) return 0;
    for (int i = 0; i < 8; i++) f[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(f + 8, data, n);
    if (rest) memcpy(f + 8 + n, nul + 1, rest);
    fuzz_file(f, 8 + n + rest);
    free(f);
    return 0;
}
