/* SPDX-License-Identifier: MIT
 * gru time: the median time of one gru_forward with random weights (uniform in +-1/sqrt(H), as
 * PyTorch initialises them) and random inputs, on a caller-allocated workspace (the call itself
 * allocates nothing). Method: warm-up for 0.1 s; samples of k calls each (k such that a sample
 * lasts >= 50 us, so reading the clock costs < 1 %); after every 25 % more samples, the 95 %
 * confidence interval of the median from order statistics (ranks n/2 -+ 0.98 sqrt(n)); stop when
 * its half-width is within 2 % of the median (at least 10 samples), or after 10 s (then the
 * precision reached is reported). Threads: --threads N (default gru_get_num_threads(), i.e.
 * GRU_NUM_THREADS or 1) through gru_set_num_threads. Clock: with one thread the thread's CPU time
 * by default - one thread computes, and other processes on a shared machine then inflate nothing
 * - or wall time; with more, wall time (the other threads' work must count). h0: zeros (NULL, so
 * the first step skips its W_hh product), or with --h0 a random state in [-1, 1] (a streaming call
 * that carries its state). Lengths (packed sequences): none (every item T steps), or with
 * --lengths sorted T down to 1 evenly over the batch (the order pack_padded_sequence keeps), or
 * random, uniform in [1, T]; the GFLOP/s then count the steps within the lengths only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "gru/gru.h"

#define TARGET_CI 0.02
#define MAX_SECONDS 10.0

typedef struct time_opts {
    size_t I, H, B, T, L, threads;
    int bidirectional, json, wall, h0; /* wall: -1 until --clock or the thread count decides */
    const char *lengths; /* NULL, "sorted" or "random" */
    gru_variant variant;
    gru_weight_type weights;
    const char *isa; /* NULL: the active ISA */
} time_opts;

static double now(int wall) {
    struct timespec t;
    clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int parse(int argc, char **argv, time_opts *o) {
    const size_t big = (size_t)1 << 40;
    int have = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r;
        struct {
            const char *name;
            size_t *dst, hi;
            int bit;
        } sizes[] = {{"--input-size", &o->I, big, 1}, {"--hidden", &o->H, big, 2},
                     {"--batch", &o->B, big, 4},      {"--seq", &o->T, big, 8},
                     {"--layers", &o->L, 1 << 20, 0}, {"--threads", &o->threads, 1024, 0}};
        int matched = 0;
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && !matched; k++) {
            if ((r = gru_cli_opt(argc, argv, &i, sizes[k].name, &v)) == 0) continue;
            if (r < 0) return gru_cli_usage("%s needs a value", sizes[k].name);
            if (!gru_cli_size(v, 1, sizes[k].hi, sizes[k].dst))
                return gru_cli_usage("%s: '%s' is not an integer in [1, %zu]", sizes[k].name, v, sizes[k].hi);
            have |= sizes[k].bit;
            matched = 1;
        }
        if (matched) continue;
        if ((r = gru_cli_opt(argc, argv, &i, "--variant", &v)) != 0) {
            if (r < 0) return gru_cli_usage("--variant needs a value");
            if (!strcmp(v, "lbr"))
                o->variant = GRU_VARIANT_LINEAR_BEFORE_RESET;
            else if (!strcmp(v, "reset-before"))
                o->variant = GRU_VARIANT_RESET_BEFORE;
            else
                return gru_cli_usage("--variant: '%s' is not lbr or reset-before", v);
        } else if ((r = gru_cli_opt(argc, argv, &i, "--isa", &v)) != 0) {
            gru_isa isa;
            if (r < 0) return gru_cli_usage("--isa needs a value");
            if (gru_isa_from_name(v, &isa) != GRU_OK)
                return gru_cli_usage("--isa: '%s' is not scalar, avx2, avx512 or neon", v);
            o->isa = v;
        } else if ((r = gru_cli_opt(argc, argv, &i, "--weights", &v)) != 0) {
            if (r < 0) return gru_cli_usage("--weights needs a value");
            if (gru_weight_type_from_name(v, &o->weights) != GRU_OK)
                return gru_cli_usage("--weights: '%s' is not fp32, fp16, bf16 or int8", v);
        } else if ((r = gru_cli_opt(argc, argv, &i, "--lengths", &v)) != 0) {
            if (r < 0) return gru_cli_usage("--lengths needs a value");
            if (strcmp(v, "sorted") && strcmp(v, "random"))
                return gru_cli_usage("--lengths: '%s' is not sorted or random", v);
            o->lengths = v;
        } else if ((r = gru_cli_opt(argc, argv, &i, "--clock", &v)) != 0) {
            if (r < 0) return gru_cli_usage("--clock needs a value");
            if (strcmp(v, "cpu") && strcmp(v, "wall")) return gru_cli_usage("--clock: '%s' is not cpu or wall", v);
            o->wall = !strcmp(v, "wall");
        } else if (!strcmp(argv[i], "--bidirectional")) {
            o->bidirectional = 1;
        } else if (!strcmp(argv[i], "--json")) {
            o->json = 1;
        } else if (!strcmp(argv[i], "--h0")) {
            o->h0 = 1;
        } else {
            return gru_cli_usage("unknown argument '%s'", argv[i]);
        }
    }
    if (have != 15) return gru_cli_usage("gru time needs --input-size, --hidden, --batch and --seq");
    if (o->wall < 0) o->wall = o->threads > 1;
    if (!o->wall && o->threads > 1)
        return gru_cli_usage("--clock cpu measures the calling thread only: with --threads %zu use wall", o->threads);
    return CLI_OK;
}

/* Uniform in [-a, a) from a 64-bit LCG. */
static void fill(float *p, size_t n, float a, unsigned long long *s) {
    for (size_t i = 0; i < n; i++) {
        *s = *s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = ((float)(*s >> 40) * 0x1p-24f * 2.0f - 1.0f) * a;
    }
}

/* Everything one forward needs; sizes overflow-checked. */
typedef struct bench_setup {
    gru_config cfg;
    gru_layer_weights *layers;
    float *weights, *x, *y, *h0; /* h0 NULL: zeros */
    int64_t *lengths;            /* NULL: every item T steps */
    double steps;                /* sum of the items' steps */
    gru_model *model;
    void *ws;
    size_t ws_bytes;
    double create_s; /* thread CPU time of gru_model_create (validation and packing) */
} bench_setup;

static void teardown(bench_setup *b) {
    gru_model_destroy(b->model);
    gru_free(b->weights);
    gru_free(b->x);
    gru_free(b->y);
    gru_free(b->h0);
    gru_free(b->ws);
    free(b->lengths);
    free(b->layers);
}

static gru_status setup(const time_opts *o, bench_setup *b) {
    const size_t D = o->bidirectional ? 2 : 1, H = o->H;
    b->cfg = (gru_config){o->I, H, o->L, o->bidirectional, 1, o->variant, o->weights};
    size_t total = 0, n, h3, tb, nx, ny, nh;
    for (size_t l = 0; l < o->L; l++) { /* D * 3H * (I_l + H + 2) floats per layer */
        const size_t in = l ? D * H : o->I;
        if (!gru_mul_ok(H, 3, &h3) || !gru_add_ok(in, H + 2, &n) || !gru_mul_ok(n, h3 * D, &n) ||
            !gru_add_ok(total, n, &total))
            return gru_error(GRU_ERR_OVERFLOW, "the weights' size overflows");
    }
    if (!gru_mul_ok(o->T, o->B, &tb) || !gru_mul_ok(tb, o->I, &nx) || !gru_mul_ok(tb, D * H, &ny) ||
        !gru_mul_ok(nx, sizeof(float), &n) || !gru_mul_ok(ny, sizeof(float), &n) ||
        !gru_mul_ok(o->L * D, o->B, &nh) || !gru_mul_ok(nh, H, &nh) || !gru_mul_ok(nh, sizeof(float), &n) ||
        !gru_mul_ok(total, sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "the input or output size overflows");
    b->layers = calloc(o->L * D, sizeof *b->layers);
    b->weights = gru_malloc(total * sizeof(float));
    b->x = gru_malloc(nx * sizeof(float));
    b->y = gru_malloc(ny * sizeof(float));
    if (o->h0) b->h0 = gru_malloc(nh * sizeof(float));
    if (o->lengths) b->lengths = malloc(o->B * sizeof *b->lengths);
    if (!b->layers || !b->weights || !b->x || !b->y || (o->h0 && !b->h0) || (o->lengths && !b->lengths))
        return gru_error(GRU_ERR_NOMEM, "out of memory for weights or data");
    unsigned long long seed = 42;
    fill(b->weights, total, 1.0f / sqrtf((float)H), &seed);
    fill(b->x, nx, 1.0f, &seed);
    if (b->h0) fill(b->h0, nh, 1.0f, &seed);
    b->steps = (double)tb;
    if (b->lengths) {
        b->steps = 0;
        const int random = !strcmp(o->lengths, "random");
        for (size_t i = 0; i < o->B; i++) {
            if (random) seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const size_t len = random ? 1 + (size_t)((seed >> 33) % o->T)
                               : o->B > 1 ? o->T - (o->T - 1) * i / (o->B - 1) /* sorted: T .. 1 */
                                          : o->T;
            b->lengths[i] = (int64_t)len;
            b->steps += (double)len;
        }
    }
    float *p = b->weights;
    for (size_t l = 0; l < o->L; l++) {
        const size_t in = l ? D * H : o->I;
        for (size_t d = 0; d < D; d++) {
            gru_layer_weights *w = &b->layers[l * D + d];
            w->w_ih = p, p += 3 * H * in;
            w->w_hh = p, p += 3 * H * H;
            w->b_ih = p, p += 3 * H;
            w->b_hh = p, p += 3 * H;
        }
    }
    const double c0 = now(0); /* CPU time: robust on a shared machine (page faults included) */
    gru_status s = gru_model_create(&b->model, &b->cfg, b->layers);
    b->create_s = now(0) - c0;
    if (s == GRU_OK) s = gru_forward_workspace_size(b->model, o->T, o->B, &b->ws_bytes);
    if (s == GRU_OK && b->ws_bytes && !(b->ws = gru_malloc(b->ws_bytes)))
        s = gru_error(GRU_ERR_NOMEM, "out of memory for the workspace (%zu bytes)", b->ws_bytes);
    return s;
}

int gru_cli_time(int argc, char **argv) {
    time_opts o = {.L = 1, .threads = gru_get_num_threads(), .wall = -1, .variant = GRU_VARIANT_LINEAR_BEFORE_RESET};
    int rc = parse(argc, argv, &o);
    if (rc != CLI_OK) return rc;
    if (o.isa) {
        gru_isa isa;
        gru_isa_from_name(o.isa, &isa);
        if (gru_set_max_isa(isa) != GRU_OK) {
            fprintf(stderr, "gru time: %s\n", gru_last_error());
            return CLI_FAIL;
        }
    }
    if (gru_set_num_threads(o.threads) != GRU_OK) {
        fprintf(stderr, "gru time: %s\n", gru_last_error());
        return CLI_FAIL;
    }
    bench_setup b = {0};
    gru_status s = setup(&o, &b);
    gru_forward_args args = {.seq_len = o.T, .batch = o.B, .x = b.x, .h0 = b.h0, .lengths = b.lengths, .y = b.y};
    if (s == GRU_OK) s = gru_forward(b.model, &args, b.ws, b.ws_bytes);
    if (s != GRU_OK) {
        fprintf(stderr, "gru time: %s (%s)\n", gru_last_error(), gru_status_str(s));
        teardown(&b);
        return CLI_FAIL;
    }
    gru_model_info info;
    gru_model_get_info(b.model, &info);

    /* Warm-up, and the calls per sample. */
    long calls = 0;
    const double w0 = now(o.wall);
    double t;
    do {
        gru_forward(b.model, &args, b.ws, b.ws_bytes);
        calls++;
    } while ((t = now(o.wall) - w0) < 0.1 || calls < 2);
    const double per_call = t / (double)calls;
    const long k = per_call >= 50e-6 ? 1 : (long)ceil(50e-6 / per_call);

    size_t n = 0, cap = 64, next_check = 10;
    double *v = malloc(cap * sizeof *v), *sorted = malloc(cap * sizeof *sorted), med = 0, ci = INFINITY;
    const double start = now(o.wall);
    while (v && sorted) {
        const double t0 = now(o.wall);
        for (long c = 0; c < k; c++) gru_forward(b.model, &args, b.ws, b.ws_bytes);
        v[n++] = (now(o.wall) - t0) / (double)k;
        const int out_of_time = now(o.wall) - start > MAX_SECONDS && n >= 3;
        if (n >= next_check || out_of_time) {
            memcpy(sorted, v, n * sizeof *v);
            qsort(sorted, n, sizeof *sorted, cmp_double);
            med = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
            const double half = 0.98 * sqrt((double)n);
            const long lo = (long)floor((double)n / 2 - half), hi = (long)ceil((double)n / 2 + half);
            const double a = sorted[lo < 0 ? 0 : lo], z = sorted[hi >= (long)n ? (long)n - 1 : hi];
            ci = fmax(med - a, z - med) / med;
            if (ci <= TARGET_CI || out_of_time) break;
            next_check = n + n / 4 + 1;
        }
        if (n == cap) {
            cap *= 2;
            double *nv = realloc(v, cap * sizeof *v), *ns = nv ? realloc(sorted, cap * sizeof *sorted) : NULL;
            if (nv) v = nv;
            if (ns) sorted = ns;
            if (!nv || !ns) break;
        }
    }
    free(v);
    free(sorted);
    if (med <= 0) {
        fprintf(stderr, "gru time: out of memory for the samples\n");
        teardown(&b);
        return CLI_FAIL;
    }
    double flops = 0;
    for (size_t l = 0; l < o.L; l++)
        flops += 2.0 * 3 * (double)o.H * (double)((l ? (o.bidirectional ? 2 : 1) * o.H : o.I) + o.H) * b.steps *
                 (o.bidirectional ? 2 : 1);
    const double us = med * 1e6, gflops = flops / med / 1e9;
    const char *isa = gru_isa_name(info.isa), *variant = o.variant == GRU_VARIANT_RESET_BEFORE ? "reset-before" : "lbr";
    const char *clock = o.wall ? "wall" : "thread_cpu";
    if (o.json) {
        printf("{\"median_us\": %.6g, \"gflops\": %.6g, \"isa\": \"%s\", \"threads\": %zu, \"input_size\": %zu, "
               "\"hidden\": %zu, \"batch\": %zu, \"seq\": %zu, \"layers\": %zu, \"bidirectional\": %s, "
               "\"variant\": \"%s\", \"ci95_pct\": %.3f, \"samples\": %zu, \"calls_per_sample\": %ld, "
               "\"clock\": \"%s\", \"version\": \"%s\", \"weights\": \"%s\", \"packed_bytes\": %zu, "
               "\"create_ms\": %.3f, \"h0\": %s, \"lengths\": \"%s\", \"steps\": %.0f}\n",
               us, gflops, isa, o.threads, o.I, o.H, o.B, o.T, o.L, o.bidirectional ? "true" : "false", variant,
               100 * ci, n, k, clock, gru_version(), gru_weight_type_name(o.weights), info.packed_weight_bytes,
               1e3 * b.create_s, o.h0 ? "true" : "false", o.lengths ? o.lengths : "none", b.steps);
    } else {
        printf("gru time: I=%zu H=%zu B=%zu T=%zu L=%zu %s %s, isa %s, %zu thread%s, %s weights (%zu packed bytes, "
               "created in %.2f ms), h0 %s, lengths %s (%.0f of %zu steps)\n",
               o.I, o.H, o.B, o.T, o.L, o.bidirectional ? "bidirectional" : "unidirectional", variant, isa, o.threads,
               o.threads > 1 ? "s" : "", gru_weight_type_name(o.weights), info.packed_weight_bytes, 1e3 * b.create_s,
               o.h0 ? "random" : "zeros", o.lengths ? o.lengths : "none", b.steps, o.T * o.B);
        printf("  median %.2f us per forward, %.2f GFLOP/s  (95%% CI +-%.1f%%, %zu samples x %ld call%s, %s time)\n",
               us, gflops, 100 * ci, n, k, k > 1 ? "s" : "", o.wall ? "wall" : "thread CPU");
    }
    if (ci > TARGET_CI)
        fprintf(stderr, "gru time: warning: only +-%.1f%% reached in %.0f s (a busy machine?)\n", 100 * ci,
                MAX_SECONDS);
    teardown(&b);
    return CLI_OK;
}
