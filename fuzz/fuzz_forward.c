/* SPDX-License-Identifier: MIT
 * libFuzzer target: the engine's public calls on a configuration, arguments and data decoded from
 * the input (small sizes; lengths that may be out of range; values that may be NaN, inf, huge or
 * subnormal). A model is created under every ISA this CPU runs, scalar first. Every ISA must give
 * the scalar model's status for gru_model_create, gru_forward and gru_cell (last layer, either
 * direction); on success its outputs bit for bit (a NaN's sign and payload aside); on failure a
 * message and outputs untouched. For the SIMD ISAs an input bit sets 2 threads (the engine still
 * runs calls this small on one; tests/test_threads.c forces the splits). Guard words after every
 * output catch writes past the end. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gru/gru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) abort();                                                                                             \
    } while (0)

#define GUARD 16
#define SENTINEL 0x5Au

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned byte(reader *r) { return r->n ? (r->n--, *r->p++) : 0; }

/* Mostly ordinary values in [-2, 2); one in eight a special or extreme one. */
static float value(reader *r) {
    const unsigned sel = byte(r), v = byte(r);
    if (sel < 224) return ((float)v - 128.0f) / 64.0f;
    static const float special[8] = {NAN, -NAN, INFINITY, -INFINITY, -0.0f, 3.0e38f, -6.0e4f, 0x1p-140f};
    return special[sel % 8];
}

static float *floats(size_t n, size_t guard) {
    float *p = malloc((n + guard) * sizeof *p + 1);
    CHECK(p);
    memset(p, SENTINEL, (n + guard) * sizeof *p);
    return p;
}

static int untouched(const float *p, size_t n) {
    const unsigned char *c = (const unsigned char *)p;
    for (size_t i = 0; i < n * sizeof *p; i++)
        if (c[i] != SENTINEL) return 0;
    return 1;
}

static int same(const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(isnan(a[i]) && isnan(b[i])) && memcmp(a + i, b + i, sizeof *a)) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    gru_config cfg = {.input_size = 1 + byte(&r) % 19,
                      .hidden_size = 1 + byte(&r) % 37,
                      .num_layers = 1 + byte(&r) % 3,
                      .bidirectional = (int)(byte(&r) & 1),
                      .bias = (int)(byte(&r) & 1),
                      .variant = (gru_variant)(byte(&r) & 1),
                      .weights = (gru_weight_type)(byte(&r) % 5)};
    const unsigned flags = byte(&r);
    const size_t T = 1 + byte(&r) % 6, B = 1 + byte(&r) % 9, D = cfg.bidirectional ? 2 : 1, H = cfg.hidden_size;
    const size_t L = cfg.num_layers, I = cfg.input_size, nx = T * B * I, nh = L * D * B * H, ny = T * B * D * H;
    int64_t lengths[9];
    for (size_t b = 0; b < B; b++) lengths[b] = (int64_t)(byte(&r) % (T + 3)) - 1; /* -1 .. T + 1 */

    /* Weights: every entry's arrays back to back, then x and h0. */
    gru_layer_weights lw[6];
    size_t nw = 0;
    for (size_t l = 0; l < L; l++) nw += D * 3 * H * ((l ? D * H : I) + H + 2);
    float *w = floats(nw, 0), *x = floats(nx, 0), *h0 = floats(nh, 0);
    for (size_t i = 0; i < nw; i++) w[i] = value(&r);
    for (size_t i = 0; i < nx; i++) x[i] = value(&r);
    for (size_t i = 0; i < nh; i++) h0[i] = value(&r);
    float *q = w;
    for (size_t l = 0; l < L; l++)
        for (size_t d = 0; d < D; d++) {
            const size_t in = l ? D * H : I;
            lw[l * D + d] = (gru_layer_weights){q, q + 3 * H * in, q + 3 * H * (in + H), q + 3 * H * (in + H + 1)};
            q += 3 * H * (in + H + 2);
        }
    const gru_forward_args base = {.seq_len = T,
                                   .batch = B,
                                   .batch_first = (int)(flags & 1),
                                   .x = x,
                                   .h0 = flags & 2 ? h0 : NULL,
                                   .lengths = flags & 4 ? lengths : NULL};

    /* gru_cell on the last layer: its input width, a direction, B rows of x and h. */
    const size_t cl = L - 1, cin = cl ? D * H : I, cd = (flags >> 5) & (D - 1);
    float *cx = floats(B * cin, 0), *ch = floats(B * H, 0);
    for (size_t i = 0; i < B * cin; i++) cx[i] = value(&r);
    for (size_t i = 0; i < B * H; i++) ch[i] = value(&r);

    const gru_isa detected = gru_isa_detected();
    float *ref_y = floats(ny, GUARD), *ref_hn = floats(nh, GUARD), *ref_c = floats(B * H, GUARD);
    gru_status ref_create = GRU_OK, ref_fwd = GRU_OK, ref_cell = GRU_OK;
    for (int isa = GRU_ISA_SCALAR; isa <= GRU_ISA_NEON; isa++) {
        if (gru_set_max_isa((gru_isa)isa) != GRU_OK) continue;
        gru_model *m = NULL;
        const gru_status sc = gru_model_create(&m, &cfg, lw);
        if (isa == GRU_ISA_SCALAR) ref_create = sc;
        CHECK(sc == ref_create && !m == (sc != GRU_OK));
        if (sc != GRU_OK) {
            CHECK(gru_last_error()[0]);
            continue;
        }
        CHECK(gru_set_num_threads(isa && flags & 128 ? 2 : 1) == GRU_OK);
        float *y = isa ? floats(ny, GUARD) : ref_y, *hn = isa ? floats(nh, GUARD) : ref_hn;
        float *hc = isa ? floats(B * H, GUARD) : ref_c;
        gru_forward_args a = base;
        a.y = flags & 8 ? NULL : y;
        a.h_n = flags & 16 ? NULL : hn;
        const gru_status sf = gru_forward(m, &a, NULL, 0);
        if (isa == GRU_ISA_SCALAR) ref_fwd = sf;
        CHECK(sf == ref_fwd);
        CHECK(untouched(y + ny, GUARD) && untouched(hn + nh, GUARD));
        if (sf != GRU_OK || !a.y) CHECK(untouched(y, ny));
        if (sf != GRU_OK || !a.h_n) CHECK(untouched(hn, nh));
        if (sf != GRU_OK) CHECK(gru_last_error()[0]);
        if (isa && sf == GRU_OK) CHECK(same(y, ref_y, ny) && same(hn, ref_hn, nh));
        const gru_status scl = gru_cell(m, cl, (int)cd, B, cx, flags & 64 ? ch : NULL, hc, NULL, 0);
        if (isa == GRU_ISA_SCALAR) ref_cell = scl;
        CHECK(scl == ref_cell && untouched(hc + B * H, GUARD));
        if (scl != GRU_OK) CHECK(gru_last_error()[0] && untouched(hc, B * H));
        if (isa && scl == GRU_OK) CHECK(same(hc, ref_c, B * H));
        if (isa) free(y), free(hn), free(hc);
        gru_model_destroy(m);
    }
    CHECK(gru_set_max_isa(detected) == GRU_OK && gru_set_num_threads(1) == GRU_OK);
    free(ref_y), free(ref_hn), free(ref_c), free(w), free(x), free(h0), free(cx), free(ch);
    return 0;
}
