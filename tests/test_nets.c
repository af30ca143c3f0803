/* SPDX-License-Identifier: MIT
 * Systems built on the engine (src/nets/):
 *  - PyTorch goldens (tests/golden/make_nets_golden.py): predictor (with and without tab, tab
 *    per step and static, bidirectional, 2 layers, packed lengths), forecaster, nn.GRUCell and
 *    the reset-before cell, within NUMERICS.md section 2's bound on every ISA of the run, and
 *    every ISA's outputs memcmp-equal to the scalar reference's;
 *  - the predictor without tab gives gru_forward's final state bit for bit; static tab equals
 *    the same tab repeated every step bit for bit;
 *  - the neighbour-list GRU equals gathering the rows and calling gru_forward (memcmp), both
 *    variants and direction counts, empty sequences, more sequences than one chunk;
 *  - bad input to every API: a status, a message, nothing written. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_rig.h"
#include "weights.h"

#ifndef GRU_GOLDEN_DIR
#error "GRU_GOLDEN_DIR must be defined by the build"
#endif

/* ------------------------------------------------------------ golden files */
static gru_safetensors *golden(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/nets/%s.safetensors", GRU_GOLDEN_DIR, name);
    gru_safetensors *st = NULL;
    cr_assert(gru_safetensors_open(&st, path) == GRU_OK, "%s: %s (run tests/golden/make_nets_golden.py?)", path,
              gru_last_error());
    return st;
}

/* Tensor `name` as a new float array; *n its element count (NULL: not needed). */
static float *arr(const gru_safetensors *st, const char *name, size_t *n) {
    size_t i;
    cr_assert(gru_safetensors_find(st, name, &i) == GRU_OK, "golden lacks %s", name);
    gru_tensor_info ti;
    cr_assert(gru_safetensors_info(st, i, &ti) == GRU_OK);
    float *p = malloc(ti.numel * sizeof(float) + 1);
    cr_assert(p && gru_safetensors_read_f32(st, i, p, ti.numel) == GRU_OK, "%s: %s", name, gru_last_error());
    if (n) *n = ti.numel;
    return p;
}

static int64_t *lengths_of(const gru_safetensors *st, size_t B) {
    size_t i, n;
    if (gru_safetensors_find(st, "test.lengths", &i) != GRU_OK) return NULL;
    float *f = arr(st, "test.lengths", &n);
    cr_assert(n == B);
    int64_t *l = malloc(B * sizeof *l);
    for (size_t b = 0; b < B; b++) l[b] = (int64_t)f[b];
    free(f);
    return l;
}

/* Checks max |got - oracle| <= bound (from the golden) and returns that error. */
static double within(const gru_safetensors *st, const char *out, const float *got, size_t n, const char *cs,
                     gru_isa isa) {
    char on[128], bn[128];
    snprintf(on, sizeof on, "test.%s.o64", out);
    snprintf(bn, sizeof bn, "test.%s.bound", out);
    size_t no;
    float *o = arr(st, on, &no), *b = arr(st, bn, NULL);
    cr_assert(no == n, "%s: %s has %zu elements, got %zu", cs, on, no, n);
    double err = 0;
    for (size_t i = 0; i < n; i++) {
        const double e = fabs((double)got[i] - (double)o[i]);
        err = isnan(e) ? INFINITY : fmax(err, e);
    }
    cr_expect(err <= b[0], "%s on %s: max |%s - oracle| = %.3g > bound %.3g", cs, gru_isa_name(isa), out, err,
              (double)b[0]);
    free(o), free(b);
    return err;
}

static void set_isa(gru_isa isa) {
    cr_assert(gru_set_max_isa(isa) == GRU_OK && gru_isa_active() == isa, "cannot select %s", gru_isa_name(isa));
}

/* ------------------------------------------------------------ predictor */
static void predictor_case(const char *cs) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    gru_safetensors *st = golden(cs);
    size_t ng, nt = 0, i;
    float *graph = arr(st, "test.graph", &ng), *tab = NULL;
    const int has_tab = gru_safetensors_find(st, "test.tab", &i) == GRU_OK;
    if (has_tab) tab = arr(st, "test.tab", &nt);
    float *ref = NULL;
    for (int k = 0; k < nisa; k++) {
        set_isa(isas[k]);
        gru_predictor *p = NULL;
        cr_assert(gru_predictor_load(st, &p) == GRU_OK, "%s: %s", cs, gru_last_error());
        gru_predictor_config c;
        cr_assert(gru_predictor_get_config(p, &c) == GRU_OK);
        /* B from the oracle's shape (logits [B, C]), T from graph's [B, T, G] */
        size_t nl;
        float *o = arr(st, "test.logits.o64", &nl);
        free(o);
        const size_t B = nl / c.num_classes, Tn = ng / (B * c.graph_dim);
        int64_t *len = lengths_of(st, B);
        float *logits = malloc(nl * sizeof(float));
        const gru_predictor_args a = {B, Tn, graph, tab, has_tab && nt == B * Tn * c.tab_dim, len, logits, NULL};
        cr_assert(gru_predictor_forward(p, &a) == GRU_OK, "%s: %s", cs, gru_last_error());
        within(st, "logits", logits, nl, cs, isas[k]);
        if (!ref)
            ref = logits;
        else {
            cr_expect(!memcmp(ref, logits, nl * sizeof(float)), "%s: %s logits differ from scalar", cs,
                      gru_isa_name(isas[k]));
            free(logits);
        }
        free(len);
        gru_predictor_destroy(p);
    }
    free(ref), free(graph), free(tab);
    gru_safetensors_close(st);
}

Test(nets, predictor_plain) { predictor_case("pred_plain"); }
Test(nets, predictor_packed_bidirectional) { predictor_case("pred_packed_bi"); }
Test(nets, predictor_tab_per_step_bi_2layers) { predictor_case("pred_tab_step_bi2"); }
Test(nets, predictor_tab_static) { predictor_case("pred_tab_static"); }

/* Without tab, the predictor's state is gru_forward's last-layer h_n (forward, then reverse). */
Test(nets, predictor_state_is_gru_forward) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    gru_safetensors *st = golden("pred_packed_bi");
    size_t ng, nl;
    float *graph = arr(st, "test.graph", &ng), *o = arr(st, "test.logits.o64", &nl);
    for (int k = 0; k < nisa; k++) {
        set_isa(isas[k]);
        gru_predictor *p;
        gru_weights *w;
        gru_model *m;
        cr_assert(gru_predictor_load(st, &p) == GRU_OK && gru_safetensors_load_gru(st, "gru.", &w) == GRU_OK);
        gru_weights_info wi;
        gru_weights_get_info(w, &wi);
        cr_assert(gru_model_create(&m, &wi.config, wi.layers) == GRU_OK);
        gru_predictor_config c;
        gru_predictor_get_config(p, &c);
        const size_t B = nl / c.num_classes, T = ng / (B * c.graph_dim), H = c.hidden_size;
        cr_assert(c.bidirectional && c.num_layers == 1);
        int64_t *len = lengths_of(st, B);
        float *logits = malloc(nl * sizeof(float)), *state = malloc(B * 2 * H * sizeof(float)),
              *hn = malloc(2 * B * H * sizeof(float));
        const gru_predictor_args a = {B, T, graph, NULL, 0, len, logits, state};
        cr_assert(gru_predictor_forward(p, &a) == GRU_OK);
        const gru_forward_args fa = {T, B, 1, graph, NULL, len, NULL, hn, NULL};
        cr_assert(gru_forward(m, &fa, NULL, 0) == GRU_OK);
        for (size_t b = 0; b < B; b++)
            for (size_t d = 0; d < 2; d++)
                cr_expect(!memcmp(state + b * 2 * H + d * H, hn + (d * B + b) * H, H * sizeof(float)),
                          "%s: predictor state (b %zu, d %zu) != gru_forward h_n", gru_isa_name(isas[k]), b, d);
        free(len), free(logits), free(state), free(hn);
        gru_model_destroy(m);
        gru_weights_destroy(w);
        gru_predictor_destroy(p);
    }
    free(graph), free(o);
    gru_safetensors_close(st);
}

/* A static tab [B, Tab] gives the same bits as that tab repeated over T. */
Test(nets, predictor_static_tab_equals_repeated) {
    gru_safetensors *st = golden("pred_tab_static");
    gru_predictor *p;
    cr_assert(gru_predictor_load(st, &p) == GRU_OK);
    gru_predictor_config c;
    gru_predictor_get_config(p, &c);
    size_t ng, nt;
    float *graph = arr(st, "test.graph", &ng), *tab = arr(st, "test.tab", &nt);
    const size_t B = nt / c.tab_dim, T = ng / (B * c.graph_dim), C = c.num_classes;
    float *rep = malloc(B * T * c.tab_dim * sizeof(float)), l1[64], l2[64];
    cr_assert(B * C <= 64);
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++) memcpy(rep + (b * T + t) * c.tab_dim, tab + b * c.tab_dim, c.tab_dim * sizeof(float));
    int64_t *len = lengths_of(st, B);
    gru_predictor_args a = {B, T, graph, tab, 0, len, l1, NULL};
    cr_assert(gru_predictor_forward(p, &a) == GRU_OK);
    a.tab = rep, a.tab_per_step = 1, a.logits = l2;
    cr_assert(gru_predictor_forward(p, &a) == GRU_OK);
    cr_expect(!memcmp(l1, l2, B * C * sizeof(float)), "static tab != repeated tab");
    free(graph), free(tab), free(rep), free(len);
    gru_predictor_destroy(p);
    gru_safetensors_close(st);
}

/* ------------------------------------------------------------ forecaster, cells */
Test(nets, forecaster_golden) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    gru_safetensors *st = golden("forecaster");
    size_t nx, ny;
    float *x = arr(st, "test.x", &nx), *o = arr(st, "test.y.o64", &ny), *ref = NULL;
    free(o);
    for (int k = 0; k < nisa; k++) {
        set_isa(isas[k]);
        gru_forecaster *f;
        cr_assert(gru_forecaster_load(st, &f) == GRU_OK, "%s", gru_last_error());
        gru_config c;
        size_t O;
        cr_assert(gru_forecaster_get_info(f, &c, &O) == GRU_OK && c.num_layers == 2);
        const size_t B = ny / O, T = nx / (B * c.input_size);
        float *y = malloc(ny * sizeof(float));
        cr_assert(gru_forecaster_forward(f, B, T, x, y) == GRU_OK, "%s", gru_last_error());
        within(st, "y", y, ny, "forecaster", isas[k]);
        if (!ref)
            ref = y;
        else {
            cr_expect(!memcmp(ref, y, ny * sizeof(float)), "forecaster: %s differs from scalar", gru_isa_name(isas[k]));
            free(y);
        }
        gru_forecaster_destroy(f);
    }
    free(ref), free(x);
    gru_safetensors_close(st);
}

static void cell_case(const char *cs, int rb) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    gru_safetensors *st = golden(cs);
    size_t nx, nh;
    float *x = arr(st, "test.x", &nx), *h = arr(st, "test.h", &nh), *ref = NULL;
    for (int k = 0; k < nisa; k++) {
        set_isa(isas[k]);
        gru_model *m = NULL;
        const gru_status s = rb ? gru_safetensors_load_rbcell(st, NULL, &m) : gru_safetensors_load_grucell(st, "", &m);
        cr_assert(s == GRU_OK, "%s: %s", cs, gru_last_error());
        gru_model_info mi;
        gru_model_get_info(m, &mi);
        cr_assert(mi.config.variant == (rb ? GRU_VARIANT_RESET_BEFORE : GRU_VARIANT_LINEAR_BEFORE_RESET));
        const size_t H = mi.config.hidden_size, B = nh / H;
        cr_assert(nx == B * mi.config.input_size);
        float *out = malloc(nh * sizeof(float));
        cr_assert(gru_cell(m, 0, 0, B, x, h, out, NULL, 0) == GRU_OK, "%s", gru_last_error());
        within(st, "h_out", out, nh, cs, isas[k]);
        if (!ref)
            ref = out;
        else {
            cr_expect(!memcmp(ref, out, nh * sizeof(float)), "%s: %s differs from scalar", cs, gru_isa_name(isas[k]));
            free(out);
        }
        gru_model_destroy(m);
    }
    free(ref), free(x), free(h);
    gru_safetensors_close(st);
}

Test(nets, grucell_golden) { cell_case("grucell", 0); }
Test(nets, grucell_nobias_golden) { cell_case("grucell_nobias", 0); }
Test(nets, rbcell_golden) { cell_case("rbcell", 1); }
Test(nets, rbcell_nobias_golden) { cell_case("rbcell_nobias", 1); }

/* ------------------------------------------------------------ neighbour list */
static void neighbor_case(gru_variant v, int bi, size_t S, size_t N, size_t I, size_t H, size_t maxlen, uint64_t stream) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(stream);
    const gru_config c = {I, H, 1, bi, 1, v, GRU_WEIGHTS_F32};
    const size_t D = bi ? 2 : 1;
    mrig_weights w;
    mrig_weights_random(&w, &c, &r, 1.0f);
    float *table = malloc(N * I * sizeof(float));
    mrig_fill(&r, table, N * I, -1.5f, 1.5f);
    int64_t *off = malloc((S + 1) * sizeof *off), *len = malloc(S * sizeof *len);
    off[0] = 0;
    size_t T = 1;
    for (size_t s = 0; s < S; s++) {
        len[s] = (int64_t)rig_below(&r, (uint32_t)maxlen + 1); /* 0 .. maxlen */
        off[s + 1] = off[s] + len[s];
        if ((size_t)len[s] > T) T = (size_t)len[s];
    }
    const size_t nnz = (size_t)off[S];
    int64_t *idx = malloc((nnz + 1) * sizeof *idx);
    for (size_t i = 0; i < nnz; i++) idx[i] = rig_below(&r, (uint32_t)N);
    float *x = calloc(T * S * I, sizeof(float)); /* gathered, [T, S, I] */
    for (size_t s = 0; s < S; s++)
        for (size_t t = 0; t < (size_t)len[s]; t++)
            memcpy(x + (t * S + s) * I, table + (size_t)idx[off[s] + t] * I, I * sizeof(float));
    float *hn0 = malloc(D * S * H * sizeof(float)), *y0 = malloc(T * S * D * H * sizeof(float));
    float *hn1 = malloc(D * S * H * sizeof(float)), *y1 = malloc((nnz + 1) * D * H * sizeof(float));
    /* fp32 and int8dyn, whose steps differ in passes and scratch (the other types step as fp32) */
    for (int k = 0; k < 2 * nisa; k++) {
        gru_config cw = c;
        cw.weights = k < nisa ? GRU_WEIGHTS_F32 : GRU_WEIGHTS_INT8_DYNAMIC;
        gru_model *m = mrig_model(&cw, w.lw, isas[k % nisa]);
        const gru_forward_args fa = {T, S, 0, x, NULL, len, y0, hn0, NULL};
        cr_assert(gru_forward(m, &fa, NULL, 0) == GRU_OK);
        memset(hn1, 0xff, D * S * H * sizeof(float));
        const gru_neighbor_args na = {N, table, S, off, idx, hn1, y1};
        cr_assert(gru_neighbor_forward(m, &na) == GRU_OK, "%s", gru_last_error());
        cr_expect(!memcmp(hn0, hn1, D * S * H * sizeof(float)), "%s %s %s D=%zu: neighbour h_n != gru_forward h_n",
                  gru_isa_name(isas[k % nisa]), gru_weight_type_name(cw.weights), v ? "rb" : "lbr", D);
        size_t bad = 0;
        for (size_t s = 0; s < S; s++)
            for (size_t t = 0; t < (size_t)len[s]; t++)
                bad += memcmp(y0 + (t * S + s) * D * H, y1 + ((size_t)off[s] + t) * D * H, D * H * sizeof(float)) != 0;
        cr_expect(bad == 0, "%s %s: %zu neighbour y rows differ from gru_forward", gru_isa_name(isas[k % nisa]),
                  gru_weight_type_name(cw.weights), bad);
        gru_model_destroy(m);
    }
    free(table), free(off), free(len), free(idx), free(x), free(hn0), free(y0), free(hn1), free(y1);
    mrig_weights_free(&w);
}

Test(nets, neighbor_lbr_uni) { neighbor_case(GRU_VARIANT_LINEAR_BEFORE_RESET, 0, 300, 37, 13, 10, 9, 1); }
Test(nets, neighbor_lbr_bi) { neighbor_case(GRU_VARIANT_LINEAR_BEFORE_RESET, 1, 70, 5, 3, 17, 6, 2); }
Test(nets, neighbor_rb_bi) { neighbor_case(GRU_VARIANT_RESET_BEFORE, 1, 260, 50, 20, 33, 7, 3); }
Test(nets, neighbor_rb_uni_tiny) { neighbor_case(GRU_VARIANT_RESET_BEFORE, 0, 1, 1, 1, 1, 3, 4); }

/* ------------------------------------------------------------ bad input */
#define EXPECT_ERR(call, status)                                                                              \
    do {                                                                                                      \
        const gru_status s_ = (call);                                                                         \
        cr_expect(s_ == (status), "%s: %s, expected %s", #call, gru_status_str(s_), gru_status_str(status)); \
        cr_expect(gru_last_error()[0] != '\0', "%s left no message", #call);                                 \
    } while (0)

Test(nets, bad_input) {
    gru_safetensors *pst = golden("pred_tab_static"), *cst = golden("grucell"), *fst = golden("forecaster");
    gru_predictor *p = NULL;
    EXPECT_ERR(gru_predictor_load(NULL, &p), GRU_ERR_NULL);
    EXPECT_ERR(gru_predictor_load(cst, &p), GRU_ERR_FORMAT); /* no gru.* */
    EXPECT_ERR(gru_predictor_load(fst, &p), GRU_ERR_FORMAT); /* no classifier */
    EXPECT_ERR(gru_predictor_load_file("/nonexistent/x.safetensors", &p), GRU_ERR_IO);
    cr_assert(p == NULL);
    cr_assert(gru_predictor_load(pst, &p) == GRU_OK);
    gru_predictor_config c;
    gru_predictor_get_config(p, &c);
    float graph[3 * 4 * 13] = {0}, tab[3 * 5] = {0}, logits[6];
    int64_t len[3] = {4, 5, 1};
    for (int i = 0; i < 6; i++) logits[i] = 42.0f;
    gru_predictor_args a = {3, 4, graph, tab, 0, len, logits, NULL};
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_INVALID); /* length 5 > T */
    len[1] = -1;
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_INVALID);
    len[1] = 2;
    a.tab = NULL;
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_NULL);
    a.tab = tab, a.batch = 0;
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_INVALID);
    a.batch = 3, a.logits = NULL;
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_NULL);
    EXPECT_ERR(gru_predictor_forward(NULL, &a), GRU_ERR_NULL);
    for (int i = 0; i < 6; i++) cr_expect(logits[i] == 42.0f, "a failing forward wrote logits");
    a.logits = logits;
    cr_expect(gru_predictor_forward(p, &a) == GRU_OK, "%s", gru_last_error());
    /* Non-finite inputs: rejected where they reach the logits, ignored in the padding. */
    float ref[6];
    memcpy(ref, logits, sizeof ref);
    graph[(0 * 4 + 3) * 13 + 5] = NAN; /* item 0, step 3 < length 4 */
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_INVALID);
    graph[(0 * 4 + 3) * 13 + 5] = 0.0f, tab[1 * 5 + 2] = INFINITY; /* item 1's static tab, length 2 */
    EXPECT_ERR(gru_predictor_forward(p, &a), GRU_ERR_INVALID);
    tab[1 * 5 + 2] = 0.0f, graph[(2 * 4 + 3) * 13 + 1] = NAN; /* item 2, step 3 >= length 1 */
    cr_expect(gru_predictor_forward(p, &a) == GRU_OK, "%s", gru_last_error());
    cr_expect(!memcmp(ref, logits, sizeof ref), "a NaN in the padding changed the logits");
    graph[(2 * 4 + 3) * 13 + 1] = 0.0f;
    {   /* non-finite weights */
        rig_rng pr = rig_rng_init(10);
        const size_t DH = (c.bidirectional ? 2 : 1) * c.hidden_size, F = c.head_dim, C = c.num_classes;
        const gru_config pc = {c.graph_dim + c.tab_dim, c.hidden_size, c.num_layers, c.bidirectional, 1,
                               GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
        mrig_weights pmw;
        mrig_weights_random(&pmw, &pc, &pr, 1.0f);
        float *head = calloc(F * DH + F + C * F + C, sizeof(float));
        cr_assert(head);
        const gru_predictor_weights good = {pmw.lw, head, head + F * DH, head + F * DH + F, head + F * DH + F + C * F};
        gru_predictor *q = NULL;
        cr_expect(gru_predictor_create(&q, &c, &good) == GRU_OK, "%s", gru_last_error());
        gru_predictor_destroy(q), q = NULL;
        head[F * DH + 1] = NAN; /* fc1_b */
        EXPECT_ERR(gru_predictor_create(&q, &c, &good), GRU_ERR_INVALID);
        head[F * DH + 1] = 0.0f, ((float *)pmw.lw[0].w_ih)[c.graph_dim + 1] = -INFINITY; /* a tab column */
        EXPECT_ERR(gru_predictor_create(&q, &c, &good), GRU_ERR_INVALID);
        char at[32]; /* the caller's coordinates, not those of the split columns */
        snprintf(at, sizeof at, "w_ih[0][%zu] is -inf", c.graph_dim + 1);
        cr_expect(strstr(gru_last_error(), at), "message \"%s\" does not name %s", gru_last_error(), at);
        ((float *)pmw.lw[0].w_ih)[c.graph_dim + 1] = 0.0f, ((float *)pmw.lw[0].w_hh)[2] = NAN;
        EXPECT_ERR(gru_predictor_create(&q, &c, &good), GRU_ERR_INVALID);
        cr_assert(q == NULL);
        free(head);
        mrig_weights_free(&pmw);
    }
    gru_predictor_config bad = c;
    bad.head_dim = 0;
    const gru_predictor_weights pw = {NULL, NULL, NULL, NULL, NULL};
    EXPECT_ERR(gru_predictor_create(&p, &bad, &pw), GRU_ERR_INVALID);
    EXPECT_ERR(gru_predictor_create(&p, &c, &pw), GRU_ERR_NULL);
    gru_predictor_destroy(p);
    gru_predictor_destroy(NULL);

    gru_forecaster *f = NULL;
    EXPECT_ERR(gru_forecaster_load(pst, &f), GRU_ERR_FORMAT); /* no head */
    EXPECT_ERR(gru_forecaster_load(cst, &f), GRU_ERR_FORMAT);
    cr_assert(gru_forecaster_load(fst, &f) == GRU_OK);
    float y[5];
    EXPECT_ERR(gru_forecaster_forward(f, 1, 0, graph, y), GRU_ERR_INVALID);
    EXPECT_ERR(gru_forecaster_forward(f, 1, 2, NULL, y), GRU_ERR_NULL);
    EXPECT_ERR(gru_forecaster_get_info(NULL, NULL, NULL), GRU_ERR_NULL);
    {   /* non-finite x, non-finite head */
        gru_config fcfg;
        size_t outs;
        cr_assert(gru_forecaster_get_info(f, &fcfg, &outs) == GRU_OK);
        const size_t DH = (fcfg.bidirectional ? 2 : 1) * fcfg.hidden_size;
        float *x = calloc(2 * fcfg.input_size, sizeof(float)), *yo = calloc(outs, sizeof(float));
        float *hw = calloc(outs * DH, sizeof(float)), *hb = calloc(outs, sizeof(float));
        cr_assert(x && yo && hw && hb);
        x[fcfg.input_size + 1] = NAN;
        EXPECT_ERR(gru_forecaster_forward(f, 1, 2, x, yo), GRU_ERR_INVALID);
        rig_rng fr = rig_rng_init(11);
        mrig_weights fmw;
        mrig_weights_random(&fmw, &fcfg, &fr, 1.0f);
        gru_forecaster *g = NULL;
        cr_expect(gru_forecaster_create(&g, &fcfg, fmw.lw, outs, hw, hb) == GRU_OK, "%s", gru_last_error());
        gru_forecaster_destroy(g), g = NULL;
        hw[outs * DH - 1] = INFINITY;
        EXPECT_ERR(gru_forecaster_create(&g, &fcfg, fmw.lw, outs, hw, hb), GRU_ERR_INVALID);
        cr_assert(g == NULL);
        mrig_weights_free(&fmw);
        free(x), free(yo), free(hw), free(hb);
    }
    gru_forecaster_destroy(f);

    gru_model *m = NULL;
    EXPECT_ERR(gru_safetensors_load_grucell(pst, NULL, &m), GRU_ERR_FORMAT);
    EXPECT_ERR(gru_safetensors_load_rbcell(cst, NULL, &m), GRU_ERR_FORMAT);
    EXPECT_ERR(gru_safetensors_load_grucell(cst, "nope", &m), GRU_ERR_FORMAT);
    float w[6 * 5] = {0};
    EXPECT_ERR(gru_rbcell_create(&m, 0, 2, w, NULL, w, NULL), GRU_ERR_INVALID);
    EXPECT_ERR(gru_rbcell_create(&m, 3, 2, w, w, w, NULL), GRU_ERR_NULL);
    EXPECT_ERR(gru_rbcell_create(&m, 3, 2, NULL, NULL, w, NULL), GRU_ERR_NULL);
    cr_assert(m == NULL);

    /* neighbour list */
    const gru_config gc = {3, 4, 1, 0, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
    rig_rng r = rig_rng_init(9);
    mrig_weights mw;
    mrig_weights_random(&mw, &gc, &r, 1.0f);
    cr_assert(gru_model_create(&m, &gc, mw.lw) == GRU_OK);
    float table[2 * 3] = {0}, hn[2 * 4];
    int64_t off[3] = {0, 2, 3}, idx[3] = {0, 1, 1};
    for (int i = 0; i < 8; i++) hn[i] = 42.0f;
    gru_neighbor_args na = {2, table, 2, off, idx, hn, NULL};
    EXPECT_ERR(gru_neighbor_forward(NULL, &na), GRU_ERR_NULL);
    idx[2] = 2;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID); /* index >= N */
    idx[2] = -1;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID);
    idx[2] = 1, off[1] = 4;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID); /* decreasing offsets */
    off[1] = 2, off[0] = 1;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID);
    off[0] = 0, na.table = NULL;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_NULL);
    na.table = table, na.num_seqs = 0;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID);
    for (int i = 0; i < 8; i++) cr_expect(hn[i] == 42.0f, "a failing gru_neighbor_forward wrote h_n");
    na.num_seqs = 2;
    cr_expect(gru_neighbor_forward(m, &na) == GRU_OK, "%s", gru_last_error());
    float table3[3 * 3] = {0};
    table3[2 * 3 + 1] = NAN; /* row 2: no index names it */
    na.table = table3, na.num_rows = 3;
    cr_expect(gru_neighbor_forward(m, &na) == GRU_OK, "%s", gru_last_error());
    idx[1] = 2;
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_INVALID);
    idx[1] = 1, na.table = table, na.num_rows = 2;
    gru_model_destroy(m);
    mrig_weights_free(&mw);
    const gru_config g2 = {3, 4, 2, 0, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
    mrig_weights_random(&mw, &g2, &r, 1.0f);
    cr_assert(gru_model_create(&m, &g2, mw.lw) == GRU_OK);
    EXPECT_ERR(gru_neighbor_forward(m, &na), GRU_ERR_UNSUPPORTED);
    gru_model_destroy(m);
    mrig_weights_free(&mw);

    gru_safetensors_close(pst);
    gru_safetensors_close(cst);
    gru_safetensors_close(fst);
}

/* ------------------------------------------------ predictor with reduced-precision weights */
/* The golden predictors run with each weight type on 512 random sequences (graph and per-step
 * tab uniform in [-1, 1], lengths 1..8): agreement of the argmax with fp32 and the max |logit
 * difference|, reported (the README quotes them), not asserted. The lowp predictor must also be
 * bit-identical on every ISA. */
static void predictor_lowp(const char *cs) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    gru_safetensors *st = golden(cs);
    set_isa(GRU_ISA_SCALAR);
    gru_predictor *p0 = NULL;
    gru_weights *w = NULL;
    cr_assert(gru_predictor_load(st, &p0) == GRU_OK && gru_safetensors_load_gru(st, "gru.", &w) == GRU_OK);
    gru_weights_info wi;
    gru_weights_get_info(w, &wi);
    gru_predictor_config c;
    gru_predictor_get_config(p0, &c);
    cr_assert(c.weights == GRU_WEIGHTS_F32);
    const gru_predictor_weights pw = {wi.layers, arr(st, "classifier.0.weight", NULL), arr(st, "classifier.0.bias", NULL),
                                      arr(st, "classifier.3.weight", NULL), arr(st, "classifier.3.bias", NULL)};
    const size_t B = 512, T = 8, C = c.num_classes;
    rig_rng r = rig_rng_init(900);
    float *graph = malloc(B * T * c.graph_dim * sizeof(float)), *tab = NULL;
    mrig_fill(&r, graph, B * T * c.graph_dim, -1.0f, 1.0f);
    if (c.tab_dim) {
        tab = malloc(B * T * c.tab_dim * sizeof(float));
        mrig_fill(&r, tab, B * T * c.tab_dim, -1.0f, 1.0f);
    }
    int64_t len[512];
    for (size_t b = 0; b < B; b++) len[b] = 1 + (int64_t)rig_below(&r, (uint32_t)T);
    float *logits[GRU_WEIGHT_TYPES];
    for (int t = 0; t < GRU_WEIGHT_TYPES; t++) {
        logits[t] = malloc(B * C * sizeof(float));
        float *iso = malloc(B * C * sizeof(float));
        for (int k = 0; k < nisa; k++) {
            set_isa(isas[k]);
            gru_predictor_config ct = c;
            ct.weights = (gru_weight_type)t;
            gru_predictor *p = NULL;
            cr_assert(gru_predictor_create(&p, &ct, &pw) == GRU_OK, "%s: %s", cs, gru_last_error());
            const gru_predictor_args a = {B, T, graph, tab, tab != NULL, len, k ? iso : logits[t], NULL};
            cr_assert(gru_predictor_forward(p, &a) == GRU_OK, "%s: %s", cs, gru_last_error());
            if (k)
                cr_assert(!memcmp(iso, logits[t], B * C * sizeof(float)), "%s %s weights: %s differs from scalar", cs,
                          gru_weight_type_name(ct.weights), gru_isa_name(isas[k]));
            gru_predictor_destroy(p);
        }
        free(iso);
    }
    for (int t = 1; t < GRU_WEIGHT_TYPES; t++) {
        size_t agree = 0;
        double dmax = 0;
        for (size_t b = 0; b < B; b++) {
            size_t a0 = 0, a1 = 0;
            for (size_t j = 0; j < C; j++) {
                if (logits[0][b * C + j] > logits[0][b * C + a0]) a0 = j;
                if (logits[t][b * C + j] > logits[t][b * C + a1]) a1 = j;
                dmax = fmax(dmax, fabs((double)logits[t][b * C + j] - (double)logits[0][b * C + j]));
            }
            agree += a0 == a1;
        }
        cr_log_info("%-18s %s: argmax agrees with fp32 on %zu / %zu, max |logit - fp32| %.3g", cs,
                    gru_weight_type_name((gru_weight_type)t), agree, B, dmax);
    }
    for (int t = 0; t < GRU_WEIGHT_TYPES; t++) free(logits[t]);
    free(graph), free(tab);
    free((void *)pw.fc1_w), free((void *)pw.fc1_b), free((void *)pw.fc2_w), free((void *)pw.fc2_b);
    gru_weights_destroy(w);
    gru_predictor_destroy(p0);
    gru_safetensors_close(st);
}

Test(nets, predictor_lowp_plain) { predictor_lowp("pred_plain"); }
Test(nets, predictor_lowp_packed_bi) { predictor_lowp("pred_packed_bi"); }
Test(nets, predictor_lowp_tab_step_bi2) { predictor_lowp("pred_tab_step_bi2"); }
