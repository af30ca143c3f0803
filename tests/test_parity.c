/* SPDX-License-Identifier: MIT
 * Accuracy against float64 oracles, NUMERICS.md section 2: on every case,
 *     max |libgru - float64 oracle| <= 2 * max |fp32 implementation - float64 oracle| + 1e-6,
 * separately for y and h_n, on every ISA of the run.
 *  - pytorch_goldens: cases written by tests/golden/make_golden.py (format documented there):
 *    nn.GRU / nn.GRUCell, and reset-before (no PyTorch module) composed of torch ops; the
 *    oracle is the same computation in float64, the fp32 implementation PyTorch itself; the
 *    file carries the oracle's outputs and the bound. gru_oracle.c must agree with that oracle.
 *  - oracle_random: random configurations of both variants (with the corners PyTorch cannot
 *    express, e.g. length 0) against gru_oracle.c in float64; the fp32 implementation is the
 *    same oracle in PyTorch-like float32 arithmetic. gru_cell is checked the same way. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gru_oracle.h"
#include "model_rig.h"
#include "weights.h"

#ifndef GRU_GOLDEN_DIR
#error "GRU_GOLDEN_DIR (the directory of the golden files) must be defined by the build"
#endif

/* ------------------------------------------------------------------ golden files */
typedef struct golden {
    int64_t kind, I, H, L, bidirectional, bias, batch_first, T, B, has_lengths, has_h0, variant;
    double bound_y, bound_hn;
    gru_layer_weights lw[8];
    float *arrays[40]; /* every float array owned, freed at the end */
    int narrays;
    float *x, *h0;
    int64_t *lengths;
    double *y, *hn;
} golden;

typedef struct cursor {
    const unsigned char *p, *end;
    const char *name;
} cursor;

/* Copies n elements of `size` bytes out of the file (arrays in it are not aligned). */
static void *take(cursor *c, size_t n, size_t size) {
    cr_assert(n <= (size_t)(c->end - c->p) / size, "%s: file ends early", c->name);
    void *dst = malloc(n * size + 1);
    cr_assert(dst, "out of memory");
    memcpy(dst, c->p, n * size);
    c->p += n * size;
    return dst;
}

static float *take_f32(cursor *c, golden *g, size_t n) {
    cr_assert(g->narrays < 40, "%s: too many arrays", c->name);
    return g->arrays[g->narrays++] = take(c, n, sizeof(float));
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s (run tests/golden/make_golden.py?)", path);
    cr_assert(!fseek(f, 0, SEEK_END));
    const long n = ftell(f);
    cr_assert(n > 0 && !fseek(f, 0, SEEK_SET));
    unsigned char *buf = malloc((size_t)n);
    cr_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void golden_read(golden *g, const char *path) {
    const uint16_t one = 1;
    cr_assert(*(const unsigned char *)&one == 1, "golden files are little-endian; this host is not");
    memset(g, 0, sizeof *g);
    size_t size;
    unsigned char *buf = read_file(path, &size);
    cursor c = {buf, buf + size, path};
    cr_assert(size >= 8 && !memcmp(buf, "GRUGOLD1", 8), "%s: bad magic", path);
    c.p += 8;
    int64_t *f = take(&c, 12, sizeof(int64_t));
    g->kind = f[0], g->I = f[1], g->H = f[2], g->L = f[3], g->bidirectional = f[4], g->bias = f[5];
    g->batch_first = f[6], g->T = f[7], g->B = f[8], g->has_lengths = f[9], g->has_h0 = f[10], g->variant = f[11];
    free(f);
    cr_assert(g->kind == 0 || g->kind == 1, "%s: kind %lld", path, (long long)g->kind);
    cr_assert(g->I > 0 && g->I < 4096 && g->H > 0 && g->H < 4096 && g->T > 0 && g->T < 4096 && g->B > 0 &&
                  g->B < 4096 && g->L > 0 && g->L <= 4 && (g->variant == 0 || g->variant == 1),
              "%s: implausible header", path);
    cr_assert(g->kind == 0 || (g->L == 1 && !g->bidirectional && g->T == 1), "%s: a cell has one layer and step", path);
    double *bounds = take(&c, 2, sizeof(double));
    g->bound_y = bounds[0], g->bound_hn = bounds[1];
    free(bounds);
    const size_t I = (size_t)g->I, H = (size_t)g->H, L = (size_t)g->L, D = g->bidirectional ? 2 : 1;
    const size_t T = (size_t)g->T, B = (size_t)g->B;
    for (size_t l = 0; l < L; l++)
        for (size_t d = 0; d < D; d++) {
            gru_layer_weights *w = &g->lw[l * D + d];
            w->w_ih = take_f32(&c, g, 3 * H * (l ? D * H : I));
            w->w_hh = take_f32(&c, g, 3 * H * H);
            if (g->bias) w->b_ih = take_f32(&c, g, 3 * H), w->b_hh = take_f32(&c, g, 3 * H);
        }
    g->x = take_f32(&c, g, T * B * I);
    if (g->has_lengths) {
        g->lengths = take(&c, B, sizeof(int64_t));
        for (size_t b = 0; b < B; b++)
            cr_assert(g->lengths[b] >= 0 && (size_t)g->lengths[b] <= T, "%s: bad length", path);
    }
    if (g->has_h0) g->h0 = take_f32(&c, g, L * D * B * H);
    if (g->kind == 0) g->y = take(&c, T * B * D * H, sizeof(double));
    g->hn = take(&c, L * D * B * H, sizeof(double));
    cr_assert(c.p == c.end, "%s: %zu bytes of trailing data", path, (size_t)(c.end - c.p));
    free(buf);
}

static void golden_free(golden *g) {
    for (int i = 0; i < g->narrays; i++) free(g->arrays[i]);
    free(g->lengths), free(g->y), free(g->hn);
}

static const char *golden_dir(void) {
    const char *e = getenv("GRU_GOLDEN_DIR");
    return e && *e ? e : GRU_GOLDEN_DIR;
}

Test(parity, pytorch_goldens) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    char path[4096], name[256];
    snprintf(path, sizeof path, "%s/index.txt", golden_dir());
    FILE *index = fopen(path, "r");
    cr_assert(index, "cannot open %s", path);
    int cases = 0, cells = 0, packed = 0, bidir = 0, reset_before = 0;
    while (fscanf(index, "%255s", name) == 1) {
        snprintf(path, sizeof path, "%s/%s.bin", golden_dir(), name);
        golden g;
        golden_read(&g, path);
        const size_t H = (size_t)g.H, B = (size_t)g.B, T = (size_t)g.T, D = g.bidirectional ? 2 : 1;
        const size_t ny = T * B * D * H, nh = (size_t)g.L * D * B * H;
        const gru_config cfg = {.input_size = (size_t)g.I,
                                .hidden_size = H,
                                .num_layers = (size_t)g.L,
                                .bidirectional = (int)g.bidirectional,
                                .bias = (int)g.bias,
                                .variant = (gru_variant)g.variant};
        const gru_forward_args ga = {
            .seq_len = T, .batch = B, .batch_first = (int)g.batch_first, .x = g.x, .h0 = g.h0, .lengths = g.lengths};
        /* Two independent float64 oracles, PyTorch's and gru_oracle.c, agree on the case. */
        double *oy = malloc(ny * sizeof *oy), *ohn = malloc(nh * sizeof *ohn);
        gru_oracle_forward(GRU_ORACLE_F64, &cfg, g.lw, &ga, oy, ohn);
        const double agree =
            fmax(g.kind == 0 ? gru_oracle_max_err_d(oy, g.y, ny) : 0.0, gru_oracle_max_err_d(ohn, g.hn, nh));
        cr_expect(agree <= 1e-12, "%s: the C float64 oracle differs from PyTorch's by %.3g", name, agree);
        free(oy), free(ohn);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&cfg, g.lw, isas[k]);
            float *y = rig_alloc(ny, 3), *hn = rig_alloc(nh, 5);
            gru_status s;
            if (g.kind == 0) {
                gru_forward_args a = ga;
                a.y = y, a.h_n = hn;
                s = gru_forward(m, &a, NULL, 0);
            } else {
                s = gru_cell(m, 0, 0, B, g.x, g.h0, hn, NULL, 0);
            }
            cr_assert(s == GRU_OK, "%s on %s: %s (%s)", name, gru_isa_name(isas[k]), gru_status_str(s),
                      gru_last_error());
            const double ey = g.kind == 0 ? gru_oracle_max_err_f(y, g.y, ny) : 0.0;
            const double eh = gru_oracle_max_err_f(hn, g.hn, nh);
            cr_expect(ey <= g.bound_y, "%s on %s: max |y - oracle| = %.3g > bound %.3g", name, gru_isa_name(isas[k]),
                      ey, g.bound_y);
            cr_expect(eh <= g.bound_hn, "%s on %s: max |h_n - oracle| = %.3g > bound %.3g", name, gru_isa_name(isas[k]),
                      eh, g.bound_hn);
            if (k == 0)
                cr_log_info("%-20s y err %.3g (bound %.3g, PyTorch fp32 %.3g), h_n err %.3g (bound %.3g, PyTorch fp32 "
                            "%.3g)",
                            name, ey, g.bound_y, g.kind ? 0.0 : (g.bound_y - 1e-6) / 2, eh, g.bound_hn,
                            (g.bound_hn - 1e-6) / 2);
            rig_check_guard(y, "y"), rig_check_guard(hn, "h_n");
            rig_free(y), rig_free(hn);
            gru_model_destroy(m);
        }
        cases++, cells += g.kind == 1, packed += (int)g.has_lengths, bidir += (int)g.bidirectional;
        reset_before += g.variant == GRU_VARIANT_RESET_BEFORE;
        golden_free(&g);
    }
    fclose(index);
    cr_assert(cases > 0 && cells > 0 && packed > 0 && bidir > 0 && reset_before > 0,
              "the golden set lacks cases (%d, cells %d, packed %d, bidirectional %d, reset-before %d)", cases, cells,
              packed, bidir, reset_before);
    cr_log_info("PyTorch parity: %d golden cases (%d cells, %d packed, %d bidirectional, %d reset-before) x %d ISAs "
                "within bound; the C float64 oracle agrees with PyTorch's on each",
                cases, cells, packed, bidir, reset_before, nisa);
}

/* ---------------------------------------------------------- random vs C oracle */
typedef struct ocase {
    gru_config cfg;
    gru_forward_args args;
    mrig_weights w;
    float scale;
} ocase;

static void ocase_make(ocase *o, rig_rng *r, gru_variant variant) {
    memset(o, 0, sizeof *o);
    const size_t I = 1 + rig_below(r, 40), H = 1 + rig_below(r, 40), L = 1 + rig_below(r, 3);
    o->cfg = (gru_config){.input_size = I,
                          .hidden_size = H,
                          .num_layers = L,
                          .bidirectional = (int)rig_below(r, 2),
                          .bias = rig_below(r, 4) != 0,
                          .variant = variant};
    o->scale = rig_below(r, 3) ? 1.0f : 3.0f;
    mrig_weights_random(&o->w, &o->cfg, r, o->scale);
    const size_t T = 1 + rig_below(r, 12), B = 1 + rig_below(r, 6), D = mrig_dirs(&o->cfg);
    float *x = malloc(T * B * I * sizeof *x);
    mrig_fill(r, x, T * B * I, -2.0f, 2.0f);
    float *h0 = NULL;
    if (rig_below(r, 3)) {
        h0 = malloc(L * D * B * H * sizeof *h0);
        mrig_fill(r, h0, L * D * B * H, -1.0f, 1.0f);
    }
    int64_t *len = NULL;
    if (rig_below(r, 3)) {
        len = malloc(B * sizeof *len);
        for (size_t b = 0; b < B; b++) len[b] = (int64_t)rig_below(r, (uint32_t)T + 1);
        len[rig_below(r, (uint32_t)B)] = (int64_t)T;
    }
    o->args = (gru_forward_args){
        .seq_len = T, .batch = B, .batch_first = (int)rig_below(r, 2), .x = x, .h0 = h0, .lengths = len};
}

static void ocase_free(ocase *o) {
    free((void *)o->args.x), free((void *)o->args.h0), free((void *)o->args.lengths);
    mrig_weights_free(&o->w);
}

static const char *odescribe(const ocase *o) {
    static char s[240];
    snprintf(s, sizeof s,
             "variant=%d I=%zu H=%zu L=%zu D=%zu bias=%d T=%zu B=%zu batch_first=%d h0=%d lengths=%d "
             "scale=%g (GRU_TEST_SEED=%llu)",
             (int)o->cfg.variant, o->cfg.input_size, o->cfg.hidden_size, o->cfg.num_layers, mrig_dirs(&o->cfg),
             o->cfg.bias, o->args.seq_len, o->args.batch, o->args.batch_first, o->args.h0 != NULL,
             o->args.lengths != NULL, (double)o->scale, (unsigned long long)rig_seed());
    return s;
}

/* The float32 stand-in's error on y and h_n: the worst of its summation orders (gru_oracle.h). */
static void fp32_error(const gru_config *cfg, const gru_layer_weights *lw, const gru_forward_args *a, const double *y64,
                       const double *hn64, size_t ny, size_t nh, double *ey, double *eh) {
    static const gru_oracle_precision orders[3] = {GRU_ORACLE_F32, GRU_ORACLE_F32_FMA, GRU_ORACLE_F32_FMA_REV};
    double *y = ny ? malloc(ny * sizeof *y) : NULL, *hn = malloc(nh * sizeof *hn);
    *ey = *eh = 0;
    for (int i = 0; i < 3; i++) {
        gru_oracle_forward(orders[i], cfg, lw, a, y, hn);
        if (y) *ey = fmax(*ey, gru_oracle_max_err_d(y, y64, ny));
        *eh = fmax(*eh, gru_oracle_max_err_d(hn, hn64, nh));
    }
    free(y), free(hn);
}

/* Checks `got` (float) against the f64 oracle within 2 * e32 + 1e-6. Returns err / bound. */
static double check_bound(const float *got, const double *o64, double e32, size_t n, const char *what, gru_isa isa,
                          const ocase *o) {
    const double bound = 2 * e32 + 1e-6, err = gru_oracle_max_err_f(got, o64, n);
    cr_assert(err <= bound, "%s on %s: max |libgru - float64 oracle| = %.3g > bound %.3g (fp32 stand-in %.3g); %s",
              what, gru_isa_name(isa), err, bound, e32, odescribe(o));
    return err / bound;
}

Test(parity, oracle_random) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(500);
    int counts[2] = {0, 0};
    double worst = 0;
    char worst_case[240] = "";
    for (int c = 0; c < 60; c++) {
        const gru_variant variant = c % 3 ? GRU_VARIANT_RESET_BEFORE : GRU_VARIANT_LINEAR_BEFORE_RESET;
        ocase o;
        ocase_make(&o, &r, variant);
        const size_t T = o.args.seq_len, B = o.args.batch, H = o.cfg.hidden_size, D = mrig_dirs(&o.cfg);
        const size_t ny = T * B * D * H, nh = o.cfg.num_layers * D * B * H;
        double *y64 = malloc(ny * sizeof *y64), *hn64 = malloc(nh * sizeof *hn64), ey, eh, ec, unused;
        gru_oracle_forward(GRU_ORACLE_F64, &o.cfg, o.w.lw, &o.args, y64, hn64);
        fp32_error(&o.cfg, o.w.lw, &o.args, y64, hn64, ny, nh, &ey, &eh);
        /* The cell: layer 0, direction 0, one step of the first B*I inputs from h0[0]. */
        gru_config cell_cfg = o.cfg;
        cell_cfg.num_layers = 1, cell_cfg.bidirectional = 0;
        gru_forward_args cell_args = o.args;
        cell_args.seq_len = 1, cell_args.batch_first = 0, cell_args.lengths = NULL;
        double *c64 = malloc(B * H * sizeof *c64);
        gru_oracle_forward(GRU_ORACLE_F64, &cell_cfg, o.w.lw, &cell_args, NULL, c64);
        fp32_error(&cell_cfg, o.w.lw, &cell_args, NULL, c64, 0, B * H, &unused, &ec);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&o.cfg, o.w.lw, isas[k]);
            float *y = rig_alloc(ny, 1), *hn = rig_alloc(nh, 2), *hc = rig_alloc(B * H, 3);
            gru_forward_args a = o.args;
            a.y = y, a.h_n = hn;
            gru_status s = gru_forward(m, &a, NULL, 0);
            cr_assert(s == GRU_OK, "gru_forward: %s (%s); %s", gru_status_str(s), gru_last_error(), odescribe(&o));
            s = gru_cell(m, 0, 0, B, o.args.x, o.args.h0, hc, NULL, 0);
            cr_assert(s == GRU_OK, "gru_cell: %s (%s); %s", gru_status_str(s), gru_last_error(), odescribe(&o));
            const double ratio = fmax(
                fmax(check_bound(y, y64, ey, ny, "y", isas[k], &o), check_bound(hn, hn64, eh, nh, "h_n", isas[k], &o)),
                check_bound(hc, c64, ec, B * H, "gru_cell", isas[k], &o));
            if (ratio > worst) worst = ratio, snprintf(worst_case, sizeof worst_case, "%s", odescribe(&o));
            rig_check_guard(y, "y"), rig_check_guard(hn, "h_n"), rig_check_guard(hc, "h_out");
            rig_free(y), rig_free(hn), rig_free(hc);
            gru_model_destroy(m);
        }
        counts[variant]++;
        free(y64), free(hn64), free(c64);
        ocase_free(&o);
    }
    cr_log_info("float64 oracle: %d reset-before + %d linear-before-reset random configurations (forward and cell) x "
                "%d ISAs within 2 x fp32 error + 1e-6; worst error / bound = %.3f (%s)",
                counts[GRU_VARIANT_RESET_BEFORE], counts[GRU_VARIANT_LINEAR_BEFORE_RESET], nisa, worst, worst_case);
}

/* ------------------------------------------------- reduced-precision weights: a report */
/* Max |out(type) - out(fp32)| of y and h_n, and the max |out(type) - float64 oracle|. Run on the
 * scalar model: every ISA gives the same bits for each type (test_forward). Nothing asserted
 * beyond finiteness and success: the README quotes these numbers. */
typedef struct lowp_err {
    double y, hn, y64, hn64;
} lowp_err;

static void lowp_measure(const gru_config *cfg0, const gru_layer_weights *lw, const gru_forward_args *a0, int cell,
                         const double *y64, const double *hn64, size_t ny, size_t nh, lowp_err e[GRU_WEIGHT_TYPES]) {
    float *y[GRU_WEIGHT_TYPES], *hn[GRU_WEIGHT_TYPES];
    for (int t = 0; t < GRU_WEIGHT_TYPES; t++) {
        gru_config cfg = *cfg0;
        cfg.weights = (gru_weight_type)t;
        gru_model *m = mrig_model(&cfg, lw, GRU_ISA_SCALAR);
        y[t] = malloc((ny ? ny : 1) * sizeof(float)), hn[t] = malloc(nh * sizeof(float));
        gru_forward_args a = *a0;
        a.y = y[t], a.h_n = hn[t];
        const gru_status s = cell ? gru_cell(m, 0, 0, a0->batch, a0->x, a0->h0, hn[t], NULL, 0) : gru_forward(m, &a, NULL, 0);
        cr_assert(s == GRU_OK, "%s weights: %s", gru_weight_type_name(cfg.weights), gru_last_error());
        gru_model_destroy(m);
    }
    for (int t = 1; t < GRU_WEIGHT_TYPES; t++) {
        lowp_err *x = &e[t];
        for (size_t i = 0; i < ny && !cell; i++) {
            cr_assert(isfinite(y[t][i]));
            x->y = fmax(x->y, fabs((double)y[t][i] - (double)y[0][i]));
            if (y64) x->y64 = fmax(x->y64, fabs((double)y[t][i] - y64[i]));
        }
        for (size_t i = 0; i < nh; i++) {
            cr_assert(isfinite(hn[t][i]));
            x->hn = fmax(x->hn, fabs((double)hn[t][i] - (double)hn[0][i]));
            if (hn64) x->hn64 = fmax(x->hn64, fabs((double)hn[t][i] - hn64[i]));
        }
    }
    for (int t = 0; t < GRU_WEIGHT_TYPES; t++) free(y[t]), free(hn[t]);
}

static void lowp_log(const char *what, const lowp_err *e, int oracle) {
    for (int t = 1; t < GRU_WEIGHT_TYPES; t++)
        if (oracle)
            cr_log_info("%-22s %s: max |y - y_fp32| %.3g, |h_n - h_n_fp32| %.3g; vs float64 oracle: y %.3g, h_n %.3g",
                        what, gru_weight_type_name((gru_weight_type)t), e[t].y, e[t].hn, e[t].y64, e[t].hn64);
        else
            cr_log_info("%-22s %s: max |y - y_fp32| %.3g, |h_n - h_n_fp32| %.3g", what,
                        gru_weight_type_name((gru_weight_type)t), e[t].y, e[t].hn);
}

Test(parity, reduced_precision_report) {
    char path[4096], name[256];
    snprintf(path, sizeof path, "%s/index.txt", golden_dir());
    FILE *index = fopen(path, "r");
    cr_assert(index, "cannot open %s", path);
    lowp_err all[GRU_WEIGHT_TYPES] = {{0}};
    while (fscanf(index, "%255s", name) == 1) {
        snprintf(path, sizeof path, "%s/%s.bin", golden_dir(), name);
        golden g;
        golden_read(&g, path);
        const size_t H = (size_t)g.H, B = (size_t)g.B, T = (size_t)g.T, D = g.bidirectional ? 2 : 1;
        const size_t ny = g.kind == 0 ? T * B * D * H : 0, nh = (size_t)g.L * D * B * H;
        const gru_config cfg = {.input_size = (size_t)g.I, .hidden_size = H, .num_layers = (size_t)g.L,
                                .bidirectional = (int)g.bidirectional, .bias = (int)g.bias,
                                .variant = (gru_variant)g.variant};
        const gru_forward_args ga = {
            .seq_len = T, .batch = B, .batch_first = (int)g.batch_first, .x = g.x, .h0 = g.h0, .lengths = g.lengths};
        lowp_err e[GRU_WEIGHT_TYPES] = {{0}};
        lowp_measure(&cfg, g.lw, &ga, g.kind == 1, g.y, g.hn, ny, nh, e);
        lowp_log(name, e, 1);
        for (int t = 1; t < GRU_WEIGHT_TYPES; t++)
            all[t].y = fmax(all[t].y, e[t].y), all[t].hn = fmax(all[t].hn, e[t].hn),
            all[t].y64 = fmax(all[t].y64, e[t].y64), all[t].hn64 = fmax(all[t].hn64, e[t].hn64);
        golden_free(&g);
    }
    fclose(index);
    lowp_log("ALL golden cases", all, 1);
    /* Random models (PyTorch's initialisation, H up to 40, T up to 12), against fp32 only. */
    rig_rng r = rig_rng_init(501);
    lowp_err rnd[GRU_WEIGHT_TYPES] = {{0}};
    for (int c = 0; c < 40; c++) {
        ocase o;
        ocase_make(&o, &r, c % 2 ? GRU_VARIANT_RESET_BEFORE : GRU_VARIANT_LINEAR_BEFORE_RESET);
        const size_t D = mrig_dirs(&o.cfg), H = o.cfg.hidden_size, B = o.args.batch;
        lowp_measure(&o.cfg, o.w.lw, &o.args, 0, NULL, NULL, o.args.seq_len * B * D * H, o.cfg.num_layers * D * B * H,
                     rnd);
        ocase_free(&o);
    }
    lowp_log("ALL 40 random models", rnd, 0);
}
