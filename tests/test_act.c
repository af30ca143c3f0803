/* SPDX-License-Identifier: MIT
 * Activation family, checkasm-style: for sigmoid and tanh, the scalar reference first, then every
 * SIMD ISA this machine (or its emulation) has, on identical seeded inputs, compared with memcmp:
 * sizes around every tile boundary, in place, unaligned starts, guard bytes after the output,
 * inputs from several ranges. Then the reference's special values and a sampled accuracy check
 * (the full 2^32 sweep is tests/test_act_exhaustive.c), and the public entry points. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "act.h"
#include "rig.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

enum { ACT_SIGMOID, ACT_TANH };
static const char *const fn_name[] = {"sigmoid", "tanh"};

static gru_act_fn table_fn(unsigned flags, int which) {
    GruActDSP c;
    gru_act_dsp_init(&c, flags);
    return which == ACT_TANH ? c.tanh : c.sigmoid;
}


/* ---------------------------------------------------------------- inputs */
typedef enum {
    RANGE_GATE,      /* uniform [-10, 10]: what GRU gates see */
    RANGE_TINY,      /* |x| in [2^-40, 2^-4), random exponent */
    RANGE_SUBNORMAL, /* exponent field 0, both signs, including +-0 */
    RANGE_EDGES,     /* within 2^12 ULP of the thresholds (saturation, underflow, 0) */
    RANGE_HUGE,      /* |x| >= 16, up to FLT_MAX, and infinities */
    RANGE_SPECIAL,   /* NaNs (quiet, signalling, payloads, both signs), infinities, zeros, limits */
    RANGE_BITS,      /* uniformly random bit patterns */
    RANGE_COUNT
} act_range;
static const char *const range_name[] = {"gate", "tiny", "subnormal", "edges", "huge", "special", "bits"};

/* Float thresholds where the functions change regime (|x|; both signs are used). */
static const float edges[] = {
    0x1.5D589Ep+6f, /* 87.3365: sigmoid(-x) drops below FLT_MIN */
    0x1.154246p+4f, /* 17.3287: sigmoid rounds to 1 */
    0x1.205968p+3f, /* 9.0109: tanh rounds to 1 */
    0x1.62E430p-1f, /* ln 2: reduction boundaries */
    0x1.62E430p-2f, /* ln 2 / 2 */
    0x1.0p-126f,    /* FLT_MIN */
    0x1.0p-12f,     /* tanh(x) -> x */
    1.0f,
};

static const uint32_t special_bits[] = {
    0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, /* +-0, +-inf */
    0x7FC00000u, 0xFFC00000u, 0x7FC00001u, 0xFFFFFFFFu, /* quiet NaNs */
    0x7F800001u, 0xFF800001u, 0x7FA00000u, 0x7FBFFFFFu, /* signalling NaNs */
    0x7F7FFFFFu, 0xFF7FFFFFu, 0x00800000u, 0x80800000u, /* +-FLT_MAX, +-FLT_MIN */
    0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu, /* subnormal extremes */
    0x3F800000u, 0xBF800000u, 0x33800000u, 0xB3800000u, /* +-1, +-2^-24 */
};

static float gen(rig_rng *r, act_range range) {
    const uint32_t sign = rig_u32(r) & 0x80000000u;
    switch (range) {
    case RANGE_GATE:
        return rig_uniform(r, -10.0f, 10.0f);
    case RANGE_TINY:
        return rig_from_bits(sign | ((87u + rig_below(r, 36)) << 23) | (rig_u32(r) & 0x7FFFFFu));
    case RANGE_SUBNORMAL:
        return rig_from_bits(sign | (rig_u32(r) & 0x7FFFFFu));
    case RANGE_EDGES: {
        const float e = edges[rig_below(r, sizeof edges / sizeof edges[0])];
        return rig_from_bits(sign | (rig_to_bits(e) + rig_below(r, 8193) - 4096));
    }
    case RANGE_HUGE:
        if (rig_below(r, 64) == 0) return rig_from_bits(sign | 0x7F800000u);
        return rig_from_bits(sign | ((131u + rig_below(r, 124)) << 23) | (rig_u32(r) & 0x7FFFFFu));
    case RANGE_SPECIAL:
        if (rig_below(r, 2)) return rig_from_bits(special_bits[rig_below(r, sizeof special_bits / sizeof special_bits[0])]);
        return rig_from_bits(sign | 0x7F800000u | (1u + rig_below(r, 0x7FFFFFu))); /* any NaN */
    case RANGE_BITS:
    case RANGE_COUNT:
        break;
    }
    return rig_from_bits(rig_u32(r));
}

/* ------------------------------------------------- SIMD == reference, bit for bit */
/* Every SIMD ISA on x[0..n) (placed `misalign` floats past a 64-byte boundary), out of place and
 * in place, against the reference; returns the number of ISAs checked. */
static int cross_check(int which, const float *src, size_t n, size_t misalign, const char *what) {
    float *x = rig_alloc(n, misalign), *ref = rig_alloc(n, misalign), *out = rig_alloc(n, misalign);
    if (n) memcpy(x, src, n * sizeof *x);
    table_fn(0, which)(ref, x, n);
    rig_check_guard(ref, "reference");
    /* the reference in place gives the same bits */
    if (n) memcpy(out, x, n * sizeof *x);
    table_fn(0, which)(out, out, n);
    cr_assert(!n || !memcmp(out, ref, n * sizeof *out), "%s reference in place differs (%s, n = %zu)", fn_name[which],
              what, n);
    int checked = 0;
    RIG_FOREACH_SIMD_ISA(isa) {
        const gru_act_fn f = table_fn(gru_isa_flags(isa), which);
        for (int inplace = 0; inplace < 2; inplace++) {
            if (n) memcpy(out, x, n * sizeof *x);
            if (inplace)
                f(out, out, n);
            else
                f(out, x, n);
            for (size_t i = 0; i < n; i++)
                cr_assert(rig_to_bits(out[i]) == rig_to_bits(ref[i]),
                          "%s %s%s differs from the reference at i = %zu of n = %zu (misalign %zu, %s): "
                          "x = %a (0x%08x) -> %a (0x%08x), reference %a (0x%08x)",
                          fn_name[which], gru_isa_name(isa), inplace ? " in place" : "", i, n, misalign, what,
                          (double)x[i], rig_to_bits(x[i]), (double)out[i], rig_to_bits(out[i]), (double)ref[i],
                          rig_to_bits(ref[i]));
            rig_check_guard(out, gru_isa_name(isa));
        }
        checked++;
    }
    rig_free(x), rig_free(ref), rig_free(out);
    return checked;
}

/* Sizes around every tile boundary for VL = 4, 8, 16 (1, VL-1, VL, VL+1, 2VL+3, ...) and large. */
static const size_t sizes[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  11, 12, 13, 15, 16,  17,   19,  20,
                               23, 24, 25, 27, 31, 32, 33, 35, 47, 48, 49, 63, 64, 65, 100, 1000, 4099};

static void sizes_and_alignments(int which) {
    rig_rng r = rig_rng_init(100 + (uint64_t)which);
    enum { MAXN = 4099 };
    float *src = rig_alloc(MAXN, 0);
    int isas = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const size_t n = sizes[k];
        for (size_t i = 0; i < n; i++) src[i] = gen(&r, (act_range)rig_below(&r, RANGE_COUNT));
        const size_t misalign = k % 16; /* every start offset 0..15 floats over the list */
        isas = cross_check(which, src, n, misalign, "mixed ranges");
    }
    for (size_t misalign = 0; misalign < 16; misalign++) { /* every offset with a body and a tail */
        for (size_t i = 0; i < 37; i++) src[i] = gen(&r, RANGE_GATE);
        cross_check(which, src, 37, misalign, "gate range");
    }
    rig_free(src);
    cr_log_info("%s: %d SIMD ISA(s) cross-checked (seed %llu)", fn_name[which], isas, (unsigned long long)rig_seed());
}

Test(act, sigmoid_sizes_alignment_inplace) { sizes_and_alignments(ACT_SIGMOID); }
Test(act, tanh_sizes_alignment_inplace) { sizes_and_alignments(ACT_TANH); }

static void every_range(int which) {
    rig_rng r = rig_rng_init(200 + (uint64_t)which);
    enum { N = 4096 };
    float *src = rig_alloc(N, 0);
    for (int range = 0; range < RANGE_COUNT; range++) {
        for (size_t i = 0; i < N; i++) src[i] = gen(&r, (act_range)range);
        cross_check(which, src, N, (size_t)range, range_name[range]);
    }
    rig_free(src);
}

Test(act, sigmoid_every_range) { every_range(ACT_SIGMOID); }
Test(act, tanh_every_range) { every_range(ACT_TANH); }

/* ------------------------------------------------- the reference's values */
/* Exact sigmoid/tanh in double, computed stably (NUMERICS.md §2). */
static double exact(int which, float xf) {
    const double x = xf;
    if (which == ACT_TANH) return tanh(x);
    if (x < 0) {
        const double e = exp(x);
        return e / (1 + e);
    }
    return 1 / (1 + exp(-x));
}

/* |y - e| in units of the float spacing in e's binade (2^-149 below FLT_MIN). */
static double ulp_error(float y, double e) {
    int ex;
    frexp(e, &ex);
    const double ulp = fabs(e) < FLT_MIN ? 0x1p-149 : ldexp(1.0, ex - 24);
    return fabs((double)y - e) / ulp;
}

/* Every ISA gives the same bits as the reference (checked above); these pin the reference. */
static void expect_value(int which, float x, float want) {
    float y;
    table_fn(0, which)(&y, &x, 1);
    cr_expect(rig_to_bits(y) == rig_to_bits(want), "%s(%a) = %a (0x%08x), want %a (0x%08x)", fn_name[which], (double)x,
              (double)y, rig_to_bits(y), (double)want, rig_to_bits(want));
    RIG_FOREACH_SIMD_ISA(isa) {
        float v[16] = {0};
        v[3] = x; /* a lane other than the first */
        table_fn(gru_isa_flags(isa), which)(v, v, 16);
        cr_expect(rig_to_bits(v[3]) == rig_to_bits(want), "%s %s(%a) = %a, want %a", gru_isa_name(isa), fn_name[which],
                  (double)x, (double)v[3], (double)want);
    }
}

Test(act, special_values) {
    const float inf = INFINITY;
    expect_value(ACT_SIGMOID, -inf, 0.0f);
    expect_value(ACT_SIGMOID, inf, 1.0f);
    expect_value(ACT_SIGMOID, 0.0f, 0.5f);
    expect_value(ACT_SIGMOID, -0.0f, 0.5f);
    expect_value(ACT_SIGMOID, -FLT_MAX, 0.0f);
    expect_value(ACT_SIGMOID, FLT_MAX, 1.0f);
    expect_value(ACT_SIGMOID, -1e26f, 0.0f);
    expect_value(ACT_SIGMOID, 1e26f, 1.0f);
    expect_value(ACT_SIGMOID, -0x1.5D58A0p+6f, 0.0f); /* just below the FLT_MIN threshold: +0 */
    expect_value(ACT_SIGMOID, 0x1.154246p+4f, 1.0f);  /* 17.3287: first float where sigmoid rounds to 1 */
    expect_value(ACT_SIGMOID, 20.0f, 1.0f);
    expect_value(ACT_TANH, 0.0f, 0.0f);
    expect_value(ACT_TANH, -0.0f, -0.0f);
    expect_value(ACT_TANH, inf, 1.0f);
    expect_value(ACT_TANH, -inf, -1.0f);
    expect_value(ACT_TANH, FLT_MAX, 1.0f);
    expect_value(ACT_TANH, -FLT_MAX, -1.0f);
    expect_value(ACT_TANH, 1e26f, 1.0f);
    expect_value(ACT_TANH, 0x1.205968p+3f, 1.0f); /* 9.0109: first float where tanh rounds to 1 */
    expect_value(ACT_TANH, -0x1.205968p+3f, -1.0f);
    expect_value(ACT_TANH, 0x1p-149f, 0x1p-149f);
    expect_value(ACT_TANH, -0x1p-20f, -0x1p-20f);
    /* NaN in, NaN out, every ISA, any payload or sign */
    for (size_t k = 0; k < sizeof special_bits / sizeof special_bits[0]; k++) {
        const float x = rig_from_bits(special_bits[k]);
        if (x == x) continue;
        for (int which = 0; which < 2; which++) {
            float y;
            table_fn(0, which)(&y, &x, 1);
            cr_expect(y != y, "%s(NaN 0x%08x) = %a", fn_name[which], special_bits[k], (double)y);
        }
    }
}

/* Saturation and flush are exact from the threshold on: every float from the first x where the
 * correctly rounded result is 1 (+0 for sigmoid's flush) for 2^16 ULPs onwards, then random ones. */
static void expect_all(int which, const float *x, float *y, size_t n, float want) {
    table_fn(0, which)(y, x, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(rig_to_bits(y[i]) == rig_to_bits(want), "%s(%a) = %a, want %a", fn_name[which], (double)x[i], (double)y[i],
                  (double)want);
    RIG_FOREACH_SIMD_ISA(isa) {
        table_fn(gru_isa_flags(isa), which)(y, x, n);
        for (size_t i = 0; i < n; i++)
            cr_assert(rig_to_bits(y[i]) == rig_to_bits(want), "%s %s(%a) = %a, want %a", gru_isa_name(isa), fn_name[which],
                      (double)x[i], (double)y[i], (double)want);
    }
}

/* x from `from` (the first float whose correctly rounded result is `want`) over 2^16 ULPs away
 * from zero, then 2^16 random floats further out, up to infinity. */
static void expect_constant_from(int which, float from, float want) {
    enum { N = 1 << 16 };
    rig_rng r = rig_rng_init(500 + (uint64_t)which);
    float *x = rig_alloc(N, 0), *y = rig_alloc(N, 0);
    const uint32_t b = rig_to_bits(from), span = 0x7F800000u - (b & 0x7FFFFFFFu);
    for (uint32_t i = 0; i < N; i++) x[i] = rig_from_bits(b + i);
    expect_all(which, x, y, N, want);
    for (size_t i = 0; i < N; i++) x[i] = rig_from_bits(b + rig_below(&r, span));
    expect_all(which, x, y, N, want);
    rig_free(x), rig_free(y);
}

Test(act, saturation_and_flush_are_exact) {
    expect_constant_from(ACT_SIGMOID, 0x1.154246p+4f, 1.0f);
    expect_constant_from(ACT_SIGMOID, -0x1.5D58A0p+6f, 0.0f); /* the float below -0x1.5D589Ep+6 */
    expect_constant_from(ACT_TANH, 0x1.205968p+3f, 1.0f);
    expect_constant_from(ACT_TANH, -0x1.205968p+3f, -1.0f);
    /* and just inside: sigmoid at the least x with an exact result >= FLT_MIN is normal */
    const float x = -0x1.5D589Ep+6f;
    float y;
    table_fn(0, ACT_SIGMOID)(&y, &x, 1);
    cr_expect(y >= FLT_MIN && ulp_error(y, exact(ACT_SIGMOID, x)) <= 4.0, "sigmoid(%a) = %a", (double)x, (double)y);
}

static void sampled_accuracy(int which) {
    rig_rng r = rig_rng_init(300 + (uint64_t)which);
    enum { N = 1 << 16, ROUNDS = 16 };
    float *x = rig_alloc(N, 0), *y = rig_alloc(N, 0);
    const gru_act_fn f = table_fn(0, which);
    double worst = 0;
    float worst_x = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* half in [-20, 20], half any bit pattern */
        for (size_t i = 0; i < N; i++) x[i] = i & 1 ? gen(&r, RANGE_BITS) : rig_uniform(&r, -20.0f, 20.0f);
        f(y, x, N);
        for (size_t i = 0; i < N; i++) {
            if (x[i] != x[i]) {
                cr_assert(y[i] != y[i], "%s(NaN) = %a", fn_name[which], (double)y[i]);
                continue;
            }
            const double e = exact(which, x[i]);
            cr_assert(which == ACT_TANH ? fabsf(y[i]) <= 1.0f : (y[i] >= 0.0f && y[i] <= 1.0f && !signbit(y[i])),
                      "%s(%a) = %a out of range", fn_name[which], (double)x[i], (double)y[i]);
            if (which == ACT_SIGMOID && e < FLT_MIN) {
                cr_assert(rig_to_bits(y[i]) == 0, "sigmoid(%a) = %a, exact %g < FLT_MIN: want +0", (double)x[i],
                          (double)y[i], e);
                continue;
            }
            const double u = ulp_error(y[i], e);
            if (u > worst) worst = u, worst_x = x[i];
        }
    }
    cr_log_info("%s: max %.3f ULP over %d sampled inputs (at %a)", fn_name[which], worst, N * ROUNDS, (double)worst_x);
    cr_expect(worst <= 4.0, "%s: %.3f ULP at x = %a exceeds the 4 ULP contract", fn_name[which], worst,
              (double)worst_x);
    rig_free(x), rig_free(y);
}

Test(act, sigmoid_sampled_accuracy) { sampled_accuracy(ACT_SIGMOID); }
Test(act, tanh_sampled_accuracy) { sampled_accuracy(ACT_TANH); }

/* ------------------------------------------------- FTZ/DAZ cannot change a result */
/* Sets flush-to-zero and denormals-are-zero (x86 MXCSR FTZ|DAZ, AArch64 FPCR.FZ); returns the old
 * state for fp_restore, or -1 where this architecture has no such mode here. */
static long fp_flush_denormals(void) {
#if defined(__x86_64__)
    const unsigned old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u);
    return (long)old;
#elif defined(__aarch64__)
    unsigned long old;
    __asm__ volatile("mrs %0, fpcr" : "=r"(old));
    __asm__ volatile("msr fpcr, %0" ::"r"(old | (1ul << 24)));
    return (long)old;
#else
    return -1;
#endif
}

static void fp_restore(long old) {
#if defined(__x86_64__)
    _mm_setcsr((unsigned)old);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" ::"r"((unsigned long)old));
#else
    (void)old;
#endif
}

/* sigmoid: every input; tanh: every input that is not subnormal (there the exact result is
 * subnormal too, outside the contract, and flushing it is what the caller asked for). */
static void flush_mode_check(int which) {
    rig_rng r = rig_rng_init(600 + (uint64_t)which);
    enum { N = 1 << 15 };
    float *x = rig_alloc(N, 0), *ref = rig_alloc(N, 0), *out = rig_alloc(N, 0);
    for (size_t i = 0; i < N; i++) x[i] = gen(&r, (act_range)(i % RANGE_COUNT));
    for (int isa = 0; isa < GRU_ISA_COUNT; isa++) {
        if (isa != GRU_ISA_SCALAR && !rig_isa_available((gru_isa)isa)) continue;
        const gru_act_fn f = table_fn(gru_isa_flags((gru_isa)isa), which);
        f(ref, x, N);
        const long old = fp_flush_denormals();
        if (old == -1) cr_skip_test("no flush-to-zero mode on this architecture");
        f(out, x, N);
        fp_restore(old);
        for (size_t i = 0; i < N; i++) {
            if (which == ACT_TANH && fpclassify(x[i]) == FP_SUBNORMAL) continue;
            cr_assert(rig_to_bits(out[i]) == rig_to_bits(ref[i]), "%s %s(%a) = %a with FTZ/DAZ, %a without",
                      gru_isa_name((gru_isa)isa), fn_name[which], (double)x[i], (double)out[i], (double)ref[i]);
        }
    }
    rig_free(x), rig_free(ref), rig_free(out);
}

Test(act, sigmoid_ignores_flush_to_zero) { flush_mode_check(ACT_SIGMOID); }
Test(act, tanh_ignores_flush_to_zero) { flush_mode_check(ACT_TANH); }

/* ------------------------------------------------- public entry points */
typedef gru_status (*public_fn)(float *, const float *, size_t);
static const public_fn public_fns[] = {gru_sigmoid_f32, gru_tanh_f32};
static const char *const public_name[] = {"gru_sigmoid_f32", "gru_tanh_f32"};

Test(act, public_argument_errors) {
    float buf[4] = {1, 2, 3, 4};
    for (int which = 0; which < 2; which++) {
        const public_fn f = public_fns[which];
        const char *name = public_name[which];
        cr_expect_eq(f(NULL, buf, 4), GRU_ERR_NULL, "%s: NULL y", name);
        cr_expect(strstr(gru_last_error(), name), "%s: message '%s' does not name the call", name, gru_last_error());
        cr_expect_eq(f(buf, NULL, 1), GRU_ERR_NULL, "%s: NULL x", name);
        cr_expect_eq(f(NULL, NULL, 2), GRU_ERR_NULL, "%s: NULL x and y", name);
        const size_t too_many = SIZE_MAX / sizeof(float) + 1;
        cr_expect_eq(f(buf, buf, too_many), GRU_ERR_OVERFLOW, "%s: n = %zu", name, too_many);
        cr_expect(strstr(gru_last_error(), "overflow"), "%s: message '%s'", name, gru_last_error());
        cr_expect_eq(f(buf, buf, SIZE_MAX), GRU_ERR_OVERFLOW, "%s: n = SIZE_MAX", name);
        /* failing calls wrote nothing */
        cr_expect(buf[0] == 1 && buf[1] == 2 && buf[2] == 3 && buf[3] == 4, "%s: a failing call wrote", name);
        /* n == 0 is a no-op, with or without pointers */
        cr_expect_eq(f(NULL, NULL, 0), GRU_OK, "%s: n = 0 with NULL", name);
        cr_expect_eq(f(buf, buf + 1, 0), GRU_OK, "%s: n = 0", name);
        cr_expect(buf[0] == 1 && buf[1] == 2, "%s: n = 0 wrote", name);
    }
}

/* The public calls give the reference's bits under every ISA cap, out of place and in place. */
Test(act, public_matches_reference_under_every_cap) {
    rig_rng r = rig_rng_init(400);
    enum { N = 1003 };
    float *x = rig_alloc(N, 3), *ref = rig_alloc(N, 5), *out = rig_alloc(N, 7);
    for (size_t i = 0; i < N; i++) x[i] = gen(&r, (act_range)(i % RANGE_COUNT));
    const gru_isa detected = gru_isa_detected();
    for (int which = 0; which < 2; which++) {
        table_fn(0, which)(ref, x, N);
        for (int isa = 0; isa < GRU_ISA_COUNT; isa++) {
            if (isa != GRU_ISA_SCALAR && !rig_isa_available((gru_isa)isa)) continue;
            cr_assert_eq(gru_set_max_isa((gru_isa)isa), GRU_OK, "cap %s: %s", gru_isa_name((gru_isa)isa),
                         gru_last_error());
            cr_assert_eq(public_fns[which](out, x, N), GRU_OK);
            cr_expect(!memcmp(out, ref, N * sizeof *out), "%s under cap %s differs from the reference",
                      public_name[which], gru_isa_name((gru_isa)isa));
            memcpy(out, x, N * sizeof *x);
            cr_assert_eq(public_fns[which](out, out, N), GRU_OK);
            cr_expect(!memcmp(out, ref, N * sizeof *out), "%s in place under cap %s differs", public_name[which],
                      gru_isa_name((gru_isa)isa));
            rig_check_guard(out, public_name[which]);
        }
    }
    cr_assert_eq(gru_set_max_isa(detected), GRU_OK);
    rig_free(x), rig_free(ref), rig_free(out);
}
