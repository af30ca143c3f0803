/* SPDX-License-Identifier: MIT */
#include "roofline.h"

#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "cpu.h"
#include "probe.h"
#include "weights.h"

static gru_roofline last;

const gru_roofline *gru_roofline_get(void) { return &last; }

/* Best of 10 trials of ~5 ms: short trials slip between the interruptions of a shared machine. */
static double fma_peak(gru_probe_fma_fn fma) {
    long rounds = 1000;
    double t;
    for (;;) {
        double t0 = gru_bench_cpu_now();
        fma(rounds);
        if ((t = gru_bench_cpu_now() - t0) > 2e-3) break;
        rounds *= 4;
    }
    rounds = (long)((double)rounds * 0.005 / t) + 1;
    double best = 0;
    for (int trial = 0; trial < 10; trial++) {
        double t0 = gru_bench_cpu_now();
        double flops = fma(rounds);
        double rate = flops / (gru_bench_cpu_now() - t0);
        if (rate > best) best = rate;
    }
    return best;
}

/* Best of several trials, each reading >= 16 MB (and >= 2 passes). */
static double read_bw(gru_probe_read_fn rd, const float *p, size_t bytes) {
    const size_t n = bytes / sizeof(float);
    long reps = (long)(16e6 / (double)bytes);
    if (reps < 2) reps = 2;
    volatile float sink = rd(p, n, 1); /* warm the caches / TLB */
    double best = 0;
    for (int trial = 0; trial < (bytes > (32u << 20) ? 3 : 7); trial++) {
        double t0 = gru_bench_cpu_now();
        sink = rd(p, n, reps);
        double rate = (double)bytes * (double)reps / (gru_bench_cpu_now() - t0);
        if (rate > best) best = rate;
    }
    (void)sink;
    return best;
}

void gru_roofline_probe(gru_roofline *r) {
    memset(r, 0, sizeof *r);
    r->hz = gru_bench_core_hz();
    GruProbeDSP best = {0};
    for (int isa = 0; isa < 4; isa++) {
        if (!gru_bench_isa_enabled((gru_isa)isa)) continue;
        GruProbeDSP c;
        gru_bench_probe_init(&c, gru_isa_flags((gru_isa)isa));
        r->peak[isa] = fma_peak(c.fma);
        if (r->peak[isa] > r->peak_best) r->peak_best = r->peak[isa];
        best = c; /* the newest enabled ISA reads widest */
    }
    const size_t max_bytes = (size_t)128 << 20;
    float *p = gru_malloc(max_bytes);
    if (p) {
        for (size_t i = 0; i < max_bytes / sizeof(float); i++) p[i] = 1.0f;
        for (size_t b = 16 << 10; b <= max_bytes && r->n_bw < GRU_ROOF_MAX_BW;) {
            r->bw_bytes[r->n_bw] = (double)b;
            r->bw[r->n_bw++] = read_bw(best.read, p, b);
            b = (b & (b - 1)) ? b / 3 * 4 : b / 2 * 3; /* 16K, 24K, 32K, 48K, ... */
        }
        gru_free(p);
    }
    last = *r;
}

double gru_roofline_bw(const gru_roofline *r, double bytes) {
    double bw = 0;
    for (int i = r->n_bw - 1; i >= 0; i--) {
        if (r->bw_bytes[i] < bytes && bw > 0) break;
        if (r->bw[i] > bw) bw = r->bw[i];
    }
    return bw;
}

/* Layer l's input width. */
static double layer_input(const gru_config *c, size_t l) {
    return l == 0 ? (double)c->input_size : (double)c->hidden_size * (c->bidirectional ? 2 : 1);
}

static double max2(double a, double b) { return a > b ? a : b; }
/* Bytes per stored weight of the config's type (int8's per-row scales are negligible). */
static double wbytes(const gru_config *c) { return (double)gru_weight_bytes(c->weights); }

double gru_roofline_bound_s(const gru_roofline *r, const gru_config *c, size_t batch, size_t seq) {
    if (r->peak_best <= 0 || r->n_bw == 0) return 0;
    const double H = (double)c->hidden_size, B = (double)batch, T = (double)seq, P = r->peak_best;
    const int D = c->bidirectional ? 2 : 1;
    double s = 0;
    for (size_t l = 0; l < c->num_layers; l++) {
        const double I = layer_input(c, l);
        const double in_bytes = 3 * H * I * wbytes(c), rec_bytes = 3 * H * H * wbytes(c);
        const double in = max2(2 * 3 * H * I * B * T / P, in_bytes / gru_roofline_bw(r, in_bytes));
        const double rec = T * max2(2 * 3 * H * H * B / P, rec_bytes / gru_roofline_bw(r, rec_bytes));
        s += D * (in + rec);
    }
    return s;
}

double gru_forward_flops(const gru_config *c, size_t batch, size_t seq) {
    const double H = (double)c->hidden_size;
    double f = 0;
    for (size_t l = 0; l < c->num_layers; l++) f += 2 * 3 * H * (layer_input(c, l) + H) * (double)batch * (double)seq;
    return f * (c->bidirectional ? 2 : 1);
}

double gru_forward_weight_bytes(const gru_config *c, size_t seq) {
    const double H = (double)c->hidden_size;
    double b = 0;
    for (size_t l = 0; l < c->num_layers; l++)
        b += (3 * H * layer_input(c, l) + (double)seq * 3 * H * H) * wbytes(c);
    return b * (c->bidirectional ? 2 : 1);
}
