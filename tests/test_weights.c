/* SPDX-License-Identifier: MIT
 * Weight storage types: the pack-time narrowing (weights.h) against independent oracles, and
 * the kernels' widening of every 16-bit pattern and every int8 on every ISA (through the GEMM
 * with k = 1, whose output is exactly the widened weight).
 * Oracles: fp16/bf16 by searching the sorted list of every finite value of the format (widened
 * by src/io/half.h) for the nearest one in double, ties to the even encoding, with the value past
 * the largest finite one (2^16, 2^128) standing for inf; int8 by the definition, rounding with
 * rint() in the default (nearest-even) mode. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "io/half.h"
#include "pack.h"
#include "rig.h"
#include "weights.h"

typedef struct format {
    const char *name;
    uint16_t max_enc;   /* encoding of the largest finite positive value; +1 is +inf */
    double past_max;    /* the value the encoding past max_enc would have without the inf */
    float (*widen)(uint16_t);
    uint16_t (*narrow)(float);
} format;

static const format f16 = {"fp16", 0x7BFF, 65536.0, gru_f16_to_f32, gru_f32_to_f16};
static const format bf16 = {"bf16", 0x7F7F, 0x1p128, gru_bf16_to_f32, gru_f32_to_bf16};

static double value(const format *f, uint32_t e) { return e > f->max_enc ? f->past_max : (double)f->widen((uint16_t)e); }

/* The nearest encoding to x, ties to even (x not NaN). */
static uint16_t oracle(const format *f, float x) {
    const uint16_t sign = signbit(x) ? 0x8000 : 0;
    const double a = fabs((double)x);
    uint32_t lo = 0, hi = f->max_enc + 1u; /* value(lo) <= a is kept; find the last such */
    if (a >= value(f, hi)) return sign | (uint16_t)hi;
    while (hi - lo > 1) {
        const uint32_t mid = (lo + hi) / 2;
        if (value(f, mid) <= a) lo = mid;
        else hi = mid;
    }
    const double dl = a - value(f, lo), dh = value(f, hi) - a;
    const uint32_t e = dl < dh ? lo : dh < dl ? hi : (lo % 2 == 0 ? lo : hi);
    return sign | (uint16_t)e;
}

static void check_one(const format *f, float x) {
    const uint16_t got = f->narrow(x);
    if (isnan(x)) {
        cr_assert(isnan(f->widen(got)), "%s(%a): NaN became 0x%04x", f->name, (double)x, got);
        cr_assert(f->widen(got) == f->widen(got) || rig_to_bits(f->widen(got)) & 0x400000u,
                  "%s: NaN not quiet", f->name);
        return;
    }
    const uint16_t want = oracle(f, x);
    cr_assert(got == want, "%s(%a = bits 0x%08x) = 0x%04x, nearest-even is 0x%04x", f->name, (double)x,
              rig_to_bits(x), got, want);
}

/* Every midpoint between neighbours and the floats on each side of it (ties and near-ties,
 * subnormals and the overflow threshold included), specials, and random bit patterns. */
static void sweep(const format *f) {
    size_t n = 0;
    for (uint32_t e = 0; e <= f->max_enc; e++) {
        const double mid = 0.5 * (value(f, e) + value(f, e + 1));
        const float m = (float)mid; /* exact: one more bit than the format */
        cr_assert((double)m == mid || e == f->max_enc);
        const float xs[3] = {nextafterf(m, 0.0f), m, nextafterf(m, INFINITY)};
        for (int i = 0; i < 3; i++, n += 2) check_one(f, xs[i]), check_one(f, -xs[i]);
        check_one(f, f->widen((uint16_t)e)); /* exact values stay */
    }
    static const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, 0x1p-149f, -0x1p-149f, 0x1p-126f,
                                     0x1.fffffep127f, 65504.0f, 65519.99f, 65520.0f, 0x1p-24f, 0x1p-25f,
                                     0x1.000002p-25f, 0x1.8p-24f, 0x1.4p-24f, 0x1.ffcp-15f, 1.0f, -1.0f};
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++, n++) check_one(f, specials[i]);
    const uint32_t nans[] = {0x7FC00000u, 0x7F800001u, 0xFFC12345u, 0x7FBFFFFFu, 0xFF800001u};
    for (size_t i = 0; i < sizeof nans / sizeof *nans; i++, n++) check_one(f, rig_from_bits(nans[i]));
    rig_rng r = rig_rng_init(71);
    for (int i = 0; i < 200000; i++, n++) check_one(f, rig_from_bits(rig_u32(&r)));
    cr_log_info("%s: %zu conversions equal the nearest-even oracle", f->name, n);
}

Test(weights, fp16_nearest_even) { sweep(&f16); }
Test(weights, bf16_nearest_even) { sweep(&bf16); }

/* int8: the scale is max|w| / 127, every q the float quotient rounded half-even and clamped, the
 * extremes map to +-127, |w/s - q| <= 1/2; zero rows give s = 0, q = 0; non-finite rows s = NaN. */
Test(weights, int8_quantization) {
    rig_rng r = rig_rng_init(72);
    size_t checked = 0;
    for (int row = 0; row < 2000; row++) {
        const size_t n = 1 + rig_below(&r, 200);
        float w[200];
        const float mag = ldexpf(1.0f, (int)rig_below(&r, 40) - 20);
        for (size_t k = 0; k < n; k++) {
            w[k] = rig_uniform(&r, -mag, mag);
            if (rig_below(&r, 8) == 0) w[k] = rintf(w[k] / mag * 127.0f) * mag / 127.0f; /* near ties */
        }
        float amax = 0.0f;
        for (size_t k = 0; k < n; k++) amax = fmaxf(amax, fabsf(w[k]));
        const float s = gru_int8_scale(w, n);
        cr_assert(rig_to_bits(s) == rig_to_bits(amax / 127.0f), "int8 scale %a, max|w| / 127 = %a", (double)s,
                  (double)(amax / 127.0f));
        for (size_t k = 0; k < n; k++, checked++) {
            const int8_t q = gru_int8_quantize(w[k], s);
            if (s == 0.0f) { /* a row of zeros (the near-tie rounding can make one): s = 0, every q 0 */
                cr_assert(w[k] == 0.0f && q == 0, "int8: zero scale, w = %a, q = %d", (double)w[k], q);
                continue;
            }
            float want = rintf(w[k] / s);
            want = want > 127.0f ? 127.0f : want < -127.0f ? -127.0f : want;
            cr_assert((float)q == want, "int8 q(%a, s = %a) = %d, expected %g", (double)w[k], (double)s, q,
                      (double)want);
            cr_assert(fabsf(w[k] / s - (float)q) <= 0.5f, "int8: |w/s - q| > 1/2");
            if (fabsf(w[k]) == amax) cr_assert(q == (w[k] < 0 ? -127 : 127), "int8: max|w| is not +-127");
        }
    }
    const float zeros[5] = {0.0f, -0.0f, 0.0f, 0.0f, 0.0f};
    cr_assert(gru_int8_scale(zeros, 5) == 0.0f && gru_int8_quantize(-0.0f, 0.0f) == 0);
    const float bad[3] = {1.0f, INFINITY, 2.0f}, nan3[3] = {1.0f, NAN, -3.0f};
    cr_assert(isnan(gru_int8_scale(bad, 3)) && isnan(gru_int8_scale(nan3, 3)), "int8: a non-finite row's scale is NaN");
    cr_assert(gru_int8_quantize(1.0f, NAN) == 0);
    cr_log_info("int8: %zu weights in 2000 rows quantized as defined", checked);
}

/* One GEMM with k = 2, a = (1, 0), start NULL, column j = (w_j, 127): g[j] = fma(0, 127, fma(1,
 * widened w_j, 0)) = the widened weight (int8: the row's max is 127, so s = 1 and
 * g = fma(1, q_j, 0) = q_j). Run on every ISA for type t over the weights w[n]; returns the
 * reference output and checks every ISA against it. */
static float *widen_all(gru_weight_type t, const float *w, size_t n) {
    float a[2] = {1.0f, 0.0f}, *ref = NULL, *wk = malloc(2 * n * sizeof *wk);
    const float **cols = malloc(n * sizeof *cols);
    for (size_t j = 0; j < n; j++) wk[2 * j] = w[j], wk[2 * j + 1] = 127.0f, cols[j] = wk + 2 * j;
    for (gru_isa isa = GRU_ISA_SCALAR; isa < GRU_ISA_COUNT; isa = (gru_isa)(isa + 1)) {
        if (isa != GRU_ISA_SCALAR && !rig_isa_available(isa)) continue;
        GruGemmDSP c;
        gru_gemm_dsp_init(&c, gru_isa_flags(isa));
        size_t bytes;
        cr_assert(gru_pack_gemm_bytes(n, 2, c.nr, t, &bytes));
        float *wp = rig_alloc((bytes + 3) / 4, 0), *g = rig_alloc(n, 1);
        gru_pack_gemm(wp, cols, n, 2, c.nr, t);
        c.gemm[t](g, n, a, 2, wp, NULL, 1, n, 2);
        rig_check_guard(g, "g");
        if (!ref) {
            ref = malloc(n * sizeof *ref);
            memcpy(ref, g, n * sizeof *ref);
        } else {
            for (size_t j = 0; j < n; j++)
                cr_assert(rig_to_bits(g[j]) == rig_to_bits(ref[j]) || (isnan(g[j]) && isnan(ref[j])),
                          "%s %s: weight %zu (%a) widens to %a, the reference to %a", gru_isa_name(isa),
                          gru_weight_type_name(t), j, (double)w[j], (double)g[j], (double)ref[j]);
        }
        rig_free(wp), rig_free(g);
    }
    free(cols), free(wk);
    return ref;
}

Test(weights, widening_every_pattern) {
    const size_t n = 65536;
    float *w = malloc(n * sizeof *w);
    const format *fs[2] = {&f16, &bf16};
    for (int f = 0; f < 2; f++) {
        for (size_t j = 0; j < n; j++) w[j] = fs[f]->widen((uint16_t)j);
        float *g = widen_all(f ? GRU_WEIGHTS_BF16 : GRU_WEIGHTS_F16, w, n);
        for (size_t j = 0; j < n; j++) /* fma(1, w, +0) = w, except -0 + +0 = +0 */
            cr_assert(isnan(w[j]) ? isnan(g[j]) : g[j] == w[j] && (w[j] != 0.0f || !signbit(g[j])),
                      "%s pattern 0x%04zx: %a, expected %a", fs[f]->name, j, (double)g[j], (double)w[j]);
        free(g);
    }
    float q[255];
    for (int i = 0; i < 255; i++) q[i] = (float)(i - 127);
    float *g = widen_all(GRU_WEIGHTS_INT8, q, 255);
    for (int i = 0; i < 255; i++) cr_assert(g[i] == q[i], "int8 %d widens to %a", i - 127, (double)g[i]);
    free(g), free(w);
    cr_log_info("every fp16 and bf16 pattern and every int8 widen identically on %d SIMD ISAs", rig_simd_isa_count());
}

/* Accuracy against fp32, one chain (a pre-activation: the GEMM's g = chain(start; W, a), the same
 * chain the gates kernels run over h). With u = 2^-24 and gamma(n) = n u / (1 - n u), the
 * standard bound for a sequence of n correctly rounded FMAs gives
 *   |g_fp32 - exact(W)| <= gamma(K) (|start| + sum_k |a_k w_k|)
 *   |g_type - exact(W')| <= gamma(K + 1) (|start| + sum_k |a_k w'_k|)   (int8: one fma more),
 * W' the stored weights; and |exact(W') - exact(W)| <= sum_k |a_k| e_k with the per-weight bound
 *   fp16: e = 2^-11 |w| (normal range) or 2^-25 (subnormal: half the spacing 2^-24),
 *   bf16: e = 2^-8 |w| (half an ulp of an 8-bit significand; weights here are normal),
 *   int8: e = s/2 + u |w| (|fl(w/s) - q| <= 1/2 and fl(w/s) = (w/s)(1 + d), |d| <= u).
 * So |g_type - g_fp32| is at most the sum of the three; asserted for every element, every ISA. */
static double gamma_n(size_t n) { return (double)n * 0x1p-24 / (1.0 - (double)n * 0x1p-24); }

Test(weights, one_step_error_bound) {
    rig_rng r = rig_rng_init(73);
    double worst[GRU_WEIGHT_TYPES] = {0};
    size_t checked = 0;
    for (int c = 0; c < 24; c++) {
        const size_t m = 1 + rig_below(&r, 5), n = 1 + rig_below(&r, 70), K = 1 + rig_below(&r, 600);
        float *a = malloc(m * K * sizeof *a), *w = malloc(n * K * sizeof *w), *start = malloc(n * sizeof *start);
        const float ws = ldexpf(1.0f, -(int)rig_below(&r, 18)); /* fp16 subnormal weights for small ws */
        for (size_t i = 0; i < m * K; i++) a[i] = rig_uniform(&r, -1.0f, 1.0f);
        for (size_t i = 0; i < n * K; i++) w[i] = rig_uniform(&r, -ws, ws);
        for (size_t j = 0; j < n; j++) start[j] = rig_uniform(&r, -1.0f, 1.0f);
        const float **cols = malloc(n * sizeof *cols);
        for (size_t j = 0; j < n; j++) cols[j] = w + j * K;
        for (gru_isa isa = GRU_ISA_SCALAR; isa < GRU_ISA_COUNT; isa = (gru_isa)(isa + 1)) {
            if (isa != GRU_ISA_SCALAR && !rig_isa_available(isa)) continue;
            GruGemmDSP d;
            gru_gemm_dsp_init(&d, gru_isa_flags(isa));
            const size_t pn = (n + d.nr - 1) / d.nr * d.nr;
            float *st = calloc(pn, sizeof *st), *g[GRU_WEIGHT_TYPES];
            memcpy(st, start, n * sizeof *st);
            for (unsigned t = 0; t < GRU_WEIGHT_TYPES; t++) {
                size_t bytes;
                cr_assert(gru_pack_gemm_bytes(n, K, d.nr, (gru_weight_type)t, &bytes));
                void *wp = malloc(bytes);
                gru_pack_gemm(wp, cols, n, K, d.nr, (gru_weight_type)t);
                g[t] = malloc(m * n * sizeof(float));
                d.gemm[t](g[t], n, a, K, wp, st, m, n, K);
                free(wp);
            }
            for (size_t j = 0; j < n; j++) {
                const float s = gru_int8_scale(cols[j], K);
                for (size_t i = 0; i < m; i++) {
                    double sw = 0, e[GRU_WEIGHT_TYPES] = {0}, sw2[GRU_WEIGHT_TYPES] = {0};
                    for (size_t k = 0; k < K; k++) {
                        const double ak = fabs((double)a[i * K + k]), wk = fabs((double)cols[j][k]);
                        sw += ak * wk;
                        e[1] += ak * (wk >= 0x1p-14 ? 0x1p-11 * wk : 0x1p-25);
                        e[2] += ak * 0x1p-8 * wk;
                        e[3] += ak * ((double)s / 2 + 0x1p-24 * wk);
                        sw2[1] += ak * fabs((double)gru_f16_to_f32(gru_f32_to_f16(cols[j][k])));
                        sw2[2] += ak * fabs((double)gru_bf16_to_f32(gru_f32_to_bf16(cols[j][k])));
                        sw2[3] += ak * fabs((double)s * gru_int8_quantize(cols[j][k], s));
                    }
                    const double s0 = fabs((double)start[j]), g0 = g[0][i * n + j];
                    for (unsigned t = 1; t < GRU_WEIGHT_TYPES; t++) {
                        const unsigned b = gru_ih_weight_type((gru_weight_type)t); /* int8dyn's GEMM is int8 */
                        const double bound = e[b] + gamma_n(K) * (s0 + sw) + gamma_n(K + 1) * (s0 + sw2[b]);
                        const double err = fabs((double)g[t][i * n + j] - g0);
                        cr_assert(err <= bound, "%s %s K=%zu: |g - g_fp32| = %.3g > bound %.3g (weight part %.3g)",
                                  gru_isa_name(isa), gru_weight_type_name((gru_weight_type)t), K, err, bound, e[t]);
                        worst[t] = fmax(worst[t], err / bound);
                        checked++;
                    }
                }
            }
            for (unsigned t = 0; t < GRU_WEIGHT_TYPES; t++) free(g[t]);
            free(st);
        }
        free(a), free(w), free(start), free(cols);
    }
    cr_log_info("one-chain error vs fp32 within the derived bound for %zu elements; worst error / bound: fp16 %.2f, "
                "bf16 %.2f, int8 %.2f",
                checked, worst[1], worst[2], worst[3]);
}

Test(weights, names) {
    static const char *const names[GRU_WEIGHT_TYPES] = {"fp32", "fp16", "bf16", "int8", "int8dyn"};
    for (int t = 0; t < GRU_WEIGHT_TYPES; t++) {
        gru_weight_type back = (gru_weight_type)-1;
        cr_expect_str_eq(gru_weight_type_name((gru_weight_type)t), names[t]);
        cr_assert_eq(gru_weight_type_from_name(names[t], &back), GRU_OK);
        cr_expect_eq(back, (gru_weight_type)t);
    }
    gru_weight_type w = GRU_WEIGHTS_BF16;
    cr_expect_str_eq(gru_weight_type_name((gru_weight_type)GRU_WEIGHT_TYPES), "unknown");
    cr_expect_eq(gru_weight_type_from_name("f16", &w), GRU_ERR_INVALID);
    cr_expect_eq(w, GRU_WEIGHTS_BF16, "a failing call writes nothing");
    cr_expect_eq(gru_weight_type_from_name(NULL, &w), GRU_ERR_NULL);
    cr_expect_eq(gru_weight_type_from_name("fp32", NULL), GRU_ERR_NULL);
}
