/* SPDX-License-Identifier: MIT
 * Neighbour-list GRU: 5000 sequences of ~10 rows drawn from a 1000-row feature table (I = 128,
 * H = 64). Runs gru_neighbor_forward (one projection per table row) and the plain way (gather
 * the rows, gru_forward with lengths), checks the final states are bit-identical and prints both
 * times (best of 5, wall clock) and the speedup. Arguments: [N S I H] to change the sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gru/gru.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static unsigned long long rng = 88172645463325252ull;
static float frand(void) { /* xorshift64, uniform in [-0.5, 0.5) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)(rng >> 40) / 16777216.0f - 0.5f;
}

int main(int argc, char **argv) {
    size_t N = 1000, S = 5000, I = 128, H = 64;
    if (argc == 5) N = strtoull(argv[1], 0, 10), S = strtoull(argv[2], 0, 10), I = strtoull(argv[3], 0, 10), H = strtoull(argv[4], 0, 10);
    float *w = malloc((3 * H * (I + H) + 6 * H) * sizeof(float)), *table = malloc(N * I * sizeof(float));
    for (size_t i = 0; i < 3 * H * (I + H) + 6 * H; i++) w[i] = frand() * 0.25f;
    for (size_t i = 0; i < N * I; i++) table[i] = frand() * 2;
    const gru_config c = {I, H, 1, 0, 1, GRU_VARIANT_LINEAR_BEFORE_RESET, GRU_WEIGHTS_F32};
    const gru_layer_weights lw = {w, w + 3 * H * I, w + 3 * H * (I + H), w + 3 * H * (I + H) + 3 * H};
    gru_model *m;
    if (gru_model_create(&m, &c, &lw) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;

    int64_t *off = malloc((S + 1) * sizeof *off), *len = malloc(S * sizeof *len);
    off[0] = 0;
    size_t T = 0;
    for (size_t s = 0; s < S; s++) { /* 6 .. 14 neighbours, mean 10 */
        len[s] = 6 + (int64_t)((frand() + 0.5f) * 9);
        off[s + 1] = off[s] + len[s];
        if ((size_t)len[s] > T) T = (size_t)len[s];
    }
    const size_t nnz = (size_t)off[S];
    int64_t *idx = malloc(nnz * sizeof *idx);
    for (size_t i = 0; i < nnz; i++) idx[i] = (int64_t)((frand() + 0.5f) * (float)N) % (int64_t)N;
    float *hn_a = malloc(S * H * sizeof(float)), *hn_b = malloc(S * H * sizeof(float));
    float *x = calloc(T * S * I, sizeof(float));

    double best_nb = 1e30, best_fw = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        const gru_neighbor_args na = {N, table, S, off, idx, hn_a, NULL};
        if (gru_neighbor_forward(m, &na) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;
        double t1 = now();
        for (size_t s = 0; s < S; s++) /* the plain way: gather [T, S, I], then gru_forward */
            for (size_t t = 0; t < (size_t)len[s]; t++)
                memcpy(x + (t * S + s) * I, table + (size_t)idx[off[s] + t] * I, I * sizeof(float));
        const gru_forward_args fa = {T, S, 0, x, NULL, len, NULL, hn_b, NULL};
        if (gru_forward(m, &fa, NULL, 0) != GRU_OK) return fprintf(stderr, "%s\n", gru_last_error()), 1;
        double t2 = now();
        if (t1 - t0 < best_nb) best_nb = t1 - t0;
        if (t2 - t1 < best_fw) best_fw = t2 - t1;
    }
    const int same = !memcmp(hn_a, hn_b, S * H * sizeof(float));
    printf("N = %zu rows, S = %zu sequences, %zu neighbours in all (T max %zu), I = %zu, H = %zu, ISA %s\n", N, S,
           nnz, T, I, H, gru_isa_name(gru_isa_active()));
    printf("neighbour-list GRU: %.2f ms   gather + gru_forward: %.2f ms   speedup %.2fx   h_n %s\n", best_nb * 1e3,
           best_fw * 1e3, best_fw / best_nb, same ? "bit-identical" : "DIFFERENT");
    printf("h_n[0][:4] = %.6f %.6f %.6f %.6f\n", hn_a[0], hn_a[1], hn_a[2], hn_a[3]);
    free(w), free(table), free(off), free(len), free(idx), free(hn_a), free(hn_b), free(x);
    gru_model_destroy(m);
    return same ? 0 : 1;
}
