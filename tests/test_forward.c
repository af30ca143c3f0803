/* SPDX-License-Identifier: MIT
 * gru_forward and gru_cell through the public API, checkasm-style: a model created under every
 * ISA of this run must give memcmp-equal y and h_n to the model created under the scalar
 * reference, on random configurations (odd sizes, batches past two tiles, lengths 0..T, 1-3
 * layers, both directions and variants, optional bias/h0/lengths/outputs, batch_first).
 * Also: a caller workspace of exactly the queried size equals a NULL workspace, one byte less
 * is GRU_ERR_WORKSPACE; gru_cell is one step of gru_forward on every layer and direction,
 * h_out may alias h; one sequence gives the same bits alone and at every position of a batch;
 * h0 NULL (the first step skips W_hh) gives the bits of an h0 of signed zeros.
 * Seeded by the rig (GRU_TEST_SEED replays a run); GRU_TEST_SCALE scales the configuration
 * count (never below 50; 200 natively, 60 under emulation, i.e. when GRU_TEST_REQUIRE is set). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_rig.h"
#include "weights.h"

#define SHARDS 4
#define SENTINEL 0xFF /* a NaN pattern: outputs that should be written and are not stay NaN */

typedef struct fcase {
    gru_config cfg;
    size_t T, B;
    int batch_first, has_h0, has_lengths, want_y, want_hn;
    float wscale;
} fcase;

/* Widths around every vector width (4, 8, 16) and batch tile, primes, and two larger odd ones. */
static const size_t hidden_sizes[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 63, 64, 65, 100, 257};
static const size_t input_sizes[] = {1, 2, 3, 7, 16, 17, 31, 33, 100, 257};

static size_t pick(rig_rng *r, const size_t *a, size_t n) { return a[rig_below(r, (uint32_t)n)]; }

static double mac_count(const fcase *f) {
    double m = 0;
    for (size_t l = 0; l < f->cfg.num_layers; l++)
        m += 3.0 * (double)f->cfg.hidden_size * (double)(mrig_layer_input(&f->cfg, l) + f->cfg.hidden_size);
    return m * (double)(mrig_dirs(&f->cfg) * f->B * f->T);
}

static fcase random_case(rig_rng *r, double mac_budget) {
    fcase f;
    memset(&f, 0, sizeof f);
    f.cfg.input_size = pick(r, input_sizes, sizeof input_sizes / sizeof *input_sizes);
    f.cfg.hidden_size = pick(r, hidden_sizes, sizeof hidden_sizes / sizeof *hidden_sizes);
    f.cfg.num_layers = 1 + rig_below(r, 3);
    f.cfg.bidirectional = (int)rig_below(r, 2);
    f.cfg.bias = rig_below(r, 4) != 0;
    f.cfg.variant = (gru_variant)rig_below(r, 2);
    f.T = rig_below(r, 4) ? 1 + rig_below(r, 12) : 1;
    f.B = 1 + rig_below(r, 20);
    f.batch_first = (int)rig_below(r, 2);
    f.has_h0 = rig_below(r, 3) != 0;
    f.has_lengths = rig_below(r, 3) != 0;
    const uint32_t outs = rig_below(r, 8); /* mostly both outputs, sometimes only one */
    f.want_y = outs != 6;
    f.want_hn = outs != 7;
    f.wscale = rig_below(r, 4) ? 1.0f : 4.0f; /* 4: pre-activations reach saturation */
    f.cfg.weights = (gru_weight_type)rig_below(r, GRU_WEIGHT_TYPES); /* each storage type equally often */
    /* Keep the drawn widths; shrink T, then B, then L until the forward fits the budget. */
    while (mac_count(&f) > mac_budget && f.T > 1) f.T = (f.T + 1) / 2;
    while (mac_count(&f) > mac_budget && f.B > 1) f.B = (f.B + 1) / 2;
    while (mac_count(&f) > mac_budget && f.cfg.num_layers > 1) f.cfg.num_layers--;
    return f;
}

static const char *describe(const fcase *f) {
    static char s[300];
    snprintf(s, sizeof s,
             "I=%zu H=%zu L=%zu D=%zu bias=%d variant=%d weights=%s T=%zu B=%zu batch_first=%d h0=%d lengths=%d y=%d "
             "h_n=%d wscale=%g (GRU_TEST_SEED=%llu)",
             f->cfg.input_size, f->cfg.hidden_size, f->cfg.num_layers, mrig_dirs(&f->cfg), f->cfg.bias,
             (int)f->cfg.variant, gru_weight_type_name(f->cfg.weights), f->T, f->B, f->batch_first, f->has_h0, f->has_lengths, f->want_y, f->want_hn,
             (double)f->wscale, (unsigned long long)rig_seed());
    return s;
}

static size_t count_y(const fcase *f) { return f->T * f->B * mrig_dirs(&f->cfg) * f->cfg.hidden_size; }
static size_t count_hn(const fcase *f) { return f->cfg.num_layers * mrig_dirs(&f->cfg) * f->B * f->cfg.hidden_size; }

/* Inputs of one case, kept unchanged copies to check that forward treats them as const. */
typedef struct finputs {
    mrig_weights w;
    float *x, *h0;
    int64_t *lengths;
    float *x_copy, *h0_copy;
    int64_t *lengths_copy;
} finputs;

static int64_t random_length(rig_rng *r, size_t T) {
    switch (rig_below(r, 4)) {
    case 0:
        return 0;
    case 1:
        return (int64_t)T;
    default:
        return (int64_t)rig_below(r, (uint32_t)T + 1);
    }
}

static void inputs_make(finputs *in, const fcase *f, rig_rng *r) {
    memset(in, 0, sizeof *in);
    mrig_weights_random(&in->w, &f->cfg, r, f->wscale);
    const size_t nx = f->T * f->B * f->cfg.input_size, nh = count_hn(f);
    in->x = rig_alloc(nx, rig_below(r, 16));
    mrig_fill(r, in->x, nx, -2.0f, 2.0f);
    in->x_copy = malloc(nx * sizeof(float));
    memcpy(in->x_copy, in->x, nx * sizeof(float));
    if (f->has_h0) {
        in->h0 = rig_alloc(nh, rig_below(r, 16));
        mrig_fill(r, in->h0, nh, -1.0f, 1.0f);
        in->h0_copy = malloc(nh * sizeof(float));
        memcpy(in->h0_copy, in->h0, nh * sizeof(float));
    }
    if (f->has_lengths) {
        in->lengths = malloc(f->B * sizeof *in->lengths);
        in->lengths_copy = malloc(f->B * sizeof *in->lengths);
        for (size_t b = 0; b < f->B; b++) in->lengths[b] = random_length(r, f->T);
        memcpy(in->lengths_copy, in->lengths, f->B * sizeof *in->lengths);
    }
}

static void inputs_check_unchanged(const finputs *in, const fcase *f) {
    cr_assert(!memcmp(in->x, in->x_copy, f->T * f->B * f->cfg.input_size * sizeof(float)), "x was modified");
    if (in->h0) cr_assert(!memcmp(in->h0, in->h0_copy, count_hn(f) * sizeof(float)), "h0 was modified");
    if (in->lengths) cr_assert(!memcmp(in->lengths, in->lengths_copy, f->B * sizeof(int64_t)), "lengths was modified");
}

static void inputs_free(finputs *in) {
    mrig_weights_free(&in->w);
    rig_free(in->x), rig_free(in->h0);
    free(in->lengths), free(in->x_copy), free(in->h0_copy), free(in->lengths_copy);
}

static gru_forward_args make_args(const fcase *f, const finputs *in, float *y, float *h_n) {
    return (gru_forward_args){.seq_len = f->T,
                              .batch = f->B,
                              .batch_first = f->batch_first,
                              .x = in->x,
                              .h0 = in->h0,
                              .lengths = in->lengths,
                              .y = y,
                              .h_n = h_n};
}

/* Asserts memcmp equality, naming the first differing element. */
static void expect_same(const float *got, const float *ref, size_t n, const char *what, gru_isa isa, const fcase *f,
                        int index) {
    if (!memcmp(got, ref, n * sizeof *got)) return;
    size_t i = 0;
    while (!memcmp(got + i, ref + i, sizeof *got)) i++;
    cr_assert_fail("%s on %s differs from scalar at element %zu of %zu (%a vs %a); config #%d: %s", what,
                   gru_isa_name(isa), i, n, (double)got[i], (double)ref[i], index, describe(f));
}

static float *alloc_sentinel(rig_rng *r, size_t n) {
    float *p = rig_alloc(n, rig_below(r, 16));
    memset(p, SENTINEL, n * sizeof *p);
    return p;
}

static int all_sentinel(const float *p, size_t n) {
    const unsigned char *c = (const unsigned char *)p;
    for (size_t i = 0; i < n * sizeof *p; i++)
        if (c[i] != SENTINEL) return 0;
    return 1;
}

/* Packed-sequence semantics of the reference outputs (checks the definition, not an ISA):
 * y is +-0 past lengths[b], finite before; the last layer's h_n is y at the last valid step
 * (forward) or at step 0 (reverse); an empty item's h_n is h0 (or zeros) on every layer. */
static void check_semantics(const fcase *f, const finputs *in, const float *y, const float *hn, int index) {
    const size_t T = f->T, B = f->B, H = f->cfg.hidden_size, D = mrig_dirs(&f->cfg), L = f->cfg.num_layers;
    for (size_t b = 0; b < B; b++) {
        const size_t len = in->lengths ? (size_t)in->lengths[b] : T;
        for (size_t t = 0; t < T; t++) {
            const float *row = y + (f->batch_first ? b * T + t : t * B + b) * D * H;
            for (size_t j = 0; j < D * H; j++) {
                if (t >= len)
                    cr_assert(row[j] == 0.0f, "y[t=%zu, b=%zu, %zu] = %a past length %zu; config #%d: %s", t, b, j,
                              (double)row[j], len, index, describe(f));
                else
                    cr_assert(isfinite(row[j]), "y[t=%zu, b=%zu, %zu] = %a; config #%d: %s", t, b, j, (double)row[j],
                              index, describe(f));
            }
        }
        for (size_t d = 0; d < D && len > 0; d++) {
            const size_t t = d ? 0 : len - 1;
            const float *row = y + (f->batch_first ? b * T + t : t * B + b) * D * H + d * H;
            cr_assert(!memcmp(row, hn + (((L - 1) * D + d) * B + b) * H, H * sizeof(float)),
                      "h_n of the last layer, direction %zu, item %zu is not y at its last step; config #%d: %s", d, b,
                      index, describe(f));
        }
        for (size_t ld = 0; ld < L * D && len == 0; ld++)
            for (size_t j = 0; j < H; j++) {
                const float want = in->h0 ? in->h0[(ld * B + b) * H + j] : 0.0f;
                cr_assert(!memcmp(&hn[(ld * B + b) * H + j], &want, sizeof want),
                          "item %zu has length 0 but h_n[%zu] is not h0; config #%d: %s", b, ld, index, describe(f));
            }
    }
}

static int config_count(void) {
    const char *req = getenv("GRU_TEST_REQUIRE"), *sc = getenv("GRU_TEST_SCALE");
    double n = req && *req ? 60 : 200;
    if (sc && *sc) n *= atof(sc);
    return n < 50 ? 50 : (int)n;
}

static void run_ok(const gru_model *m, const gru_forward_args *a, gru_isa isa, const fcase *f, int index) {
    const gru_status s = gru_forward(m, a, NULL, 0);
    cr_assert(s == GRU_OK, "gru_forward on %s: %s (%s); config #%d: %s", gru_isa_name(isa), gru_status_str(s),
              gru_last_error(), index, describe(f));
}

ParameterizedTestParameters(forward, random_configs) {
    static int shards[SHARDS] = {0, 1, 2, 3};
    return cr_make_param_array(int, shards, SHARDS);
}

/* Each shard runs its share of the configurations from its own stream, so shards run in parallel. */
ParameterizedTest(int *shard, forward, random_configs) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas), total = config_count();
    const int first = *shard * total / SHARDS, last = (*shard + 1) * total / SHARDS;
    rig_rng r = rig_rng_init(100 + (uint64_t)*shard);
    size_t compared = 0;
    for (int c = first; c < last; c++) {
        const fcase f = random_case(&r, 1.0e6);
        finputs in;
        inputs_make(&in, &f, &r);
        const size_t ny = count_y(&f), nh = count_hn(&f);
        /* The reference: the scalar model, both outputs. */
        float *ref_y = alloc_sentinel(&r, ny), *ref_hn = alloc_sentinel(&r, nh);
        gru_model *m0 = mrig_model(&f.cfg, in.w.lw, GRU_ISA_SCALAR);
        gru_forward_args a = make_args(&f, &in, ref_y, ref_hn);
        run_ok(m0, &a, GRU_ISA_SCALAR, &f, c);
        rig_check_guard(ref_y, "y"), rig_check_guard(ref_hn, "h_n");
        check_semantics(&f, &in, ref_y, ref_hn, c);
        a = make_args(&f, &in, NULL, NULL); /* nothing asked for: still a valid call */
        run_ok(m0, &a, GRU_ISA_SCALAR, &f, c);
        gru_model_destroy(m0);
        /* Every ISA, scalar included, with the case's choice of outputs (NULL y or h_n). */
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            float *y = f.want_y ? alloc_sentinel(&r, ny) : NULL, *hn = f.want_hn ? alloc_sentinel(&r, nh) : NULL;
            a = make_args(&f, &in, y, hn);
            run_ok(m, &a, isas[k], &f, c);
            if (y) expect_same(y, ref_y, ny, "y", isas[k], &f, c), rig_check_guard(y, "y"), compared++;
            if (hn) expect_same(hn, ref_hn, nh, "h_n", isas[k], &f, c), rig_check_guard(hn, "h_n"), compared++;
            inputs_check_unchanged(&in, &f);
            rig_free(y), rig_free(hn);
            gru_model_destroy(m);
        }
        rig_free(ref_y), rig_free(ref_hn);
        inputs_free(&in);
    }
    cr_assert(compared > 0);
    cr_log_info("forward shard %d: %d configurations x %d ISAs (scalar + %d SIMD), %zu outputs memcmp-equal to "
                "the scalar model",
                *shard, last - first, nisa, nisa - 1, compared);
}

/* Extreme finite data: some weights, inputs and initial states replaced by values up to the
 * largest the storage type takes (fp16 6.5e4, else 3.4e38), so sums overflow to inf and inf meets
 * inf or 0 inside the chains. Every ISA must still give the scalar model's bits, except that a
 * NaN's payload and sign are not specified: where the reference has a NaN, so must every ISA. */
static float extreme(rig_rng *r, gru_weight_type t) {
    static const float big[] = {1.0e4f, 6.0e4f, 1.0e20f, 1.0e30f, 3.0e38f, 0x1.FEp127f};
    const size_t n = t == GRU_WEIGHTS_F16 ? 2 : sizeof big / sizeof *big;
    const float v = big[rig_below(r, (uint32_t)n)];
    return rig_below(r, 2) ? v : -v;
}

static void sprinkle(rig_rng *r, float *p, size_t n, gru_weight_type t) {
    const size_t count = 1 + n / 16;
    for (size_t i = 0; i < count; i++) p[rig_below(r, (uint32_t)n)] = extreme(r, t);
}

static void expect_same_or_nan(const float *got, const float *ref, size_t n, const char *what, gru_isa isa,
                               const fcase *f, int index, size_t *nans) {
    for (size_t i = 0; i < n; i++) {
        if (isnan(ref[i]) && isnan(got[i])) {
            ++*nans;
            continue;
        }
        if (memcmp(got + i, ref + i, sizeof *got))
            cr_assert_fail("%s on %s differs from scalar at element %zu of %zu (%a vs %a); extreme config #%d: %s",
                           what, gru_isa_name(isa), i, n, (double)got[i], (double)ref[i], index, describe(f));
    }
}

Test(forward, extreme_values) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(250);
    size_t compared = 0, nans = 0, infs = 0;
    for (int c = 0; c < 60; c++) {
        const fcase f = random_case(&r, 2.0e5);
        finputs in;
        inputs_make(&in, &f, &r);
        for (size_t i = 0; i < f.cfg.num_layers * mrig_dirs(&f.cfg); i++) {
            const size_t H = f.cfg.hidden_size, cols = mrig_layer_input(&f.cfg, i / mrig_dirs(&f.cfg));
            sprinkle(&r, (float *)in.w.lw[i].w_ih, 3 * H * cols, f.cfg.weights);
            sprinkle(&r, (float *)in.w.lw[i].w_hh, 3 * H * H, f.cfg.weights);
            sprinkle(&r, (float *)in.w.lw[i].b_ih, 3 * H, GRU_WEIGHTS_F32);
            sprinkle(&r, (float *)in.w.lw[i].b_hh, 3 * H, GRU_WEIGHTS_F32);
        }
        sprinkle(&r, in.x, f.T * f.B * f.cfg.input_size, GRU_WEIGHTS_F32);
        if (in.h0) sprinkle(&r, in.h0, count_hn(&f), GRU_WEIGHTS_F32);
        const size_t ny = count_y(&f), nh = count_hn(&f);
        float *ref_y = alloc_sentinel(&r, ny), *ref_hn = alloc_sentinel(&r, nh);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            float *y = k ? alloc_sentinel(&r, ny) : ref_y, *hn = k ? alloc_sentinel(&r, nh) : ref_hn;
            gru_forward_args a = make_args(&f, &in, y, hn);
            run_ok(m, &a, isas[k], &f, c);
            rig_check_guard(y, "y"), rig_check_guard(hn, "h_n");
            if (k) {
                expect_same_or_nan(y, ref_y, ny, "y", isas[k], &f, c, &nans);
                expect_same_or_nan(hn, ref_hn, nh, "h_n", isas[k], &f, c, &nans);
                compared += 2;
                rig_free(y), rig_free(hn);
            } else {
                for (size_t i = 0; i < ny; i++) infs += isinf(ref_y[i]) || isnan(ref_y[i]);
            }
            gru_model_destroy(m);
        }
        rig_free(ref_y), rig_free(ref_hn);
        inputs_free(&in);
    }
    cr_assert(nisa == 1 || compared > 0);
    cr_assert(infs > 0, "no output overflowed: the extreme values exercised nothing");
    cr_log_info("extreme values: 60 configurations x %d ISAs; %zu outputs equal to scalar (%zu NaN elements on both "
                "sides); %zu reference y elements inf or NaN",
                nisa, compared, nans, infs);
}

/* A zero initial state (h0 NULL, gru_cell's h NULL) lets the first step skip its products with
 * W_hh (gates.h). It must give the bits of the full products with an h0 of signed zeros: on every
 * ISA, each type and variant, with lengths, and with data made to produce zero chains of either
 * sign (x rows and biases of +-0, some zero weights) and, in half the cases, extreme values. */
static float signed_zero(rig_rng *r) { return rig_below(r, 2) ? 0.0f : -0.0f; }

Test(forward, zero_state_skip) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(275);
    size_t compared = 0, nans = 0;
    for (int c = 0; c < 80; c++) {
        fcase f = random_case(&r, 2.0e5);
        f.has_h0 = 1, f.want_y = f.want_hn = 1;
        finputs in;
        inputs_make(&in, &f, &r);
        const size_t H = f.cfg.hidden_size, I = f.cfg.input_size, nx = f.T * f.B * I, nh = count_hn(&f);
        for (size_t i = 0; i < f.cfg.num_layers * mrig_dirs(&f.cfg); i++) {
            const size_t cols = mrig_layer_input(&f.cfg, i / mrig_dirs(&f.cfg));
            float *b_ih = (float *)in.w.lw[i].b_ih, *b_hh = (float *)in.w.lw[i].b_hh;
            for (size_t j = 0; j < 3 * H; j++) {
                if (rig_below(&r, 2)) b_ih[j] = signed_zero(&r);
                if (rig_below(&r, 2)) b_hh[j] = signed_zero(&r);
            }
            float *w_hh = (float *)in.w.lw[i].w_hh;
            for (size_t j = 0; j < 3 * H * H / 8 + 1; j++) w_hh[rig_below(&r, (uint32_t)(3 * H * H))] = signed_zero(&r);
            if (c % 2) {
                sprinkle(&r, (float *)in.w.lw[i].w_ih, 3 * H * cols, f.cfg.weights);
                sprinkle(&r, w_hh, 3 * H * H, f.cfg.weights);
            }
        }
        for (size_t row = 0; row < f.T * f.B; row++) /* rows of x all +-0: zero projections */
            if (rig_below(&r, 3) == 0)
                for (size_t k = 0; k < I; k++) in.x[row * I + k] = signed_zero(&r);
        if (c % 2) sprinkle(&r, in.x, nx, GRU_WEIGHTS_F32);
        /* Signed zeros in h0 in every other case; an empty item's h_n is h0 itself, so those
         * cases have no empty items. */
        for (size_t i = 0; i < nh; i++) in.h0[i] = c % 4 < 2 ? 0.0f : signed_zero(&r);
        for (size_t b = 0; in.lengths && c % 4 >= 2 && b < f.B; b++) in.lengths[b] += in.lengths[b] == 0;
        const size_t ny = count_y(&f), B = f.B, D = mrig_dirs(&f.cfg);
        float *y0 = alloc_sentinel(&r, ny), *hn0 = alloc_sentinel(&r, nh);
        float *y1 = alloc_sentinel(&r, ny), *hn1 = alloc_sentinel(&r, nh);
        float *cell0 = alloc_sentinel(&r, B * H), *cell1 = alloc_sentinel(&r, B * H);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            gru_forward_args a = make_args(&f, &in, y1, hn1); /* h0 of signed zeros: the full products */
            run_ok(m, &a, isas[k], &f, c);
            a.h0 = NULL, a.y = y0, a.h_n = hn0; /* the skip */
            run_ok(m, &a, isas[k], &f, c);
            expect_same_or_nan(y0, y1, ny, "y (h0 NULL vs signed zeros)", isas[k], &f, c, &nans);
            expect_same_or_nan(hn0, hn1, nh, "h_n (h0 NULL vs signed zeros)", isas[k], &f, c, &nans);
            for (size_t d = 0; d < D; d++) {
                gru_status st = gru_cell(m, 0, (int)d, B, in.x, NULL, cell0, NULL, 0);
                cr_assert(st == GRU_OK, "gru_cell, h NULL: %s", gru_last_error());
                st = gru_cell(m, 0, (int)d, B, in.x, in.h0 + d * B * H, cell1, NULL, 0);
                cr_assert(st == GRU_OK, "gru_cell, h zeros: %s", gru_last_error());
                expect_same_or_nan(cell0, cell1, B * H, "gru_cell (h NULL vs signed zeros)", isas[k], &f, c,
                                   &nans);
            }
            rig_check_guard(y0, "y"), rig_check_guard(hn0, "h_n"), rig_check_guard(cell0, "h_out");
            compared += 2 + D;
            gru_model_destroy(m);
        }
        rig_free(y0), rig_free(hn0), rig_free(y1), rig_free(hn1), rig_free(cell0), rig_free(cell1);
        inputs_free(&in);
    }
    cr_assert(compared > 0);
    cr_log_info("zero state: 80 configurations x %d ISAs, %zu outputs of the skipped first step equal to the full "
                "products (%zu NaN elements on both sides)",
                nisa, compared, nans);
}

/* Workspace: exactly the queried size (odd address, filled with NaN, guarded) gives the NULL
 * workspace's bits; one byte less is GRU_ERR_WORKSPACE and writes nothing. */
static unsigned char *workspace_alloc(size_t bytes) {
    unsigned char *base = malloc(bytes + 1 + 64);
    cr_assert(base, "out of memory");
    memset(base, SENTINEL, bytes + 1);
    memset(base + 1 + bytes, 0xA5, 64);
    return base;
}

static void workspace_check_guard(const unsigned char *base, size_t bytes) {
    for (size_t i = 0; i < 64; i++)
        cr_assert(base[1 + bytes + i] == 0xA5, "write past the end of a %zu-byte workspace", bytes);
}

Test(forward, caller_workspace) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(200);
    int configs = 0, too_small = 0;
    for (int c = 0; c < 24; c++, configs++) {
        const fcase f = random_case(&r, 2.0e5);
        finputs in;
        inputs_make(&in, &f, &r);
        const size_t ny = count_y(&f), nh = count_hn(&f), H = f.cfg.hidden_size, B = f.B;
        float *ref_y = alloc_sentinel(&r, ny), *ref_hn = alloc_sentinel(&r, nh);
        float *ref_cell = alloc_sentinel(&r, B * H);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            float *y = alloc_sentinel(&r, ny), *hn = alloc_sentinel(&r, nh), *hc = alloc_sentinel(&r, B * H);
            gru_forward_args a = make_args(&f, &in, k ? y : ref_y, k ? hn : ref_hn);
            if (!k) run_ok(m, &a, isas[k], &f, c); /* the NULL-workspace reference */
            if (!k)
                cr_assert(gru_cell(m, 0, 0, B, in.x, in.h0, ref_cell, NULL, 0) == GRU_OK, "gru_cell: %s",
                          gru_last_error());
            a.y = y, a.h_n = hn;
            size_t ws = 0;
            cr_assert(gru_forward_workspace_size(m, f.T, B, &ws) == GRU_OK, "%s", gru_last_error());
            unsigned char *base = workspace_alloc(ws);
            gru_status s = gru_forward(m, &a, base + 1, ws);
            cr_assert(s == GRU_OK, "gru_forward with a %zu-byte workspace on %s: %s (%s)", ws, gru_isa_name(isas[k]),
                      gru_status_str(s), gru_last_error());
            workspace_check_guard(base, ws);
            expect_same(y, ref_y, ny, "y (caller workspace)", isas[k], &f, c);
            expect_same(hn, ref_hn, nh, "h_n (caller workspace)", isas[k], &f, c);
            if (ws > 0) {
                memset(y, SENTINEL, ny * sizeof *y), memset(hn, SENTINEL, nh * sizeof *hn);
                s = gru_forward(m, &a, base + 1, ws - 1);
                cr_assert(s == GRU_ERR_WORKSPACE, "gru_forward with %zu of %zu workspace bytes on %s: %s", ws - 1, ws,
                          gru_isa_name(isas[k]), gru_status_str(s));
                cr_assert(gru_last_error()[0], "no message for GRU_ERR_WORKSPACE");
                cr_assert(all_sentinel(y, ny) && all_sentinel(hn, nh), "a failing gru_forward wrote its outputs");
                too_small++;
            }
            free(base);
            /* The same for gru_cell on layer 0, direction 0 with the first step's inputs. */
            cr_assert(gru_cell_workspace_size(m, B, &ws) == GRU_OK, "%s", gru_last_error());
            base = workspace_alloc(ws);
            s = gru_cell(m, 0, 0, B, in.x, in.h0, hc, base + 1, ws);
            cr_assert(s == GRU_OK, "gru_cell with a %zu-byte workspace: %s (%s)", ws, gru_status_str(s),
                      gru_last_error());
            workspace_check_guard(base, ws);
            expect_same(hc, ref_cell, B * H, "gru_cell (caller workspace)", isas[k], &f, c);
            if (ws > 0) {
                memset(hc, SENTINEL, B * H * sizeof *hc);
                s = gru_cell(m, 0, 0, B, in.x, in.h0, hc, base + 1, ws - 1);
                cr_assert(s == GRU_ERR_WORKSPACE, "gru_cell with %zu of %zu workspace bytes: %s", ws - 1, ws,
                          gru_status_str(s));
                cr_assert(all_sentinel(hc, B * H), "a failing gru_cell wrote h_out");
                too_small++;
            }
            free(base);
            rig_check_guard(y, "y"), rig_check_guard(hn, "h_n"), rig_check_guard(hc, "h_out");
            rig_free(y), rig_free(hn), rig_free(hc);
            gru_model_destroy(m);
        }
        rig_free(ref_y), rig_free(ref_hn), rig_free(ref_cell);
        inputs_free(&in);
    }
    cr_log_info("caller workspace: %d configurations x %d ISAs equal to NULL workspace; %d too-small checks", configs,
                nisa, too_small);
}

/* gru_cell on layer l, direction d, with the inputs that layer sees at the single step of a
 * T = 1 forward (layer 0: x; layer l > 0: the D directions of layer l-1's output), must give
 * that forward's h_n[l*D+d] bit for bit, also in place (h_out == h). */
Test(forward, cell_is_one_step) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(300);
    int configs = 0, cells = 0;
    for (int c = 0; c < 40; c++, configs++) {
        fcase f = random_case(&r, 3.0e5);
        f.T = 1, f.has_lengths = 0, f.want_y = f.want_hn = 1;
        finputs in;
        inputs_make(&in, &f, &r);
        const size_t H = f.cfg.hidden_size, B = f.B, D = mrig_dirs(&f.cfg), L = f.cfg.num_layers;
        const size_t ny = count_y(&f), nh = count_hn(&f);
        float *ref_y = alloc_sentinel(&r, ny), *ref_hn = alloc_sentinel(&r, nh);
        gru_model *m0 = mrig_model(&f.cfg, in.w.lw, GRU_ISA_SCALAR);
        gru_forward_args a = make_args(&f, &in, ref_y, ref_hn);
        run_ok(m0, &a, GRU_ISA_SCALAR, &f, c);
        gru_model_destroy(m0);
        /* With T = 1, y is the last layer's h_n, directions side by side. */
        for (size_t b = 0; b < B; b++)
            for (size_t d = 0; d < D; d++)
                cr_assert(!memcmp(ref_y + (b * D + d) * H, ref_hn + (((L - 1) * D + d) * B + b) * H, H * sizeof(float)),
                          "T = 1: y is not the last layer's h_n; config #%d: %s", c, describe(&f));
        const size_t wmax = f.cfg.input_size > D * H ? f.cfg.input_size : D * H;
        float *xl = rig_alloc(B * wmax, 1), *out = alloc_sentinel(&r, B * H);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            for (size_t l = 0; l < L; l++) {
                const size_t il = mrig_layer_input(&f.cfg, l);
                for (size_t b = 0; b < B; b++)
                    for (size_t d = 0; d < D && l > 0; d++)
                        memcpy(xl + b * il + d * H, ref_hn + (((l - 1) * D + d) * B + b) * H, H * sizeof(float));
                const float *x = l ? xl : in.x;
                for (size_t d = 0; d < D; d++) {
                    const float *h = in.h0 ? in.h0 + (l * D + d) * B * H : NULL;
                    const float *want = ref_hn + (l * D + d) * B * H;
                    char what[64];
                    snprintf(what, sizeof what, "gru_cell(layer %zu, reverse %zu)", l, d);
                    memset(out, SENTINEL, B * H * sizeof *out);
                    gru_status s = gru_cell(m, l, (int)d, B, x, h, out, NULL, 0);
                    cr_assert(s == GRU_OK, "%s: %s (%s)", what, gru_status_str(s), gru_last_error());
                    expect_same(out, want, B * H, what, isas[k], &f, c);
                    /* In place: h_out aliases h. */
                    if (h)
                        memcpy(out, h, B * H * sizeof *out);
                    else
                        memset(out, 0, B * H * sizeof *out);
                    s = gru_cell(m, l, (int)d, B, x, h ? out : NULL, out, NULL, 0);
                    cr_assert(s == GRU_OK, "%s in place: %s (%s)", what, gru_status_str(s), gru_last_error());
                    snprintf(what, sizeof what, "gru_cell(layer %zu, reverse %zu) in place", l, d);
                    expect_same(out, want, B * H, what, isas[k], &f, c);
                    rig_check_guard(out, "h_out");
                    cells++;
                }
            }
            gru_model_destroy(m);
        }
        rig_free(xl), rig_free(out), rig_free(ref_y), rig_free(ref_hn);
        inputs_free(&in);
    }
    cr_log_info("gru_cell: %d configurations, %d layer/direction cells x 2 (in place) over %d ISAs equal to "
                "gru_forward's step",
                configs, cells, nisa);
}

/* One probe sequence, run alone on the scalar model, against the same sequence at every
 * position of a batch of B = 19 mixed-length items (lengths 0 and T among them) on every ISA,
 * with the probe's own length cycling through T, 0, 3, 1. */
#define INV_B 19
#define INV_T 7
Test(forward, batch_invariance) {
    static const size_t probe_len[4] = {INV_T, 0, 3, 1};
    static const size_t widths[GRU_WEIGHT_TYPES][2] = {{17, 33}, {5, 9}, {31, 16}, {3, 65}, {11, 47}}; /* (I, H) */
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(400);
    int checked = 0;
    for (int combo = 0; combo < GRU_WEIGHT_TYPES; combo++) {
        fcase f;
        memset(&f, 0, sizeof f);
        f.cfg = (gru_config){.input_size = widths[combo][0],
                             .hidden_size = widths[combo][1],
                             .num_layers = 2,
                             .bidirectional = combo & 1,
                             .bias = 1,
                             .variant = (gru_variant)(combo >> 1 & 1),
                             .weights = (gru_weight_type)combo}; /* each storage type once */
        f.T = INV_T, f.B = INV_B, f.batch_first = (int)rig_below(&r, 2), f.has_h0 = 1, f.has_lengths = 1;
        f.want_y = f.want_hn = 1, f.wscale = 1.0f;
        const size_t I = f.cfg.input_size, H = f.cfg.hidden_size, D = mrig_dirs(&f.cfg), LD = 2 * D, T = INV_T;
        finputs in; /* the batch: background items, the probe's slot rewritten per position */
        inputs_make(&in, &f, &r);
        in.lengths[0] = 0, in.lengths[1] = (int64_t)T;
        float *px = malloc(T * I * sizeof *px), *ph0 = malloc(LD * H * sizeof *ph0);
        mrig_fill(&r, px, T * I, -2.0f, 2.0f);
        mrig_fill(&r, ph0, LD * H, -1.0f, 1.0f);
        /* Alone (B = 1; [T, 1, I] and [1, T, I] are the same layout). */
        float *alone_y[4], *alone_hn[4];
        gru_model *m0 = mrig_model(&f.cfg, in.w.lw, GRU_ISA_SCALAR);
        for (int q = 0; q < 4; q++) {
            alone_y[q] = alloc_sentinel(&r, T * D * H), alone_hn[q] = alloc_sentinel(&r, LD * H);
            const int64_t len = (int64_t)probe_len[q];
            const gru_forward_args a = {.seq_len = T,
                                        .batch = 1,
                                        .batch_first = f.batch_first,
                                        .x = px,
                                        .h0 = ph0,
                                        .lengths = &len,
                                        .y = alone_y[q],
                                        .h_n = alone_hn[q]};
            run_ok(m0, &a, GRU_ISA_SCALAR, &f, combo);
        }
        gru_model_destroy(m0);
        float *y = alloc_sentinel(&r, count_y(&f)), *hn = alloc_sentinel(&r, count_hn(&f));
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, in.w.lw, isas[k]);
            for (size_t p = 0; p < INV_B; p++) {
                const int q = (int)(p % 4);
                finputs b = in; /* the background with the probe at position p */
                b.x = rig_alloc(T * INV_B * I, 0), b.h0 = rig_alloc(LD * INV_B * H, 0);
                int64_t lens[INV_B];
                memcpy(b.x, in.x, T * INV_B * I * sizeof(float));
                memcpy(b.h0, in.h0, LD * INV_B * H * sizeof(float));
                memcpy(lens, in.lengths, sizeof lens);
                b.lengths = lens;
                lens[p] = (int64_t)probe_len[q];
                for (size_t t = 0; t < T; t++)
                    memcpy(b.x + (f.batch_first ? p * T + t : t * INV_B + p) * I, px + t * I, I * sizeof(float));
                for (size_t ld = 0; ld < LD; ld++) memcpy(b.h0 + (ld * INV_B + p) * H, ph0 + ld * H, H * sizeof(float));
                const gru_forward_args a = make_args(&f, &b, y, hn);
                run_ok(m, &a, isas[k], &f, combo);
                for (size_t t = 0; t < T; t++) {
                    const float *row = y + (f.batch_first ? p * T + t : t * INV_B + p) * D * H;
                    cr_assert(!memcmp(row, alone_y[q] + t * D * H, D * H * sizeof(float)),
                              "%s: y[t=%zu] of the probe (length %zu) at batch position %zu differs from it alone; %s",
                              gru_isa_name(isas[k]), t, probe_len[q], p, describe(&f));
                }
                for (size_t ld = 0; ld < LD; ld++)
                    cr_assert(!memcmp(hn + (ld * INV_B + p) * H, alone_hn[q] + ld * H, H * sizeof(float)),
                              "%s: h_n[%zu] of the probe (length %zu) at batch position %zu differs from it alone; %s",
                              gru_isa_name(isas[k]), ld, probe_len[q], p, describe(&f));
                rig_free(b.x), rig_free(b.h0);
                checked++;
            }
            gru_model_destroy(m);
        }
        rig_check_guard(y, "y"), rig_check_guard(hn, "h_n");
        rig_free(y), rig_free(hn);
        for (int q = 0; q < 4; q++) rig_free(alone_y[q]), rig_free(alone_hn[q]);
        free(px), free(ph0);
        inputs_free(&in);
    }
    cr_log_info("batch invariance: 4 (variant x direction) configurations, B = %d, %d probe placements over %d ISAs "
                "memcmp-equal to the probe alone on scalar",
                INV_B, checked, nisa);
}
