/* SPDX-License-Identifier: MIT
 * Neighbour-list GRU: project every table row once, gather projected rows per step.
 * Bit-identity with gru_forward on the gathered sequences: the GEMM's contract makes a row's
 * projection independent of the rows around it, and the gates kernel's row results depend only
 * on the row's own gx, state and active flag, so chunking sequences and skipping steps past a
 * chunk's longest sequence change nothing. */
#include <math.h>
#include <string.h>

#include "nets/nets.h"

enum { CHUNK = 256 }; /* sequences stepped together: gx and state stay in L2 */

static gru_status check(const gru_model *m, const gru_neighbor_args *a, size_t *nnz) {
    if (!m || !a) return gru_error(GRU_ERR_NULL, "gru_neighbor_forward: NULL %s", m ? "args" : "model");
    if (m->cfg.num_layers != 1)
        return gru_error(GRU_ERR_UNSUPPORTED, "gru_neighbor_forward: %zu-layer model (one layer only)", m->cfg.num_layers);
    if (!a->num_rows || !a->num_seqs)
        return gru_error(GRU_ERR_INVALID, "gru_neighbor_forward: num_rows (%zu) and num_seqs (%zu) must be > 0",
                         a->num_rows, a->num_seqs);
    if (!a->table || !a->offsets)
        return gru_error(GRU_ERR_NULL, "gru_neighbor_forward: NULL %s", a->table ? "offsets" : "table");
    size_t n;
    if (!gru_mul_ok(a->num_rows, m->ldgx, &n) || !gru_mul_ok(n, sizeof(float), &n) ||
        !gru_mul_ok(a->num_rows, m->cfg.input_size, &n) || a->num_seqs == SIZE_MAX)
        return gru_error(GRU_ERR_OVERFLOW, "gru_neighbor_forward: num_rows = %zu overflows size_t", a->num_rows);
    if (a->offsets[0] != 0)
        return gru_error(GRU_ERR_INVALID, "gru_neighbor_forward: offsets[0] = %lld, must be 0", (long long)a->offsets[0]);
    for (size_t s = 0; s < a->num_seqs; s++)
        if (a->offsets[s + 1] < a->offsets[s])
            return gru_error(GRU_ERR_INVALID, "gru_neighbor_forward: offsets[%zu] = %lld < offsets[%zu] = %lld", s + 1,
                             (long long)a->offsets[s + 1], s, (long long)a->offsets[s]);
    *nnz = (size_t)a->offsets[a->num_seqs];
    if (*nnz && !a->indices) return gru_error(GRU_ERR_NULL, "gru_neighbor_forward: NULL indices");
    for (size_t i = 0; i < *nnz; i++)
        if (a->indices[i] < 0 || (uint64_t)a->indices[i] >= a->num_rows)
            return gru_error(GRU_ERR_INVALID, "gru_neighbor_forward: indices[%zu] = %lld is outside [0, %zu)", i,
                             (long long)a->indices[i], a->num_rows);
    if (!gru_mul_ok(*nnz, m->D * m->cfg.hidden_size, &n) || !gru_mul_ok(n, sizeof(float), &n))
        return gru_error(GRU_ERR_OVERFLOW, "gru_neighbor_forward: %zu indices overflow size_t", *nnz);
    /* The table rows the sequences take must be finite (rows no index names reach no output). */
    const size_t I = m->cfg.input_size;
    for (size_t i = 0; i < *nnz; i++) {
        const size_t row = (size_t)a->indices[i], k = gru_find_above(a->table + row * I, I, INFINITY);
        if (k < I)
            return gru_error(GRU_ERR_INVALID, "gru_neighbor_forward: table[%zu][%zu] (indices[%zu]) is %g: inputs must be finite",
                             row, k, i, (double)a->table[row * I + k]);
    }
    return GRU_OK;
}

gru_status gru_neighbor_forward(const gru_model *m, const gru_neighbor_args *a) {
    size_t nnz;
    gru_status st = check(m, a, &nnz);
    if (st != GRU_OK) return st;
    if (!a->h_n && !a->y) return GRU_OK;
    const size_t N = a->num_rows, S = a->num_seqs, I = m->cfg.input_size, H = m->cfg.hidden_size, hp = m->hp;
    const size_t ld = m->ldgx, D = m->D, g3 = 3 * hp;
    size_t proj, buf, state, scr, total;
    const int rb = m->cfg.variant == GRU_VARIANT_RESET_BEFORE;
    if (!gru_align_ok(N * ld * sizeof(float), &proj) || !gru_align_ok(CHUNK * g3 * sizeof(float), &buf) ||
        !gru_align_ok(2 * CHUNK * hp * sizeof(float), &state) || !gru_add_ok(proj, buf, &total) ||
        !gru_add_ok(total, state, &total) || !gru_gates_scratch_floats(CHUNK, hp, rb, m->cfg.weights, &scr) ||
        !gru_mul_ok(scr, sizeof(float), &scr) || !gru_align_ok(scr, &scr) || !gru_add_ok(total, scr, &total) ||
        !gru_add_ok(total, CHUNK, &total))
        return gru_error(GRU_ERR_OVERFLOW, "gru_neighbor_forward: workspace overflows size_t");
    unsigned char *ws = gru_malloc(total);
    if (!ws) return gru_error(GRU_ERR_NOMEM, "gru_neighbor_forward: cannot allocate %zu bytes", total);
    float *gx = (float *)ws, *g = (float *)(ws + proj), *h_a = (float *)(ws + proj + buf);
    float *h_b = h_a + CHUNK * hp, *scratch = scr ? (float *)(ws + proj + buf + state) : NULL;
    unsigned char *active = ws + proj + buf + state + scr;
    memset(g, 0, CHUNK * g3 * sizeof(float)); /* rows of inactive sequences are read, never used */

    const gru_threads threads = gru_threads_get(NULL);
    gru_project(m, 0, gx, ld, a->table, I, N, 0, ld, &threads);
    for (size_t s0 = 0; s0 < S; s0 += CHUNK) {
        const size_t B = S - s0 < CHUNK ? S - s0 : CHUNK;
        const int64_t *off = a->offsets + s0;
        size_t T = 0;
        for (size_t b = 0; b < B; b++)
            if ((size_t)(off[b + 1] - off[b]) > T) T = (size_t)(off[b + 1] - off[b]);
        for (size_t d = 0; d < D; d++) {
            const gru_model_dir *dir = &m->dir[d];
            memset(h_a, 0, B * hp * sizeof(float));
            for (size_t k = 0; k < T; k++) {
                const size_t t = d ? T - 1 - k : k;
                for (size_t b = 0; b < B; b++) {
                    active[b] = t < (size_t)(off[b + 1] - off[b]);
                    if (active[b]) memcpy(g + b * g3, gx + (size_t)a->indices[off[b] + t] * ld + d * g3, g3 * sizeof(float));
                }
                gru_model_step(m, h_b, NULL, 0, h_a, g, g3, dir, active, scratch, B, k == 0, (int)(k & 1));
                if (a->y)
                    for (size_t b = 0; b < B; b++)
                        if (active[b]) memcpy(a->y + ((size_t)off[b] + t) * D * H + d * H, h_b + b * hp, H * sizeof(float));
                float *tmp = h_a;
                h_a = h_b;
                h_b = tmp;
            }
            if (a->h_n)
                for (size_t b = 0; b < B; b++) memcpy(a->h_n + (d * S + s0 + b) * H, h_a + b * hp, H * sizeof(float));
        }
    }
    gru_free(ws);
    return GRU_OK;
}
