/* SPDX-License-Identifier: MIT
 * GEMM family, checkasm-style: the reference equals a naive FMA chain written here from the
 * contract in gemm.h, and every SIMD ISA equals the reference bit for bit, on sizes around
 * every tile boundary (rows, panel columns, k blocks), with strides, unaligned buffers, guard
 * bytes, and untouched gaps between output rows; for every weight storage type (the naive chain
 * uses the weights converted here: widened fp16/bf16, or int8 integers and the row scale). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "pack.h"
#include "rig.h"
#include "io/half.h"
#include "weights.h"

#define SENTINEL 0x7fc0dead /* a NaN payload no kernel produces: marks floats that must stay unwritten */

typedef struct gemm_case {
    size_t m, n, k, lda, ldg;
    float *a, *w, *start; /* w: [n][k]; start: NULL or n floats */
    gru_weight_type wt;   /* storage type the kernels run with */
} gemm_case;

/* The weights as the kernels of type t see them: wq[j][k] the widened value (int8: the integer q),
 * scale[j] the int8 row scale (1 otherwise). */
static void convert(const gemm_case *t, float *wq, float *scale) {
    for (size_t j = 0; j < t->n; j++) {
        const float *w = t->w + j * t->k;
        scale[j] = gru_ih_weight_type(t->wt) == GRU_WEIGHTS_INT8 ? gru_int8_scale(w, t->k) : 1.0f;
        for (size_t q = 0; q < t->k; q++)
            wq[j * t->k + q] = t->wt == GRU_WEIGHTS_F16    ? gru_f16_to_f32(gru_f32_to_f16(w[q]))
                               : t->wt == GRU_WEIGHTS_BF16 ? gru_bf16_to_f32(gru_f32_to_bf16(w[q]))
                               : gru_ih_weight_type(t->wt) == GRU_WEIGHTS_INT8 ? (float)gru_int8_quantize(w[q], scale[j])
                                                            : w[q];
    }
}

static float sentinel(void) {
    const uint32_t u = SENTINEL;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Runs one table on the case; returns the g buffer (ldg * (m - 1) + n floats, guarded). */
static float *run(const GruGemmDSP *c, const gemm_case *t, size_t misalign) {
    size_t bytes;
    cr_assert(gru_pack_gemm_bytes(t->n, t->k, c->nr, t->wt, &bytes));
    const size_t pn = (t->n + c->nr - 1) / c->nr * c->nr;
    float *wp = rig_alloc((bytes + 3) / 4, misalign), *start = NULL;
    const float **cols = malloc(t->n * sizeof *cols);
    for (size_t j = 0; j < t->n; j++) cols[j] = t->w + j * t->k;
    gru_pack_gemm(wp, cols, t->n, t->k, c->nr, t->wt);
    free(cols);
    if (t->start) { /* the contract: start holds round_up(n, nr) floats; the tail is never used */
        start = rig_alloc(pn, misalign);
        for (size_t j = 0; j < pn; j++) start[j] = j < t->n ? t->start[j] : sentinel();
    }
    const size_t gn = t->ldg * (t->m - 1) + t->n;
    float *g = rig_alloc(gn, (misalign * 5) % 16);
    for (size_t i = 0; i < gn; i++) g[i] = sentinel();
    c->gemm[t->wt](g, t->ldg, t->a, t->lda, wp, start, t->m, t->n, t->k);
    rig_check_guard(g, "gemm output");
    rig_free(wp);
    rig_free(start);
    return g;
}

static void fill_case(rig_rng *r, gemm_case *t, size_t m, size_t n, size_t k) {
    t->m = m, t->n = n, t->k = k;
    t->lda = k + rig_below(r, 3);
    t->ldg = n + rig_below(r, 3);
    t->a = rig_alloc(t->lda * m, rig_below(r, 16));
    t->w = rig_alloc(n * k, rig_below(r, 16));
    for (size_t i = 0; i < t->lda * m; i++) t->a[i] = rig_uniform(r, -2.0f, 2.0f);
    /* One case in 8 has tiny weights: subnormal or zero int8 scales, fp16 underflow. */
    const float wmax = rig_below(r, 8) ? 1.0f : ldexpf(1.0f, -120 - (int)rig_below(r, 20));
    for (size_t i = 0; i < n * k; i++) t->w[i] = rig_uniform(r, -wmax, wmax);
    t->start = NULL;
    t->wt = GRU_WEIGHTS_F32;
    if (rig_below(r, 4)) {
        t->start = rig_alloc(n, 0);
        for (size_t j = 0; j < n; j++) t->start[j] = rig_uniform(r, -1.0f, 1.0f);
    }
}

static void free_case(gemm_case *t) {
    rig_free(t->a), rig_free(t->w), rig_free(t->start);
}

/* Checks one case for one weight type: naive chain == reference == every SIMD ISA, gaps
 * untouched. Returns ISAs. */
static int check_type(rig_rng *r, gemm_case *tc, gru_weight_type wt) {
    gemm_case t = *tc;
    const size_t m = t.m, n = t.n, k = t.k;
    t.wt = wt;
    float *wq = malloc(n * k * sizeof *wq), *scale = malloc(n * sizeof *scale);
    convert(&t, wq, scale);
    GruGemmDSP c0;
    gru_gemm_dsp_init(&c0, 0);
    float *ref = run(&c0, &t, rig_below(r, 16));
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            const float s0 = t.start ? t.start[j] : 0.0f;
            const int i8 = gru_ih_weight_type(wt) == GRU_WEIGHTS_INT8; /* int8dyn's GEMM is int8 */
            float acc = i8 ? 0.0f : s0;
            for (size_t q = 0; q < k; q++) acc = fmaf(t.a[i * t.lda + q], wq[j * k + q], acc);
            if (i8) acc = fmaf(scale[j], acc, s0);
            const float got = ref[i * t.ldg + j];
            cr_assert(!memcmp(&acc, &got, sizeof acc),
                      "reference gemm %s m=%zu n=%zu k=%zu: g[%zu][%zu] = %a, the FMA chain gives %a",
                      gru_weight_type_name(wt), m, n, k, i, j, (double)got, (double)acc);
        }
        if (i + 1 < m)
            for (size_t j = n; j < t.ldg; j++)
                cr_assert(isnan(ref[i * t.ldg + j]), "reference gemm wrote the gap after row %zu", i);
    }
    free(wq), free(scale);
    int isas = 0;
    RIG_FOREACH_SIMD_ISA(isa) {
        GruGemmDSP c;
        gru_gemm_dsp_init(&c, gru_isa_flags(isa));
        float *g = run(&c, &t, rig_below(r, 16));
        const size_t gn = t.ldg * (m - 1) + n;
        if (memcmp(ref, g, gn * sizeof *g)) {
            for (size_t i = 0; i < gn; i++)
                if (memcmp(ref + i, g + i, sizeof *g))
                    cr_assert_fail("gemm %s %s m=%zu n=%zu k=%zu lda=%zu ldg=%zu start=%s: first difference at row "
                                   "%zu col %zu: %a vs reference %a",
                                   gru_isa_name(isa), gru_weight_type_name(wt), m, n, k, t.lda, t.ldg,
                                   t.start ? "yes" : "NULL", i / t.ldg, i % t.ldg, (double)g[i], (double)ref[i]);
        }
        rig_free(g);
        isas++;
    }
    rig_free(ref);
    return isas;
}

/* Checks one case for every weight type. Returns ISAs. */
static int check_case(rig_rng *r, size_t m, size_t n, size_t k) {
    gemm_case t;
    fill_case(r, &t, m, n, k);
    int isas = 0;
    for (unsigned wt = 0; wt < GRU_WEIGHT_TYPES; wt++) isas = check_type(r, &t, (gru_weight_type)wt);
    free_case(&t);
    return isas;
}

/* Sizes around the tile boundaries of every ISA: rows (MR 4 or 6), panel widths (4, 16, 24, 64)
 * and the panel groups of the few-rows path (up to 4 panels). */
Test(gemm, tile_boundaries) {
    static const size_t ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 25};
    static const size_t ns[] = {1, 3, 4, 5, 8, 15, 16, 17, 23, 24, 25, 33, 48, 63, 64, 65, 97, 129, 200};
    static const size_t ks[] = {1, 2, 3, 8, 17, 64};
    rig_rng r = rig_rng_init(11);
    int cases = 0, isas = 0;
    for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++) {
            const size_t k = ks[rig_below(&r, sizeof ks / sizeof *ks)];
            isas = check_case(&r, ms[a], ns[b], k);
            cases++;
        }
    cr_log_info("gemm: %d shapes x %d weight types x (naive chain, reference, %d SIMD ISAs) bit-identical", cases,
                GRU_WEIGHT_TYPES, isas);
}

/* Long k and many rows (several row blocks, whose size depends on k). */
Test(gemm, k_and_row_blocks) {
    static const size_t shapes[][3] = {{1, 70, 257}, {7, 33, 256}, {13, 64, 513}, {97, 17, 300},
                                       {200, 40, 20}, {193, 129, 260}, {3, 200, 700}, {150, 30, 3000}};
    rig_rng r = rig_rng_init(12);
    int isas = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        isas = check_case(&r, shapes[s][0], shapes[s][1], shapes[s][2]);
    cr_log_info("gemm: %zu large shapes x %d weight types x (naive chain, reference, %d SIMD ISAs) bit-identical",
                sizeof shapes / sizeof *shapes, GRU_WEIGHT_TYPES, isas);
}

/* A row's bits do not depend on the other rows: row i of an m-row product equals the same row
 * computed alone (m = 1 takes the few-rows path with several panels per tile). */
Test(gemm, row_independent) {
    rig_rng r = rig_rng_init(13);
    gemm_case t;
    fill_case(&r, &t, 23, 77, 41);
    int isas = 0;
    for (unsigned wt = 0; wt < GRU_WEIGHT_TYPES; wt++)
    for (gru_isa isa = GRU_ISA_SCALAR; isa < GRU_ISA_COUNT; isa = (gru_isa)(isa + 1)) {
        if (isa != GRU_ISA_SCALAR && !rig_isa_available(isa)) continue;
        t.wt = (gru_weight_type)wt;
        GruGemmDSP c;
        gru_gemm_dsp_init(&c, gru_isa_flags(isa));
        float *all = run(&c, &t, 0);
        for (size_t i = 0; i < t.m; i += 5) {
            gemm_case one = t;
            one.m = 1;
            one.a = t.a + i * t.lda;
            float *g = run(&c, &one, 1);
            cr_assert(!memcmp(g, all + i * t.ldg, t.n * sizeof *g), "gemm %s: row %zu alone differs from in the batch",
                      gru_isa_name(isa), i);
            rig_free(g);
        }
        rig_free(all);
        isas += wt == 0;
    }
    free_case(&t);
    cr_log_info("gemm: rows alone equal rows in a 23-row product on %d ISAs, %d weight types", isas, GRU_WEIGHT_TYPES);
}
