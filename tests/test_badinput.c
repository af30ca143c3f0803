/* SPDX-License-Identifier: MIT
 * Bad input to the model, forward and cell API: every case returns its documented status,
 * leaves a non-empty gru_last_error(), writes nothing (outputs are filled with a sentinel
 * pattern and checked afterwards) and does not crash (CI also runs this under ASan/UBSan).
 * Each case runs in its own Criterion process, so the error message starts empty and a stale
 * message from an earlier case cannot satisfy the check. Each case has exactly one defect. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_rig.h"
#include "weights.h"

#define SENTINEL 0x5C
#define T_ 4
#define B_ 3

typedef struct fx {
    gru_config cfg;
    mrig_weights w;
    gru_layer_weights lw[4]; /* a copy the cases may break */
    gru_model *m;
    float *x, *h0, *y, *hn, *hc;
    int64_t lengths[B_];
    gru_forward_args a;
    size_t ws;  /* forward workspace bytes of the valid args */
    size_t cws; /* cell workspace bytes for B_ */
    unsigned char *workspace;
    /* Outputs of the query calls, pre-filled with the sentinel. */
    gru_model *model_out;
    size_t bytes_out;
    gru_model_info info_out;
} fx;

static void fx_make(fx *f) {
    memset(f, 0, sizeof *f);
    rig_rng r = rig_rng_init(600);
    f->cfg = (gru_config){.input_size = 3,
                          .hidden_size = 5,
                          .num_layers = 2,
                          .bidirectional = 1,
                          .bias = 1,
                          .variant = GRU_VARIANT_LINEAR_BEFORE_RESET};
    mrig_weights_random(&f->w, &f->cfg, &r, 1.0f);
    memcpy(f->lw, f->w.lw, sizeof f->lw);
    cr_assert(gru_model_create(&f->m, &f->cfg, f->lw) == GRU_OK, "%s", gru_last_error());
    const size_t nx = T_ * B_ * 3, nh = 4 * B_ * 5, ny = T_ * B_ * 10;
    f->x = rig_alloc(nx, 0), f->h0 = rig_alloc(nh, 0);
    mrig_fill(&r, f->x, nx, -1.0f, 1.0f), mrig_fill(&r, f->h0, nh, -1.0f, 1.0f);
    f->y = rig_alloc(ny, 0), f->hn = rig_alloc(nh, 0), f->hc = rig_alloc(B_ * 5, 0);
    memset(f->y, SENTINEL, ny * sizeof(float)), memset(f->hn, SENTINEL, nh * sizeof(float));
    memset(f->hc, SENTINEL, B_ * 5 * sizeof(float));
    f->lengths[0] = T_, f->lengths[1] = 0, f->lengths[2] = 2;
    f->a = (gru_forward_args){
        .seq_len = T_, .batch = B_, .x = f->x, .h0 = f->h0, .lengths = f->lengths, .y = f->y, .h_n = f->hn};
    cr_assert(gru_forward_workspace_size(f->m, T_, B_, &f->ws) == GRU_OK, "%s", gru_last_error());
    cr_assert(gru_cell_workspace_size(f->m, B_, &f->cws) == GRU_OK, "%s", gru_last_error());
    f->workspace = malloc((f->ws > f->cws ? f->ws : f->cws) + 1);
    cr_assert(f->workspace);
    memset(&f->model_out, SENTINEL, sizeof f->model_out);
    memset(&f->bytes_out, SENTINEL, sizeof f->bytes_out);
    memset(&f->info_out, SENTINEL, sizeof f->info_out);
}

static int untouched(const void *p, size_t bytes) {
    const unsigned char *c = p;
    for (size_t i = 0; i < bytes; i++)
        if (c[i] != SENTINEL) return 0;
    return 1;
}

static void fx_check_and_free(fx *f, const char *name) {
    cr_assert(untouched(f->y, T_ * B_ * 10 * sizeof(float)), "%s: y was written", name);
    cr_assert(untouched(f->hn, 4 * B_ * 5 * sizeof(float)), "%s: h_n was written", name);
    cr_assert(untouched(f->hc, B_ * 5 * sizeof(float)), "%s: h_out was written", name);
    cr_assert(untouched(&f->model_out, sizeof f->model_out), "%s: *model was written", name);
    cr_assert(untouched(&f->bytes_out, sizeof f->bytes_out), "%s: *bytes was written", name);
    cr_assert(untouched(&f->info_out, sizeof f->info_out), "%s: *info was written", name);
    rig_check_guard(f->y, "y"), rig_check_guard(f->hn, "h_n"), rig_check_guard(f->hc, "h_out");
    gru_model_destroy(f->m);
    rig_free(f->x), rig_free(f->h0), rig_free(f->y), rig_free(f->hn), rig_free(f->hc);
    free(f->workspace);
    mrig_weights_free(&f->w);
}

/* ------------------------------------------------------------------ the cases */
#define CASE(name) static gru_status name(fx *f)
#define CREATE() gru_model_create(&f->model_out, &f->cfg, f->lw)

CASE(create_null_model_ptr) { return gru_model_create(NULL, &f->cfg, f->lw); }
CASE(create_null_config) { return gru_model_create(&f->model_out, NULL, f->lw); }
CASE(create_null_weights) { return gru_model_create(&f->model_out, &f->cfg, NULL); }
CASE(create_null_w_ih) { return f->lw[3].w_ih = NULL, CREATE(); }
CASE(create_null_w_hh) { return f->lw[1].w_hh = NULL, CREATE(); }
CASE(create_null_b_ih) { return f->lw[2].b_ih = NULL, CREATE(); }
CASE(create_null_b_hh) { return f->lw[0].b_hh = NULL, CREATE(); }
CASE(create_zero_input) { return f->cfg.input_size = 0, CREATE(); }
CASE(create_zero_hidden) { return f->cfg.hidden_size = 0, CREATE(); }
CASE(create_zero_layers) { return f->cfg.num_layers = 0, CREATE(); }
CASE(create_variant_2) { return f->cfg.variant = (gru_variant)2, CREATE(); }
CASE(create_variant_negative) { return f->cfg.variant = (gru_variant)-1, CREATE(); }
CASE(create_weights_unknown) { return f->cfg.weights = (gru_weight_type)GRU_WEIGHT_TYPES, CREATE(); }
/* int8dyn's int32 sums: H <= 133143 (weights here are small arrays that must not be read). */
CASE(create_int8dyn_hidden_limit) {
    return f->cfg.weights = GRU_WEIGHTS_INT8_DYNAMIC, f->cfg.hidden_size = 133144, CREATE();
}
CASE(create_weights_negative) { return f->cfg.weights = (gru_weight_type)-1, CREATE(); }
CASE(create_hidden_overflow) { return f->cfg.hidden_size = SIZE_MAX / 4, CREATE(); }
CASE(create_input_overflow) { return f->cfg.input_size = SIZE_MAX / 2, CREATE(); }
/* L*D weight entries really given (2^19 of them, pointing at small arrays that must not be read),
 * H = 2^21: each layer's size fits in size_t, the sum over the layers does not. */
CASE(create_layers_overflow) {
    const size_t L = (size_t)1 << 18;
    gru_layer_weights *lw = malloc(2 * L * sizeof *lw);
    cr_assert(lw);
    for (size_t i = 0; i < 2 * L; i++) lw[i] = f->lw[0];
    f->cfg.num_layers = L, f->cfg.hidden_size = (size_t)1 << 21;
    const gru_status s = gru_model_create(&f->model_out, &f->cfg, lw);
    free(lw);
    return s;
}

/* Non-finite weights (in the block the model's arrays point into), and weights the storage type
 * cannot hold: fp16 rounds 65520 up to inf, bf16 0x1.FFp127. */
CASE(create_nan_w_hh) { return ((float *)f->lw[1].w_hh)[7] = NAN, CREATE(); }
CASE(create_inf_w_ih_layer1) { return ((float *)f->lw[3].w_ih)[29] = -INFINITY, CREATE(); }
CASE(create_inf_b_ih) { return ((float *)f->lw[2].b_ih)[4] = INFINITY, CREATE(); }
CASE(create_nan_b_hh) { return ((float *)f->lw[0].b_hh)[14] = -NAN, CREATE(); }
CASE(create_fp16_overflow) {
    return f->cfg.weights = GRU_WEIGHTS_F16, ((float *)f->lw[0].w_hh)[3] = -65520.0f, CREATE();
}
CASE(create_bf16_overflow) {
    return f->cfg.weights = GRU_WEIGHTS_BF16, ((float *)f->lw[2].w_ih)[0] = 0x1.FFp127f, CREATE();
}

CASE(info_null_model) { return gru_model_get_info(NULL, &f->info_out); }
CASE(info_null_info) { return gru_model_get_info(f->m, NULL); }

CASE(fws_null_model) { return gru_forward_workspace_size(NULL, T_, B_, &f->bytes_out); }
CASE(fws_null_bytes) { return gru_forward_workspace_size(f->m, T_, B_, NULL); }
CASE(fws_zero_seq_len) { return gru_forward_workspace_size(f->m, 0, B_, &f->bytes_out); }
CASE(fws_zero_batch) { return gru_forward_workspace_size(f->m, T_, 0, &f->bytes_out); }
CASE(fws_overflow) { return gru_forward_workspace_size(f->m, SIZE_MAX / 2, 3, &f->bytes_out); }
CASE(cws_null_model) { return gru_cell_workspace_size(NULL, B_, &f->bytes_out); }
CASE(cws_null_bytes) { return gru_cell_workspace_size(f->m, B_, NULL); }
CASE(cws_zero_batch) { return gru_cell_workspace_size(f->m, 0, &f->bytes_out); }
CASE(cws_overflow) { return gru_cell_workspace_size(f->m, SIZE_MAX / 2, &f->bytes_out); }

CASE(fwd_null_model) { return gru_forward(NULL, &f->a, NULL, 0); }
CASE(fwd_null_args) { return gru_forward(f->m, NULL, NULL, 0); }
CASE(fwd_null_x) { return f->a.x = NULL, gru_forward(f->m, &f->a, NULL, 0); }
CASE(fwd_zero_seq_len) { return f->a.seq_len = 0, gru_forward(f->m, &f->a, NULL, 0); }
CASE(fwd_zero_batch) { return f->a.batch = 0, gru_forward(f->m, &f->a, NULL, 0); }
CASE(fwd_negative_length) { return f->lengths[2] = -1, gru_forward(f->m, &f->a, NULL, 0); }
CASE(fwd_length_past_seq_len) { return f->lengths[2] = T_ + 1, gru_forward(f->m, &f->a, NULL, 0); }
CASE(fwd_length_int64_min) { return f->lengths[1] = INT64_MIN, gru_forward(f->m, &f->a, NULL, 0); }
/* T*B*I overflows size_t while T*B does not; lengths NULL so nothing reads them. */
CASE(fwd_overflow_x) {
    f->a.lengths = NULL, f->a.seq_len = SIZE_MAX / 8, f->a.batch = 3;
    return gru_forward(f->m, &f->a, NULL, 0);
}
CASE(fwd_overflow_batch) {
    f->a.lengths = NULL, f->a.seq_len = 1, f->a.batch = SIZE_MAX / 2;
    return gru_forward(f->m, &f->a, NULL, 0);
}
/* A non-finite value where it reaches the outputs: x before lengths[b] (item 0 has all T_
 * steps), h0 anywhere. In copies, so the check after each case still runs on finite data. */
static gru_status fwd_with(fx *f, float *x, float *h0) {
    f->a.x = x, f->a.h0 = h0;
    const gru_status s = gru_forward(f->m, &f->a, NULL, 0);
    rig_free(x == f->x ? NULL : x), rig_free(h0 == f->h0 ? NULL : h0);
    return s;
}
static float *copy_with(const float *p, size_t n, size_t at, float v) {
    float *c = rig_alloc(n, 1);
    memcpy(c, p, n * sizeof *c);
    c[at] = v;
    return c;
}
CASE(fwd_nan_x) { return fwd_with(f, copy_with(f->x, T_ * B_ * 3, (3 * B_ + 0) * 3 + 2, NAN), f->h0); }
CASE(fwd_inf_x_batch_first) {
    return f->a.batch_first = 1, fwd_with(f, copy_with(f->x, T_ * B_ * 3, (2 * T_ + 1) * 3, -INFINITY), f->h0);
}
CASE(fwd_nan_x_no_lengths) {
    return f->a.lengths = NULL, fwd_with(f, copy_with(f->x, T_ * B_ * 3, (1 * B_ + 1) * 3 + 1, -NAN), f->h0);
}
CASE(fwd_inf_h0) { return fwd_with(f, f->x, copy_with(f->h0, 4 * B_ * 5, 3 * B_ * 5 + 7, INFINITY)); }
CASE(fwd_workspace_small) {
    cr_assert(f->ws > 0, "gru_forward needs no workspace: this case cannot be exercised");
    return gru_forward(f->m, &f->a, f->workspace, f->ws - 1);
}
CASE(fwd_workspace_zero_bytes) {
    cr_assert(f->ws > 0, "gru_forward needs no workspace: this case cannot be exercised");
    return gru_forward(f->m, &f->a, f->workspace, 0);
}

CASE(cell_null_model) { return gru_cell(NULL, 0, 0, B_, f->x, f->h0, f->hc, NULL, 0); }
CASE(cell_null_x) { return gru_cell(f->m, 0, 0, B_, NULL, f->h0, f->hc, NULL, 0); }
CASE(cell_null_h_out) { return gru_cell(f->m, 0, 0, B_, f->x, f->h0, NULL, NULL, 0); }
CASE(cell_layer_past_last) { return gru_cell(f->m, 2, 0, B_, f->x, f->h0, f->hc, NULL, 0); }
CASE(cell_layer_size_max) { return gru_cell(f->m, SIZE_MAX, 1, B_, f->x, f->h0, f->hc, NULL, 0); }
CASE(cell_zero_batch) { return gru_cell(f->m, 1, 1, 0, f->x, f->h0, f->hc, NULL, 0); }
CASE(cell_overflow_batch) { return gru_cell(f->m, 0, 0, SIZE_MAX / 2, f->x, f->h0, f->hc, NULL, 0); }
CASE(cell_workspace_small) {
    cr_assert(f->cws > 0, "gru_cell needs no workspace: this case cannot be exercised");
    return gru_cell(f->m, 1, 0, B_, f->x, f->h0, f->hc, f->workspace, f->cws - 1);
}
CASE(cell_nan_x) {
    float *x = copy_with(f->x, B_ * 3, 4, NAN);
    const gru_status s = gru_cell(f->m, 0, 0, B_, x, f->h0, f->hc, NULL, 0);
    return rig_free(x), s;
}
CASE(cell_inf_h) {
    float *h = copy_with(f->h0, B_ * 5, 14, -INFINITY);
    const gru_status s = gru_cell(f->m, 1, 1, B_, f->x, h, f->hc, NULL, 0);
    return rig_free(h), s;
}
/* A unidirectional model has no reverse direction. */
CASE(cell_reverse_unidirectional) {
    gru_model_destroy(f->m);
    mrig_weights_free(&f->w);
    f->cfg.bidirectional = 0;
    rig_rng r = rig_rng_init(601);
    mrig_weights_random(&f->w, &f->cfg, &r, 1.0f);
    f->m = NULL;
    cr_assert(gru_model_create(&f->m, &f->cfg, f->w.lw) == GRU_OK, "%s", gru_last_error());
    return gru_cell(f->m, 0, 1, B_, f->x, f->h0, f->hc, NULL, 0);
}

typedef struct bad_case {
    const char *name;
    gru_status want;
    gru_status (*call)(fx *);
} bad_case;

#define ROW(name, want)                                                                                                \
    { #name, want, name }
static const bad_case cases[] = {
    ROW(create_null_model_ptr, GRU_ERR_NULL),
    ROW(create_null_config, GRU_ERR_NULL),
    ROW(create_null_weights, GRU_ERR_NULL),
    ROW(create_null_w_ih, GRU_ERR_NULL),
    ROW(create_null_w_hh, GRU_ERR_NULL),
    ROW(create_null_b_ih, GRU_ERR_NULL),
    ROW(create_null_b_hh, GRU_ERR_NULL),
    ROW(create_zero_input, GRU_ERR_INVALID),
    ROW(create_zero_hidden, GRU_ERR_INVALID),
    ROW(create_zero_layers, GRU_ERR_INVALID),
    ROW(create_variant_2, GRU_ERR_INVALID),
    ROW(create_variant_negative, GRU_ERR_INVALID),
    ROW(create_weights_unknown, GRU_ERR_INVALID),
    ROW(create_int8dyn_hidden_limit, GRU_ERR_INVALID),
    ROW(create_weights_negative, GRU_ERR_INVALID),
    ROW(create_hidden_overflow, GRU_ERR_OVERFLOW),
    ROW(create_input_overflow, GRU_ERR_OVERFLOW),
    ROW(create_layers_overflow, GRU_ERR_OVERFLOW),
    ROW(create_nan_w_hh, GRU_ERR_INVALID),
    ROW(create_inf_w_ih_layer1, GRU_ERR_INVALID),
    ROW(create_inf_b_ih, GRU_ERR_INVALID),
    ROW(create_nan_b_hh, GRU_ERR_INVALID),
    ROW(create_fp16_overflow, GRU_ERR_INVALID),
    ROW(create_bf16_overflow, GRU_ERR_INVALID),
    ROW(info_null_model, GRU_ERR_NULL),
    ROW(info_null_info, GRU_ERR_NULL),
    ROW(fws_null_model, GRU_ERR_NULL),
    ROW(fws_null_bytes, GRU_ERR_NULL),
    ROW(fws_zero_seq_len, GRU_ERR_INVALID),
    ROW(fws_zero_batch, GRU_ERR_INVALID),
    ROW(fws_overflow, GRU_ERR_OVERFLOW),
    ROW(cws_null_model, GRU_ERR_NULL),
    ROW(cws_null_bytes, GRU_ERR_NULL),
    ROW(cws_zero_batch, GRU_ERR_INVALID),
    ROW(cws_overflow, GRU_ERR_OVERFLOW),
    ROW(fwd_null_model, GRU_ERR_NULL),
    ROW(fwd_null_args, GRU_ERR_NULL),
    ROW(fwd_null_x, GRU_ERR_NULL),
    ROW(fwd_zero_seq_len, GRU_ERR_INVALID),
    ROW(fwd_zero_batch, GRU_ERR_INVALID),
    ROW(fwd_negative_length, GRU_ERR_INVALID),
    ROW(fwd_length_past_seq_len, GRU_ERR_INVALID),
    ROW(fwd_length_int64_min, GRU_ERR_INVALID),
    ROW(fwd_overflow_x, GRU_ERR_OVERFLOW),
    ROW(fwd_overflow_batch, GRU_ERR_OVERFLOW),
    ROW(fwd_nan_x, GRU_ERR_INVALID),
    ROW(fwd_inf_x_batch_first, GRU_ERR_INVALID),
    ROW(fwd_nan_x_no_lengths, GRU_ERR_INVALID),
    ROW(fwd_inf_h0, GRU_ERR_INVALID),
    ROW(fwd_workspace_small, GRU_ERR_WORKSPACE),
    ROW(fwd_workspace_zero_bytes, GRU_ERR_WORKSPACE),
    ROW(cell_null_model, GRU_ERR_NULL),
    ROW(cell_null_x, GRU_ERR_NULL),
    ROW(cell_null_h_out, GRU_ERR_NULL),
    ROW(cell_layer_past_last, GRU_ERR_INVALID),
    ROW(cell_layer_size_max, GRU_ERR_INVALID),
    ROW(cell_zero_batch, GRU_ERR_INVALID),
    ROW(cell_overflow_batch, GRU_ERR_OVERFLOW),
    ROW(cell_workspace_small, GRU_ERR_WORKSPACE),
    ROW(cell_nan_x, GRU_ERR_INVALID),
    ROW(cell_inf_h, GRU_ERR_INVALID),
    ROW(cell_reverse_unidirectional, GRU_ERR_INVALID),
};
#define NCASES (sizeof cases / sizeof *cases)

ParameterizedTestParameters(badinput, rejects) {
    static int idx[NCASES];
    for (size_t i = 0; i < NCASES; i++) idx[i] = (int)i;
    return cr_make_param_array(int, idx, NCASES);
}

ParameterizedTest(int *i, badinput, rejects) {
    const bad_case *c = &cases[*i];
    fx f;
    fx_make(&f);
    cr_assert(gru_last_error()[0] == '\0', "%s: successful calls left a message: %s", c->name, gru_last_error());
    const gru_status s = c->call(&f);
    cr_assert(s == c->want, "%s: returned %s, expected %s (message: %s)", c->name, gru_status_str(s),
              gru_status_str(c->want), gru_last_error());
    cr_assert(gru_last_error()[0] != '\0', "%s: no message in gru_last_error()", c->name);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", gru_last_error());
    /* The model is still usable after a rejected call. */
    {
        float *y = rig_alloc(T_ * B_ * 10, 0);
        gru_forward_args a = {.seq_len = T_, .batch = B_, .x = f.x, .h0 = f.h0, .lengths = NULL, .y = y};
        cr_assert(gru_forward(f.m, &a, NULL, 0) == GRU_OK, "%s: the model fails after a rejected call: %s", c->name,
                  gru_last_error());
        rig_free(y);
    }
    fx_check_and_free(&f, c->name);
    cr_log_info("%s -> %s: \"%s\"", c->name, gru_status_str(s), msg);
}

Test(badinput, destroy_null_is_noop) {
    gru_model_destroy(NULL);
    cr_assert(gru_last_error()[0] == '\0', "gru_model_destroy(NULL) left a message");
}

/* Padding (x past lengths[b]) is never checked and never reaches an output: NaN and inf there
 * give the bits of finite padding, on every ISA. */
Test(badinput, nonfinite_padding_is_ignored) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    fx f;
    fx_make(&f);
    const size_t nx = T_ * B_ * 3, ny = T_ * B_ * 10, nh = 4 * B_ * 5;
    float *xp = copy_with(f.x, nx, (2 * B_ + 2) * 3 + 1, NAN); /* item 2 (length 2), step 2 */
    for (size_t t = 0; t < T_; t++) xp[(t * B_ + 1) * 3] = t & 1 ? INFINITY : -NAN; /* item 1 (length 0) */
    for (int k = 0; k < nisa; k++) {
        gru_model *m = mrig_model(&f.cfg, f.lw, isas[k]);
        float *y0 = rig_alloc(ny, 0), *h0 = rig_alloc(nh, 0), *y1 = rig_alloc(ny, 0), *h1 = rig_alloc(nh, 0);
        gru_forward_args a = f.a;
        a.y = y0, a.h_n = h0;
        cr_assert(gru_forward(m, &a, NULL, 0) == GRU_OK, "%s", gru_last_error());
        a.x = xp, a.y = y1, a.h_n = h1;
        cr_assert(gru_forward(m, &a, NULL, 0) == GRU_OK, "%s: NaN in the padding was refused: %s",
                  gru_isa_name(isas[k]), gru_last_error());
        cr_assert(!memcmp(y0, y1, ny * sizeof(float)) && !memcmp(h0, h1, nh * sizeof(float)),
                  "%s: non-finite padding changed the outputs", gru_isa_name(isas[k]));
        rig_free(y0), rig_free(h0), rig_free(y1), rig_free(h1);
        gru_model_destroy(m);
    }
    rig_free(xp);
    fx_check_and_free(&f, "nonfinite_padding_is_ignored");
}

/* The storage limits are exact: the largest float below each converts to a finite value and is
 * accepted; the limit itself converts to inf (and is refused, cases above). */
Test(badinput, storage_limits_are_exact) {
    cr_assert(gru_f32_to_f16(gru_weight_limit(GRU_WEIGHTS_F16)) == 0x7C00);
    cr_assert(gru_f32_to_f16(nextafterf(gru_weight_limit(GRU_WEIGHTS_F16), 0.0f)) == 0x7BFF);
    cr_assert(gru_f32_to_bf16(gru_weight_limit(GRU_WEIGHTS_BF16)) == 0x7F80);
    cr_assert(gru_f32_to_bf16(nextafterf(gru_weight_limit(GRU_WEIGHTS_BF16), 0.0f)) == 0x7F7F);
    const gru_weight_type types[2] = {GRU_WEIGHTS_F16, GRU_WEIGHTS_BF16};
    for (int i = 0; i < 2; i++) {
        fx f;
        fx_make(&f);
        f.cfg.weights = types[i];
        ((float *)f.lw[1].w_hh)[3] = -nextafterf(gru_weight_limit(types[i]), 0.0f);
        gru_model *m = NULL;
        cr_assert(gru_model_create(&m, &f.cfg, f.lw) == GRU_OK, "%s", gru_last_error());
        gru_model_destroy(m);
        fx_check_and_free(&f, "storage_limits_are_exact");
    }
}
