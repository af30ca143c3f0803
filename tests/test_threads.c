/* SPDX-License-Identifier: MIT
 * Threads: gru_forward and gru_cell give memcmp-equal y, h_n and h_out on 1, 2, 3 and 4 threads,
 * with the library's pool (gru_set_num_threads) and with a caller's pthreadpool, on every ISA of
 * this run, equal to the scalar reference on one thread. The configurations are drawn so that every
 * split of the engine runs on every ISA (directions at once, batch slices of whole gates tiles,
 * hidden-unit blocks per step, one thread for tiny shapes; the projection by rows and by column
 * panels; the least work per split is set to 0 so that small shapes split), which the test
 * checks through gru_layer_split. Several application threads calling gru_forward at once on the
 * library's pool get the one-thread bits, and so do calls under another rounding mode (the
 * workers take the caller's). Also: gru_set_num_threads(0) and
 * values past the limit are GRU_ERR_INVALID and change nothing. (GRU_NUM_THREADS is tested through
 * the CLI, tools/test_cli.py: it is read once per process.) Seeded by the rig. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fenv.h>
#include <pthreadpool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "model.h"
#include "model_rig.h"
#include "weights.h"

#define SHARDS 4
#define MAX_THREADS 4

typedef struct tcase {
    gru_config cfg;
    size_t T, B;
    int batch_first, has_h0, has_lengths;
} tcase;

static const char *describe(const tcase *f) {
    static char s[300];
    snprintf(s, sizeof s, "I=%zu H=%zu L=%zu D=%d bias=%d variant=%d weights=%s T=%zu B=%zu batch_first=%d h0=%d "
             "lengths=%d (GRU_TEST_SEED=%llu)", f->cfg.input_size, f->cfg.hidden_size, f->cfg.num_layers,
             f->cfg.bidirectional ? 2 : 1, f->cfg.bias, (int)f->cfg.variant, gru_weight_type_name(f->cfg.weights),
             f->T, f->B, f->batch_first, f->has_h0, f->has_lengths, (unsigned long long)rig_seed());
    return s;
}

/* Kinds of case, one per split the engine can choose with 2 threads; drawn in turn. */
enum { K_SLICES, K_DIRECTIONS, K_BLOCKS, K_TINY, K_KINDS };

static size_t in_range(rig_rng *r, size_t lo, size_t hi) { return lo + rig_below(r, (uint32_t)(hi - lo + 1)); }

static tcase random_case(rig_rng *r, int kind) {
    tcase f;
    memset(&f, 0, sizeof f);
    f.cfg.num_layers = 1 + rig_below(r, 3);
    f.cfg.bias = rig_below(r, 4) != 0;
    f.cfg.variant = (gru_variant)rig_below(r, 2);
    f.batch_first = (int)rig_below(r, 2);
    f.has_h0 = (int)rig_below(r, 2);
    f.has_lengths = rig_below(r, 3) != 0;
    switch (kind) {
    case K_SLICES: /* many rows: slices of 4 or 8-row tiles; the projection split by rows */
        f.cfg.input_size = in_range(r, 1, 80), f.cfg.hidden_size = in_range(r, 20, 70);
        f.B = in_range(r, 17, 44), f.T = in_range(r, 2, 5);
        break;
    case K_DIRECTIONS: /* bidirectional, few rows */
        f.cfg.bidirectional = 1, f.cfg.input_size = in_range(r, 1, 64), f.cfg.hidden_size = in_range(r, 48, 80);
        f.B = in_range(r, 2, 7), f.T = in_range(r, 4, 8);
        break;
    case K_BLOCKS: /* few rows, wide layers: hidden-unit blocks per step; projection by panels */
        f.cfg.input_size = in_range(r, 60, 200), f.cfg.hidden_size = in_range(r, 190, 260);
        f.B = in_range(r, 1, 7), f.T = in_range(r, 1, 2), f.cfg.num_layers = 1 + rig_below(r, 2);
        break;
    default: /* nothing to split: one direction, one tile of rows, one block of hidden units */
        f.cfg.input_size = in_range(r, 1, 9);
        f.cfg.hidden_size = in_range(r, 1, 4), f.B = in_range(r, 1, 3), f.T = in_range(r, 1, 3);
        break;
    }
    /* Every storage type; int8dyn half the time in blocks, whose quant passes join between ranges. */
    f.cfg.weights = kind == K_BLOCKS && rig_below(r, 2) ? GRU_WEIGHTS_INT8_DYNAMIC
                                                        : (gru_weight_type)rig_below(r, GRU_WEIGHT_TYPES);
    return f;
}

typedef struct tdata {
    mrig_weights w;
    float *x, *h0;
    int64_t *lengths;
    size_t nx, ny, nh;
} tdata;

static void data_make(tdata *d, const tcase *f, rig_rng *r) {
    memset(d, 0, sizeof *d);
    const size_t D = mrig_dirs(&f->cfg), H = f->cfg.hidden_size;
    mrig_weights_random(&d->w, &f->cfg, r, rig_below(r, 3) ? 1.0f : 4.0f);
    d->nx = f->T * f->B * f->cfg.input_size, d->ny = f->T * f->B * D * H, d->nh = f->cfg.num_layers * D * f->B * H;
    d->x = rig_alloc(d->nx, rig_below(r, 16));
    mrig_fill(r, d->x, d->nx, -2.0f, 2.0f);
    if (f->has_h0) {
        d->h0 = rig_alloc(d->nh, rig_below(r, 16));
        mrig_fill(r, d->h0, d->nh, -1.0f, 1.0f);
    }
    if (f->has_lengths) { /* 0 and T often, so slices and whole batches go inactive */
        d->lengths = malloc(f->B * sizeof *d->lengths);
        for (size_t b = 0; b < f->B; b++) {
            const uint32_t k = rig_below(r, 4);
            d->lengths[b] = k == 0 ? 0 : k == 1 ? (int64_t)f->T : (int64_t)rig_below(r, (uint32_t)f->T + 1);
        }
    }
}

static void data_free(tdata *d) {
    mrig_weights_free(&d->w);
    rig_free(d->x), rig_free(d->h0);
    free(d->lengths);
}

/* y, h_n of one forward and h_out of gru_cell(layer 0, direction 0) on the first step's x. */
typedef struct touts {
    float *y, *hn, *cell;
} touts;

static void outs_alloc(touts *o, const tdata *d, const tcase *f) {
    o->y = rig_alloc(d->ny, 3), o->hn = rig_alloc(d->nh, 5), o->cell = rig_alloc(f->B * f->cfg.hidden_size, 7);
    memset(o->y, 0xFF, d->ny * sizeof(float)), memset(o->hn, 0xFF, d->nh * sizeof(float));
    memset(o->cell, 0xFF, f->B * f->cfg.hidden_size * sizeof(float));
}

static void outs_free(touts *o) { rig_free(o->y), rig_free(o->hn), rig_free(o->cell); }

static gru_forward_args fwd_args(const tcase *f, const tdata *d, pthreadpool_t pool, touts *o) {
    return (gru_forward_args){.seq_len = f->T, .batch = f->B, .batch_first = f->batch_first, .x = d->x, .h0 = d->h0,
                              .lengths = d->lengths, .y = o->y, .h_n = o->hn, .threadpool = pool};
}

static void run(const gru_model *m, const tcase *f, const tdata *d, pthreadpool_t pool, touts *o, const char *how) {
    const gru_forward_args a = fwd_args(f, d, pool, o);
    gru_status s = gru_forward(m, &a, NULL, 0);
    cr_assert(s == GRU_OK, "gru_forward (%s): %s; %s", how, gru_last_error(), describe(f));
    /* Step 0 of layer 0's forward direction: x rows at stride I (time-major) or T * I (batch-first);
     * gru_cell takes B contiguous rows, so gather them. */
    const size_t I = f->cfg.input_size;
    float *x0 = malloc(f->B * I * sizeof(float));
    for (size_t b = 0; b < f->B; b++) memcpy(x0 + b * I, d->x + (f->batch_first ? b * f->T : b) * I, I * sizeof(float));
    s = gru_cell(m, 0, 0, f->B, x0, d->h0, o->cell, NULL, 0);
    free(x0);
    cr_assert(s == GRU_OK, "gru_cell (%s): %s; %s", how, gru_last_error(), describe(f));
}

static void expect_same(const float *got, const float *ref, size_t n, const char *what, const char *how, gru_isa isa,
                        const tcase *f) {
    if (!memcmp(got, ref, n * sizeof *got)) return;
    size_t i = 0;
    while (!memcmp(got + i, ref + i, sizeof *got)) i++;
    cr_assert_fail("%s on %s, %s: element %zu of %zu is %a, the scalar reference on one thread %a; %s", what,
                   gru_isa_name(isa), how, i, n, (double)got[i], (double)ref[i], describe(f));
}

static void expect_outs(const touts *o, const touts *ref, const tdata *d, const tcase *f, const char *how,
                        gru_isa isa) {
    expect_same(o->y, ref->y, d->ny, "y", how, isa, f);
    expect_same(o->hn, ref->hn, d->nh, "h_n", how, isa, f);
    expect_same(o->cell, ref->cell, f->B * f->cfg.hidden_size, "gru_cell h_out", how, isa, f);
    rig_check_guard(o->y, "y"), rig_check_guard(o->hn, "h_n"), rig_check_guard(o->cell, "h_out");
}

ParameterizedTestParameters(threads, bit_identical) {
    static int shards[SHARDS] = {0, 1, 2, 3};
    return cr_make_param_array(int, shards, SHARDS);
}

static int case_count(void) { /* per shard; fewer under emulation (GRU_TEST_REQUIRE set) */
    const char *req = getenv("GRU_TEST_REQUIRE");
    return req && *req ? 4 : 8;
}

ParameterizedTest(int *shard, threads, bit_identical) {
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    rig_rng r = rig_rng_init(300 + (uint64_t)*shard);
    pthreadpool_t pools[MAX_THREADS + 1] = {NULL};
    gru_layer_set_min_work(0.0);
    for (size_t n = 2; n <= MAX_THREADS; n++) cr_assert((pools[n] = pthreadpool_create(n)) != NULL);
    /* Which splits ran, per ISA, with 2 threads (every shard draws every kind). */
    int seen[GRU_ISA_COUNT][4] = {{0}};
    const int cases = case_count();
    for (int c = 0; c < cases; c++) {
        const tcase f = random_case(&r, c % K_KINDS);
        tdata d;
        data_make(&d, &f, &r);
        touts ref;
        outs_alloc(&ref, &d, &f);
        cr_assert(gru_set_num_threads(1) == GRU_OK);
        gru_model *m0 = mrig_model(&f.cfg, d.w.lw, GRU_ISA_SCALAR);
        run(m0, &f, &d, NULL, &ref, "1 thread");
        gru_model_destroy(m0);
        for (int k = 0; k < nisa; k++) {
            gru_model *m = mrig_model(&f.cfg, d.w.lw, isas[k]);
            size_t slices;
            seen[isas[k]][gru_layer_split(m, mrig_dirs(&f.cfg), f.T, f.B, 2, &slices)]++;
            for (size_t n = 1; n <= MAX_THREADS; n++)
                for (int caller = 0; caller < 2; caller++) {
                    if (caller && (n == 1 || n == MAX_THREADS)) continue;
                    char how[64];
                    snprintf(how, sizeof how, "%zu threads, %s pool", n, caller ? "caller's" : "library's");
                    cr_assert(gru_set_num_threads(caller ? 1 : n) == GRU_OK);
                    touts o;
                    outs_alloc(&o, &d, &f);
                    run(m, &f, &d, caller ? pools[n] : NULL, &o, how);
                    if (caller) { /* gru_cell runs on the library's pool: once more with n there */
                        cr_assert(gru_set_num_threads(n) == GRU_OK);
                    }
                    expect_outs(&o, &ref, &d, &f, how, isas[k]);
                    outs_free(&o);
                }
            gru_model_destroy(m);
        }
        outs_free(&ref);
        data_free(&d);
    }
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    for (size_t n = 2; n <= MAX_THREADS; n++) pthreadpool_destroy(pools[n]);
    static const char *const names[4] = {"one thread", "directions", "batch slices", "hidden-unit blocks"};
    for (int k = 0; k < nisa; k++)
        for (int s = 0; s < 4; s++)
            cr_assert(seen[isas[k]][s] > 0, "shard %d: no case ran the split '%s' on %s (seed %llu)", *shard, names[s],
                      gru_isa_name(isas[k]), (unsigned long long)rig_seed());
    cr_log_info("shard %d: %d cases x %d ISAs (%d SIMD), 1-4 threads, library and caller pools", *shard, cases, nisa,
                rig_simd_isa_count());
}

Test(threads, set_get) {
    const size_t before = gru_get_num_threads();
    cr_assert(before >= 1);
    cr_assert(gru_set_num_threads(0) == GRU_ERR_INVALID);
    cr_assert(strstr(gru_last_error(), "gru_set_num_threads") != NULL, "message: %s", gru_last_error());
    cr_assert(gru_set_num_threads(1025) == GRU_ERR_INVALID);
    cr_assert(gru_set_num_threads((size_t)-1) == GRU_ERR_INVALID);
    cr_assert(gru_get_num_threads() == before, "a failed set changed the count");
    cr_assert(gru_set_num_threads(3) == GRU_OK);
    cr_assert(gru_get_num_threads() == 3);
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    cr_assert(gru_get_num_threads() == 1);
}

/* A case that splits into batch slices on 2 threads, with its one-thread outputs (best ISA). */
typedef struct shared_case {
    tcase f;
    tdata d;
    touts ref;
    gru_model *m;
} shared_case;

static void shared_make(shared_case *c, uint64_t seed) {
    rig_rng r = rig_rng_init(seed);
    gru_isa isas[GRU_ISA_COUNT];
    const int nisa = mrig_isas(isas);
    c->f = random_case(&r, K_SLICES);
    c->f.cfg.weights = GRU_WEIGHTS_F32;
    data_make(&c->d, &c->f, &r);
    outs_alloc(&c->ref, &c->d, &c->f);
    c->m = mrig_model(&c->f.cfg, c->d.w.lw, isas[nisa - 1]);
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    run(c->m, &c->f, &c->d, NULL, &c->ref, "1 thread");
}

static void shared_free(shared_case *c) {
    gru_model_destroy(c->m);
    outs_free(&c->ref);
    data_free(&c->d);
}

/* One forward's y and h_n; 0 when they equal the reference (no Criterion assert: any thread). */
static int forward_differs(const shared_case *c, pthreadpool_t pool) {
    touts o;
    outs_alloc(&o, &c->d, &c->f);
    const gru_forward_args a = fwd_args(&c->f, &c->d, pool, &o);
    const int bad = gru_forward(c->m, &a, NULL, 0) != GRU_OK || memcmp(o.y, c->ref.y, c->d.ny * sizeof(float)) ||
                    memcmp(o.hn, c->ref.hn, c->d.nh * sizeof(float));
    outs_free(&o);
    return bad;
}

#define CALLERS 3
#define CALLS 20
typedef struct caller_arg {
    const shared_case *c;
    atomic_int *bad;
} caller_arg;

static int caller_main(void *p) {
    const caller_arg *a = p;
    for (int k = 0; k < CALLS; k++) atomic_fetch_add(a->bad, forward_differs(a->c, NULL));
    return 0;
}

Test(threads, concurrent_callers) {
    shared_case c;
    shared_make(&c, 700);
    gru_layer_set_min_work(0.0);
    cr_assert(gru_set_num_threads(2) == GRU_OK);
    size_t slices;
    cr_assert(gru_layer_split(c.m, 1, c.f.T, c.f.B, 2, &slices) == GRU_SPLIT_SLICES, "%s", describe(&c.f));
    atomic_int bad = 0;
    caller_arg arg = {&c, &bad};
    thrd_t t[CALLERS];
    for (int i = 0; i < CALLERS; i++) cr_assert(thrd_create(&t[i], caller_main, &arg) == thrd_success);
    for (int i = 0; i < CALLERS; i++) thrd_join(t[i], NULL);
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    cr_assert(atomic_load(&bad) == 0, "%d of %d forwards from %d threads at once on a 2-thread pool differ from one "
              "thread; %s", atomic_load(&bad), CALLERS * CALLS, CALLERS, describe(&c.f));
    shared_free(&c);
}

Test(threads, rounding_mode) {
    shared_case c;
    shared_make(&c, 701);
    gru_layer_set_min_work(0.0);
    touts nearest = c.ref;
    /* Both pools' workers start before the mode changes (a new thread copies its creator's). */
    pthreadpool_t pool = pthreadpool_create(2);
    cr_assert(gru_set_num_threads(2) == GRU_OK);
    cr_assert(!forward_differs(&c, NULL) && !forward_differs(&c, pool), "%s", describe(&c.f));
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    cr_assert(fesetround(FE_UPWARD) == 0);
    outs_alloc(&c.ref, &c.d, &c.f); /* the reference: one thread, rounding upward */
    run(c.m, &c.f, &c.d, NULL, &c.ref, "1 thread, rounding upward");
    cr_assert(gru_set_num_threads(2) == GRU_OK);
    int lib = 0, caller = 0; /* several calls: the library's workers take items once spinning */
    for (int k = 0; k < CALLS; k++) lib += forward_differs(&c, NULL), caller += forward_differs(&c, pool);
    cr_assert(gru_set_num_threads(1) == GRU_OK);
    cr_assert(fesetround(FE_TONEAREST) == 0);
    pthreadpool_destroy(pool);
    /* The mode reaches the kernels: otherwise the comparison below could not fail. */
    cr_assert(memcmp(c.ref.y, nearest.y, c.d.ny * sizeof(float)) != 0,
              "rounding upward changed no output on one thread; %s", describe(&c.f));
    cr_assert(!lib && !caller, "rounding upward, 2 threads differ from 1 (library's pool %d, caller's %d of %d); %s",
              lib, caller, CALLS, describe(&c.f));
    outs_free(&nearest);
    shared_free(&c);
}
