/* SPDX-License-Identifier: MIT
 * The activation contract over every input (NUMERICS.md §2-3): all 2^32 bit patterns of x for
 * sigmoid and tanh; the scalar reference against a double-precision oracle, and every SIMD ISA
 * against the reference bit for bit. Threads: one per online CPU (GRU_TEST_THREADS overrides).
 *
 * What is counted, for the reference's y = f(x) and the oracle's e (double: tanh(x); sigmoid
 * e^x / (1 + e^x) for x < 0, 1 / (1 + e^-x) otherwise):
 *  - where |e| >= FLT_MIN (the exact result is a normal float): the error |y - e| / ulp(e), with
 *    ulp(e) = 2^(floor(log2 |e|) - 23), the float spacing in e's binade; max <= 4 is the contract;
 *  - where the correctly rounded result is +-1: y is exactly +-1 (exact saturation);
 *  - sigmoid where e < FLT_MIN: y is +0 (the flush), and y is never subnormal; tanh where
 *    |e| < FLT_MIN: error in units of 2^-149, also <= 4;
 *  - NaN in <=> NaN out; sigmoid in [+0, 1] (never -0); tanh in [-1, 1] with the sign of x.
 * Emulated runs (AVX-512 on SIMDe, NEON under QEMU) set GRU_TEST_STRIDE=k: every k-th bit pattern
 * from an offset taken from the seed, plus every subnormal, the specials (zeros, infinities, NaN
 * boundaries) and 2^16 patterns around each threshold and 2^12 around each reduction boundary. */
#include <criterion/criterion.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "rig.h"

enum { ACT_SIGMOID, ACT_TANH };
static const char *const fn_name[] = {"sigmoid", "tanh"};

#define CHUNK 65536u
#define MAX_THREADS 64


/* |x| >= 128: the exact result is within 2^-180 of its limit (+-1 or 1, or below 2^-184 for
 * sigmoid), which the oracle would return anyway; spares half the libm calls of the sweep. */
static double oracle(int which, float xf) {
    const double x = xf;
    if (fabs(x) >= 128) return which == ACT_TANH ? copysign(1.0, x) : x > 0 ? 1.0 : 0.0;
    if (which == ACT_TANH) return tanh(x);
    if (x < 0) {
        const double e = exp(x);
        return e / (1 + e);
    }
    return 1 / (1 + exp(-x));
}

/* 2^(floor(log2 |e|) - 23) for normal |e|: the float spacing in e's binade. */
static double ulp_of(double e) {
    uint64_t b;
    memcpy(&b, &e, sizeof b);
    b = ((b >> 52 & 0x7FF) - 23) << 52;
    double u;
    memcpy(&u, &b, sizeof u);
    return u;
}

/* ------------------------------------------------------------ the work list */
typedef struct span {
    uint32_t start, count; /* consecutive bit patterns */
} span;

typedef struct sweep {
    int which;
    uint64_t stride, offset; /* main sweep: offset + k * stride < 2^32 */
    uint64_t main_count, main_jobs;
    span extra[512];
    size_t n_extra;
    uint64_t extra_jobs[512]; /* first job of each extra span */
    uint64_t jobs;
    int n_isa;
    gru_isa isa[GRU_ISA_COUNT];
    atomic_ullong next_job;
} sweep;

static void add_span(sweep *s, int64_t start, int64_t count) {
    if (start < 0) count += start, start = 0;
    if (start + count > (int64_t)1 << 32) count = ((int64_t)1 << 32) - start;
    cr_assert(s->n_extra < sizeof s->extra / sizeof s->extra[0]);
    s->extra[s->n_extra].start = (uint32_t)start;
    s->extra[s->n_extra].count = (uint32_t)count;
    s->n_extra++;
}

/* Both signs of |x| = magnitude bits `b`, `half` patterns on each side. */
static void add_around(sweep *s, uint32_t b, int64_t half) {
    add_span(s, (int64_t)b - half, 2 * half);
    add_span(s, (int64_t)(b | 0x80000000u) - half, 2 * half);
}

static void plan_extras(sweep *s) {
    add_span(s, 0x00000000, 0x00800000); /* every subnormal and +-0 */
    add_span(s, 0x80000000, 0x00800000);
    static const float thresholds[] = {
        0x1.5D589Ep+6f, /* sigmoid flush */
        0x1.154246p+4f, /* sigmoid rounds to 1 */
        0x1.205968p+3f, /* tanh rounds to 1 */
        0x1.0p-126f,    /* FLT_MIN */
        0x1.0p-12f,     1.0f,
    };
    for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++) add_around(s, rig_to_bits(thresholds[i]), 32768);
    add_around(s, 0x7F800000u, 32768);         /* FLT_MAX, infinity, the first NaNs */
    add_around(s, 0x7FC00000u, 32768);         /* signalling / quiet NaN boundary */
    add_around(s, 0x7FFFFFFFu - 32767, 32768); /* the last NaNs */
    /* where the reduction's n changes: |x| = (k + 1/2) ln2 (sigmoid), (k + 1/2) ln2 / 2 (tanh) */
    const int kmax = s->which == ACT_TANH ? 26 : 126;
    const double step = s->which == ACT_TANH ? 0.5 * M_LN2 : M_LN2;
    for (int k = 0; k <= kmax; k++) add_around(s, rig_to_bits((float)((k + 0.5) * step)), 2048);
}

static void plan(sweep *s, int which, uint64_t stride) {
    memset(s, 0, sizeof *s);
    s->which = which;
    s->stride = stride;
    s->offset = stride > 1 ? rig_seed() % stride : 0;
    s->main_count = (((uint64_t)1 << 32) - s->offset + stride - 1) / stride;
    s->main_jobs = (s->main_count + CHUNK - 1) / CHUNK;
    s->jobs = s->main_jobs;
    if (stride > 1) {
        plan_extras(s);
        for (size_t i = 0; i < s->n_extra; i++) {
            s->extra_jobs[i] = s->jobs;
            s->jobs += (s->extra[i].count + CHUNK - 1) / CHUNK;
        }
    }
    RIG_FOREACH_SIMD_ISA(isa) s->isa[s->n_isa++] = isa;
    atomic_init(&s->next_job, 0);
}

/* Fills x with job j's inputs; returns how many. */
static uint32_t job_inputs(const sweep *s, uint64_t j, float *x) {
    if (j < s->main_jobs) {
        const uint64_t first = j * CHUNK, n = s->main_count - first < CHUNK ? s->main_count - first : CHUNK;
        for (uint64_t i = 0; i < n; i++) x[i] = rig_from_bits((uint32_t)(s->offset + (first + i) * s->stride));
        return (uint32_t)n;
    }
    size_t e = 0;
    while (e + 1 < s->n_extra && s->extra_jobs[e + 1] <= j) e++;
    const uint64_t first = (j - s->extra_jobs[e]) * CHUNK;
    const uint64_t left = s->extra[e].count - first, n = left < CHUNK ? left : CHUNK;
    for (uint64_t i = 0; i < n; i++) x[i] = rig_from_bits((uint32_t)(s->extra[e].start + first + i));
    return (uint32_t)n;
}

/* ------------------------------------------------------------ per-thread tallies */
typedef struct tally {
    uint64_t inputs, main_inputs, normal, over[5]; /* over[k]: normal-result errors > k ULP */
    double max_ulp;
    uint32_t max_at;
    double max_sub_ulp; /* tanh, exact result below FLT_MIN */
    uint32_t max_sub_at;
    uint64_t flushed, saturated, nan_inputs;
    uint64_t bad_flush, bad_saturation, bad_nan, bad_range, bad_sign;
    uint32_t first_bad; /* an input that broke a rule, for the message */
    int have_bad;
    uint64_t mismatches[GRU_ISA_COUNT];
    uint32_t first_mismatch[GRU_ISA_COUNT];
} tally;

typedef struct worker {
    sweep *s;
    tally t;
} worker;

static void note_bad(tally *t, uint64_t *counter, float x) {
    (*counter)++;
    if (!t->have_bad) t->first_bad = rig_to_bits(x), t->have_bad = 1;
}

static void check_reference(const sweep *s, tally *t, const float *x, const float *y, uint32_t n) {
    const int which = s->which;
    for (uint32_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            t->nan_inputs++;
            if (!isnan(y[i])) note_bad(t, &t->bad_nan, x[i]);
            continue;
        }
        if (isnan(y[i])) {
            note_bad(t, &t->bad_nan, x[i]);
            continue;
        }
        if (which == ACT_SIGMOID ? !(y[i] >= 0.0f && y[i] <= 1.0f) || signbit(y[i]) : !(fabsf(y[i]) <= 1.0f))
            note_bad(t, &t->bad_range, x[i]);
        if (which == ACT_TANH && signbit(y[i]) != signbit(x[i])) note_bad(t, &t->bad_sign, x[i]);
        const double e = oracle(which, x[i]);
        if (fabs((float)e) == 1.0f) { /* the correctly rounded result is +-1 */
            t->saturated++;
            if (y[i] != (float)e) note_bad(t, &t->bad_saturation, x[i]);
        }
        if (which == ACT_SIGMOID && y[i] != 0.0f && y[i] < FLT_MIN) note_bad(t, &t->bad_flush, x[i]);
        if (fabs(e) < FLT_MIN) {
            if (which == ACT_SIGMOID) {
                t->flushed++;
                if (rig_to_bits(y[i]) != 0) note_bad(t, &t->bad_flush, x[i]);
            } else {
                const double u = fabs((double)y[i] - e) / 0x1p-149;
                if (u > t->max_sub_ulp) t->max_sub_ulp = u, t->max_sub_at = rig_to_bits(x[i]);
            }
            continue;
        }
        const double u = fabs((double)y[i] - e) / ulp_of(e);
        t->normal++;
        for (int k = 0; k < 5; k++) t->over[k] += u > k;
        if (u > t->max_ulp) t->max_ulp = u, t->max_at = rig_to_bits(x[i]);
    }
}

static void *work(void *arg) {
    worker *w = arg;
    sweep *s = w->s;
    tally *t = &w->t;
    float *x = malloc(3 * CHUNK * sizeof *x);
    if (!x) return (void *)1;
    float *ref = x + CHUNK, *out = x + 2 * CHUNK;
    GruActDSP c0, c[GRU_ISA_COUNT];
    gru_act_dsp_init(&c0, 0);
    for (int k = 0; k < s->n_isa; k++) gru_act_dsp_init(&c[k], gru_isa_flags(s->isa[k]));
    const int tanh_fn = s->which == ACT_TANH;
    for (;;) {
        const uint64_t j = atomic_fetch_add(&s->next_job, 1);
        if (j >= s->jobs) break;
        const uint32_t n = job_inputs(s, j, x);
        t->inputs += n;
        if (j < s->main_jobs) t->main_inputs += n;
        (tanh_fn ? c0.tanh : c0.sigmoid)(ref, x, n);
        for (int k = 0; k < s->n_isa; k++) {
            const gru_isa isa = s->isa[k];
            (tanh_fn ? c[k].tanh : c[k].sigmoid)(out, x, n);
            if (!memcmp(out, ref, n * sizeof *out)) continue;
            for (uint32_t i = 0; i < n; i++)
                if (rig_to_bits(out[i]) != rig_to_bits(ref[i])) {
                    if (!t->mismatches[isa]) t->first_mismatch[isa] = rig_to_bits(x[i]);
                    t->mismatches[isa]++;
                }
        }
        check_reference(s, t, x, ref, n);
    }
    free(x);
    return NULL;
}

static void merge(tally *a, const tally *b) {
    a->inputs += b->inputs, a->main_inputs += b->main_inputs, a->normal += b->normal;
    for (int k = 0; k < 5; k++) a->over[k] += b->over[k];
    if (b->max_ulp > a->max_ulp) a->max_ulp = b->max_ulp, a->max_at = b->max_at;
    if (b->max_sub_ulp > a->max_sub_ulp) a->max_sub_ulp = b->max_sub_ulp, a->max_sub_at = b->max_sub_at;
    a->flushed += b->flushed, a->saturated += b->saturated, a->nan_inputs += b->nan_inputs;
    a->bad_flush += b->bad_flush, a->bad_saturation += b->bad_saturation, a->bad_nan += b->bad_nan;
    a->bad_range += b->bad_range, a->bad_sign += b->bad_sign;
    if (b->have_bad && !a->have_bad) a->first_bad = b->first_bad, a->have_bad = 1;
    for (int k = 0; k < GRU_ISA_COUNT; k++) {
        if (b->mismatches[k] && !a->mismatches[k]) a->first_mismatch[k] = b->first_mismatch[k];
        a->mismatches[k] += b->mismatches[k];
    }
}

static uint64_t env_u64(const char *name, uint64_t dflt, uint64_t lo, uint64_t hi) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    const unsigned long long r = strtoull(v, &end, 0);
    cr_assert(!*end && r >= lo && r <= hi, "%s=%s: expected an integer in [%" PRIu64 ", %" PRIu64 "]", name, v, lo, hi);
    return r;
}

static void run_sweep(int which) {
    static sweep s; /* static: the span table is large for a Criterion worker's stack */
    plan(&s, which, env_u64("GRU_TEST_STRIDE", 1, 1, (uint64_t)1 << 31));
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const int threads = (int)env_u64(
        "GRU_TEST_THREADS", cpus > 0 ? (uint64_t)(cpus < MAX_THREADS ? cpus : MAX_THREADS) : 1, 1, MAX_THREADS);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    static worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = &s;
        cr_assert(!pthread_create(&tid[i], NULL, work, &w[i]), "pthread_create");
    }
    tally t = {0};
    for (int i = 0; i < threads; i++) {
        void *rc;
        pthread_join(tid[i], &rc);
        cr_assert(!rc, "worker %d: out of memory", i);
        merge(&t, &w[i].t);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;

    const char *name = fn_name[which];
    if (s.stride == 1)
        printf("%s: %" PRIu64 " inputs (every bit pattern), %d threads, %.1f s\n", name, t.inputs, threads, secs);
    else
        printf("%s: %" PRIu64 " inputs (every %" PRIu64 "th bit pattern from %" PRIu64 ": %" PRIu64
               "; subnormals, specials, edges: %" PRIu64 "), %d threads, %.1f s\n",
               name, t.inputs, s.stride, s.offset, t.main_inputs, t.inputs - t.main_inputs, threads, secs);
    printf("  reference vs double oracle, exact result normal (%" PRIu64 " inputs): max %.3f ULP at x = %a "
           "(0x%08" PRIx32 "); > 1 ULP: %" PRIu64 ", > 2: %" PRIu64 ", > 3: %" PRIu64 ", > 4: %" PRIu64 "\n",
           t.normal, t.max_ulp, (double)rig_from_bits(t.max_at), t.max_at, t.over[1], t.over[2], t.over[3], t.over[4]);
    if (which == ACT_SIGMOID)
        printf("  exact result < FLT_MIN: %" PRIu64 " inputs; not +0 there or subnormal anywhere: %" PRIu64 "\n",
               t.flushed, t.bad_flush);
    else
        printf("  exact result < FLT_MIN: max %.3f ULP (of 2^-149) at x = %a\n", t.max_sub_ulp,
               (double)rig_from_bits(t.max_sub_at));
    printf("  correctly rounded to +-1: %" PRIu64 " inputs, not exactly +-1: %" PRIu64 "; NaN inputs: %" PRIu64
           ", NaN rule broken: %" PRIu64 "; out of range: %" PRIu64 "; wrong sign: %" PRIu64 "\n",
           t.saturated, t.bad_saturation, t.nan_inputs, t.bad_nan, t.bad_range, t.bad_sign);
    for (int k = 0; k < s.n_isa; k++)
        printf("  %s vs reference: %" PRIu64 " mismatches\n", gru_isa_name(s.isa[k]), t.mismatches[s.isa[k]]);
    if (!s.n_isa) printf("  no SIMD ISA on this machine: reference only\n");
    fflush(stdout);

    cr_expect_eq(t.over[4], 0, "%s: %" PRIu64 " inputs beyond 4 ULP (max %.3f at %a)", name, t.over[4], t.max_ulp,
                 (double)rig_from_bits(t.max_at));
    cr_expect(t.max_sub_ulp <= 4.0, "%s: %.3f ULP (of 2^-149) at %a", name, t.max_sub_ulp,
              (double)rig_from_bits(t.max_sub_at));
    cr_expect(!t.have_bad,
              "%s: rule broken (flush %" PRIu64 ", saturation %" PRIu64 ", NaN %" PRIu64 ", range %" PRIu64
              ", sign %" PRIu64 "), first at x = 0x%08" PRIx32,
              name, t.bad_flush, t.bad_saturation, t.bad_nan, t.bad_range, t.bad_sign, t.first_bad);
    for (int k = 0; k < s.n_isa; k++)
        cr_expect_eq(t.mismatches[s.isa[k]], 0,
                     "%s %s: %" PRIu64 " results differ from the reference, first at "
                     "x = 0x%08" PRIx32,
                     name, gru_isa_name(s.isa[k]), t.mismatches[s.isa[k]], t.first_mismatch[s.isa[k]]);
    cr_expect_eq(t.main_inputs, s.main_count, "%s: the sweep missed inputs", name);
}

Test(exhaustive, sigmoid) { run_sweep(ACT_SIGMOID); }
Test(exhaustive, tanh) { run_sweep(ACT_TANH); }
