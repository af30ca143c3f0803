/* SPDX-License-Identifier: MIT */
#include "gru_oracle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rounds the result of one operation to the working precision. For +, -, *, / computed in
 * double, rounding to float gives the correctly rounded float result (53 >= 2*24 + 2). */
static double rnd(gru_oracle_precision p, double v) { return p != GRU_ORACLE_F64 ? (double)(float)v : v; }

/* f64: computed stably. f32: PyTorch's CPU formula 1 / (1 + exp(-x)), each step rounded. */
static double sigmoid(gru_oracle_precision p, double x) {
    if (p != GRU_ORACLE_F64) return rnd(p, 1 / rnd(p, 1 + rnd(p, exp(-x))));
    if (x < 0) {
        const double e = exp(x);
        return e / (1 + e);
    }
    return 1 / (1 + exp(-x));
}

/* out[i] = sum_k w[i*n + k] * v[k] + b[i], for i < m: the sum from 0 in the order of p, then
 * the bias. A product of two floats is exact in double, so a fused step rounds once (through
 * double: a rare double rounding, irrelevant to an error estimate). */
static void matvec(gru_oracle_precision p, size_t m, size_t n, const float *w, const double *v, const float *b,
                   double *out) {
    for (size_t i = 0; i < m; i++) {
        double acc = 0;
        for (size_t s = 0; s < n; s++) {
            const size_t k = p == GRU_ORACLE_F32_FMA_REV ? n - 1 - s : s;
            const double prod = (double)w[i * n + k] * v[k];
            acc = p == GRU_ORACLE_F32 ? rnd(p, acc + rnd(p, prod)) : rnd(p, acc + prod);
        }
        out[i] = b ? rnd(p, acc + b[i]) : acc;
    }
}

/* One step for one item: h (H) becomes h'. scratch holds 9H doubles. */
static void step(gru_oracle_precision p, const gru_config *c, const gru_layer_weights *lw, size_t in_w, const double *x,
                 double *h, double *scratch) {
    const size_t H = c->hidden_size;
    double *gi = scratch, *gh = scratch + 3 * H, *rh = scratch + 6 * H, *r = scratch + 7 * H, *z = scratch + 8 * H;
    const float *b_ih = c->bias ? lw->b_ih : NULL, *b_hh = c->bias ? lw->b_hh : NULL;
    matvec(p, 3 * H, in_w, lw->w_ih, x, b_ih, gi);
    matvec(p, 3 * H, H, lw->w_hh, h, b_hh, gh); /* reset-before recomputes the n rows below */
    for (size_t j = 0; j < H; j++) {
        r[j] = sigmoid(p, rnd(p, gi[j] + gh[j]));
        z[j] = sigmoid(p, rnd(p, gi[H + j] + gh[H + j]));
    }
    if (c->variant == GRU_VARIANT_RESET_BEFORE) {
        for (size_t j = 0; j < H; j++) rh[j] = rnd(p, r[j] * h[j]);
        matvec(p, H, H, lw->w_hh + 2 * H * H, rh, b_hh ? b_hh + 2 * H : NULL, gh + 2 * H);
    }
    for (size_t j = 0; j < H; j++) {
        const double hn = c->variant == GRU_VARIANT_RESET_BEFORE ? gh[2 * H + j] : rnd(p, r[j] * gh[2 * H + j]);
        const double n = rnd(p, tanh(rnd(p, gi[2 * H + j] + hn)));
        h[j] = rnd(p, rnd(p, rnd(p, h[j] - n) * z[j]) + n); /* PyTorch's (h - n) * z + n */
    }
}

void gru_oracle_forward(gru_oracle_precision p, const gru_config *c, const gru_layer_weights *w,
                        const gru_forward_args *a, double *y, double *h_n) {
    const size_t T = a->seq_len, B = a->batch, H = c->hidden_size, L = c->num_layers;
    const size_t D = c->bidirectional ? 2 : 1, I = c->input_size;
    const size_t wmax = I > D * H ? I : D * H;
    /* Layer input and output as [T, B, width] doubles. */
    double *in = calloc(T * B * wmax, sizeof *in), *out = calloc(T * B * D * H, sizeof *out);
    double *h = malloc(H * sizeof *h), *xs = malloc(wmax * sizeof *xs), *scratch = malloc(9 * H * sizeof *scratch);
    if (!in || !out || !h || !xs || !scratch) abort(); /* test helper: no recovery */
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < B; b++) {
            const float *src = a->x + (a->batch_first ? b * T + t : t * B + b) * I;
            for (size_t i = 0; i < I; i++) in[(t * B + b) * I + i] = src[i];
        }
    size_t in_w = I;
    for (size_t l = 0; l < L; l++) {
        memset(out, 0, T * B * D * H * sizeof *out);
        for (size_t d = 0; d < D; d++) {
            const gru_layer_weights *lw = &w[l * D + d];
            for (size_t b = 0; b < B; b++) {
                const size_t len = a->lengths ? (size_t)a->lengths[b] : T;
                if (len > T) abort();
                for (size_t j = 0; j < H; j++) h[j] = a->h0 ? a->h0[((l * D + d) * B + b) * H + j] : 0.0;
                for (size_t s = 0; s < len; s++) {
                    const size_t t = d ? len - 1 - s : s;
                    memcpy(xs, in + (t * B + b) * in_w, in_w * sizeof *xs);
                    step(p, c, lw, in_w, xs, h, scratch);
                    memcpy(out + (t * B + b) * D * H + d * H, h, H * sizeof *h);
                }
                if (h_n) memcpy(h_n + ((l * D + d) * B + b) * H, h, H * sizeof *h);
            }
        }
        in_w = D * H;
        memcpy(in, out, T * B * D * H * sizeof *in);
    }
    if (y)
        for (size_t t = 0; t < T; t++)
            for (size_t b = 0; b < B; b++)
                memcpy(y + (a->batch_first ? b * T + t : t * B + b) * D * H, out + (t * B + b) * D * H,
                       D * H * sizeof *y);
    free(in), free(out), free(h), free(xs), free(scratch);
}

double gru_oracle_max_err_f(const float *a, const double *ref, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        const double e = fabs((double)a[i] - ref[i]);
        if (isnan(e)) return INFINITY;
        if (e > m) m = e;
    }
    return m;
}

double gru_oracle_max_err_d(const double *a, const double *ref, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        const double e = fabs(a[i] - ref[i]);
        if (isnan(e)) return INFINITY;
        if (e > m) m = e;
    }
    return m;
}
