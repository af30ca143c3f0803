/* SPDX-License-Identifier: MIT
 * One layer on the threads of a call: the input projection (rows, or column panels when rows are
 * few, per thread) and the recurrence (directions at once, batch slices that each run the whole
 * recurrence of their rows, or blocks of hidden units per step). Every split keeps whole FMA
 * chains on one thread and gives each task disjoint outputs and scratch, so the bits never depend
 * on the split or the thread count. */
#include <string.h>

#include "model.h"

/* Below these many FMAs a split costs more than it saves. A pthreadpool call whose worker is
 * still spinning from the last one (it spins ~10-20 ms, then sleeps) costs ~1-1.5 us on the 2-core
 * machine measured; calls back to back, 2 threads against 1 (medians of alternated 3 ms blocks):
 * projections of 0.8 M FMAs in two parts (I = 512 or 256, H = 64, B = 1) 1.37-1.49x, the
 * recurrence of I = H = 64, B = 8 in two slices (0.4-0.8 M FMAs each, T = 6-16) 1.56-1.66x,
 * I = H = 32, B = 16, T = 16 1.46x, I = H = 64, B = 8, T = 4 (0.2 M per slice) 1.14x; H = 128,
 * B = 1 (49 K FMAs per step) was no faster in blocks, H = 256, B = 1 (197 K) 1.8-1.9x. A worker
 * that has gone to sleep takes far longer to wake here (a 2-thread call after 50 ms idle: 7-10 ms,
 * whatever its size): callers with sparse calls are better served by one thread. */
#define PAR_MIN_GEMM_FMAS 0.4e6  /* the projection of a layer */
#define PAR_MIN_TASK_FMAS 0.15e6 /* directions / batch slices: the whole recurrence of a task */
#define PAR_MIN_STEP_FMAS 1.0e5  /* hidden-unit blocks: one step (a join per step and pass) */
#define PAR_MIN_PART_ROWS 12      /* a projection split by rows gives each part this many; else panels */
static double min_work = 1.0; /* gru_layer_set_min_work */

void gru_layer_set_min_work(double scale) { min_work = scale; }

/* ---------------------------------------------------------------- projection */
typedef struct proj_ctx {
    const gru_model *m;
    const gru_model_layer *ly;
    size_t l;
    float *g;
    const float *a;
    size_t ldg, lda, rows, col0, ncols, parts, by_rows;
} proj_ctx;

/* Rows [r0, r1) x columns [c0, c0 + nc) of the layer's GEMM; c0 a multiple of the panel width. */
static void proj_part(const proj_ctx *c, size_t r0, size_t r1, size_t c0, size_t nc) {
    const gru_model *m = c->m;
    m->gemm.gemm(c->g + r0 * c->ldg + c0, c->ldg, c->a + r0 * c->lda, c->lda, gru_model_w_ih_at(m, c->l, c0),
                 c->ly->start + c0, r1 - r0, nc, c->ly->in);
}

static void proj_task(void *p, size_t i) {
    const proj_ctx *c = p;
    if (c->by_rows) { /* equal chunks of whole row tiles */
        const size_t mr = c->m->gemm.mr, chunk = (c->rows + c->parts - 1) / c->parts, per = (chunk + mr - 1) / mr * mr;
        const size_t r0 = i * per, r1 = r0 + per < c->rows ? r0 + per : c->rows;
        if (r0 < r1) proj_part(c, r0, r1, c->col0, c->ncols);
    } else { /* whole panels */
        const size_t nr = c->m->gemm.nr, panels = (c->ncols + nr - 1) / nr;
        const size_t p0 = panels * i / c->parts, p1 = panels * (i + 1) / c->parts;
        const size_t c0 = p0 * nr, c1 = p1 * nr < c->ncols ? p1 * nr : c->ncols;
        if (c0 < c1) proj_part(c, 0, c->rows, c->col0 + c0, c1 - c0);
    }
}

void gru_project(const gru_model *m, size_t l, float *g, size_t ldg, const float *a, size_t lda, size_t rows,
                 size_t col0, size_t ncols, const gru_threads *t) {
    proj_ctx c = {m, &m->layer[l], l, g, a, ldg, lda, rows, col0, ncols, 1, 1};
    if (t->n == 1) {
        proj_part(&c, 0, rows, col0, ncols);
        return;
    }
    const size_t panels = (ncols + m->gemm.nr - 1) / m->gemm.nr;
    const double fmas = (double)rows * (double)ncols * (double)c.ly->in;
    if (fmas >= PAR_MIN_GEMM_FMAS * min_work) {
        if (rows >= PAR_MIN_PART_ROWS * t->n)
            c.parts = t->n;
        else if (panels >= 2)
            c.parts = panels < t->n ? panels : t->n, c.by_rows = 0;
    }
    if (c.parts == 1)
        proj_part(&c, 0, rows, col0, ncols);
    else
        gru_threads_run(t, proj_task, &c, c.parts);
}

/* ---------------------------------------------------------------- recurrence */
/* Rows per batch slice: a multiple of 4, the gates tile of AVX2, NEON and the reference
 * (gates_mr_* in gates_impl.h), so slicing adds no row-tail tiles there; AVX-512's tile is 8 rows,
 * but its 4-row tail tile runs as fast per FMA (24 accumulators either way), and 4-row slices
 * let B = 8 run as two whole recurrences instead of a join per step. */
#define SLICE_ROWS 4

/* The regions of one direction for B rows (gru_direction_workspace's layout); a batch slice
 * [b0, b1) uses the rows b0.. of each region, disjoint from every other slice. */
typedef struct dir_bufs {
    float *h_a, *h_b, *scratch, *gxc; /* gxc: B rows of 3 hp, gathered gx */
    size_t *order;                    /* 2 B: the rows' items, and the sort's buffer */
} dir_bufs;

typedef struct rec_ctx {
    const gru_model *m;
    size_t l;
    const gru_dir_job *jobs;
    const gru_steps *s;
    const float *gx;
    float *y;
    size_t ldgx, ldy, ldh, slices, tiles, mr;
    const gru_threads *step_threads; /* non-NULL: split every step into hidden-unit blocks */
} rec_ctx;

int gru_direction_regions(const gru_model *m, size_t B, gru_dir_regions *r) {
    size_t s, x, g;
    return gru_mul_ok(B, m->hp, &s) && gru_mul_ok(s, 2 * sizeof(float), &s) && gru_align_ok(s, &r->state) &&
           gru_gates_scratch_floats(B, m->hp, m->cfg.variant == GRU_VARIANT_RESET_BEFORE, m->cfg.weights, &x) &&
           gru_mul_ok(x, sizeof(float), &x) && gru_align_ok(x, &r->scratch) && gru_mul_ok(B, 3 * m->hp, &g) &&
           gru_mul_ok(g, sizeof(float), &g) && gru_align_ok(g, &r->gxc) && gru_mul_ok(B, 2 * sizeof(size_t), &x) &&
           gru_align_ok(x, &r->order);
}

int gru_direction_workspace(const gru_model *m, size_t B, size_t *bytes) {
    gru_dir_regions r;
    return gru_direction_regions(m, B, &r) && gru_add_ok(r.state, r.scratch, bytes) && gru_add_ok(*bytes, r.gxc, bytes) &&
           gru_add_ok(*bytes, r.order, bytes);
}

static dir_bufs bufs_of(const gru_model *m, size_t B, void *ws) {
    gru_dir_regions r;
    gru_direction_regions(m, B, &r); /* checked by gru_direction_workspace */
    unsigned char *p = ws;
    dir_bufs b = {(float *)p, (float *)p + B * m->hp, (float *)(p + r.state), (float *)(p + r.state + r.scratch),
                  (size_t *)(void *)(p + r.state + r.scratch + r.gxc)};
    return b;
}

/* One step of rows [0, B) of a slice, every block at once or in block ranges on threads. */
typedef struct step_ctx {
    const gru_model *m;
    const gru_model_dir *dir;
    gru_gates_fn pass;
    float *h_out, *y, *scratch;
    const float *h_in, *gx;
    size_t ldy, ldgx, B, parts, blocks;
} step_ctx;

static void step_task(void *p, size_t i) {
    const step_ctx *c = p;
    const size_t b0 = c->blocks * i / c->parts, b1 = c->blocks * (i + 1) / c->parts;
    if (b0 < b1)
        c->pass(c->h_out, c->y, c->ldy, c->h_in, c->gx, c->ldgx, c->dir->w_hh, c->dir->bn, NULL, c->scratch, c->B,
                c->m->cfg.hidden_size, b0, b1);
}

/* order[0..n) stably by decreasing len[order[i]] (bottom-up merge sort; tmp: n more). */
static void sort_by_length(size_t *order, size_t *tmp, size_t n, const int64_t *len) {
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            const size_t mid = n - lo > w ? lo + w : n, hi = n - mid > w ? mid + w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) tmp[o++] = len[order[b]] > len[order[a]] ? order[b++] : order[a++];
            while (a < mid) tmp[o++] = order[a++];
            while (b < hi) tmp[o++] = order[b++];
        }
        memcpy(order, tmp, n * sizeof *order);
    }
}

/* Rows [b0, b1) of direction jobs[j] through every step (gru_run_direction's contract). With
 * lengths, state row i holds item order[i], the items by decreasing length (stable: the identity
 * when they come in that order, as PyTorch packs them), so the items active at a step are the
 * first n rows and the step computes only those. In another order their gx rows are gathered
 * (gxc) and y is copied from the new state (the kernel writes y with the same bits). The rest
 * keep their state and get y = 0: an inactive row is never written, its state copied into the
 * other buffer once, when it stops (or at the first step), so both buffers hold it. A row's bits
 * depend only on its own inputs: the order changes none. */
static void run_rows(const rec_ctx *c, size_t j, size_t b0, size_t b1) {
    const gru_model *m = c->m;
    const gru_steps *s = c->s;
    const gru_dir_job *job = &c->jobs[j];
    const size_t T = s->T, B = b1 - b0, H = m->cfg.hidden_size, hp = m->hp, d = job->d;
    const dir_bufs full = bufs_of(m, s->B, job->ws);
    float *h_a = full.h_a + b0 * hp, *h_b = full.h_b + b0 * hp, *gxc = full.gxc + b0 * 3 * hp;
    size_t row_scratch = 0; /* floats of scratch per row (checked by gru_direction_workspace) */
    gru_gates_scratch_floats(1, hp, m->cfg.variant == GRU_VARIANT_RESET_BEFORE, m->cfg.weights, &row_scratch);
    float *scratch = full.scratch ? full.scratch + b0 * row_scratch : NULL;
    size_t *order = full.order + 2 * b0;
    const int64_t *len = s->lengths ? s->lengths + b0 : NULL;
    const float *gx = c->gx + b0 * s->row_b * c->ldgx + d * 3 * hp;
    float *y = c->y ? c->y + b0 * s->row_b * c->ldy + d * H : NULL;
    const size_t ldgx_b = s->row_b * c->ldgx, ldy_b = s->row_b * c->ldy;

    int permuted = 0;
    for (size_t i = 0; i < B; i++) {
        order[i] = i;
        permuted |= len && i > 0 && len[i] > len[i - 1];
    }
    if (permuted) sort_by_length(order, order + B, B, len);
    /* Steps t >= the longest length change nothing (every row inactive: the state stays, y is
     * zero), in both directions, so they are skipped and only their y rows are zeroed. */
    const size_t steps = len ? (size_t)len[order[0]] : T;
    for (size_t i = 0; i < B; i++) { /* the state rows, padded with zeros */
        float *row = h_a + i * hp;
        if (job->h0)
            memcpy(row, job->h0 + (b0 + order[i]) * H, H * sizeof(float));
        else
            memset(row, 0, H * sizeof(float));
        memset(row + H, 0, (hp - H) * sizeof(float));
    }
    if (y)
        for (size_t t = steps; t < T; t++)
            for (size_t b = 0; b < B; b++) memset(y + t * s->row_t * c->ldy + b * ldy_b, 0, H * sizeof(float));
    const gru_model_dir *dir = &m->dir[c->l * m->D + d];
    size_t n = B; /* rows active at this step: those of length > t */
    for (size_t k = 0; k < steps; k++) {
        const size_t t = d ? steps - 1 - k : k, was = n;
        while (len && n > 0 && (size_t)len[order[n - 1]] <= t) n--;
        while (len && n < B && (size_t)len[order[n]] > t) n++;
        for (size_t i = n; i < was; i++) memcpy(h_b + i * hp, h_a + i * hp, hp * sizeof(float)); /* stopped */
        float *yt = y ? y + t * s->row_t * c->ldy : NULL, *ys = permuted ? NULL : yt;
        const float *g = gx + t * s->row_t * c->ldgx;
        size_t ldg = ldgx_b;
        if (permuted) {
            for (size_t i = 0; i < n; i++) memcpy(gxc + i * 3 * hp, g + order[i] * ldgx_b, 3 * hp * sizeof(float));
            g = gxc, ldg = 3 * hp;
        }
        const int zero = k == 0 && !job->h0; /* every row still holds the zero state */
        if (!c->step_threads || zero) { /* a zero state's step has no W_hh product: too little to split */
            gru_model_step(m, h_b, ys, ldy_b, h_a, g, ldg, dir, NULL, scratch, n, zero, (int)(k & 1));
        } else {
            step_ctx sc = {m, dir, NULL, h_b, ys, scratch, h_a, g, ldy_b, ldg, n, c->step_threads->n, hp / m->gates.nb};
            for (size_t p = 0; p < m->passes; p++) { /* pass 2 of RESET_BEFORE reads every block of pass 1 */
                sc.pass = m->pass[p];
                gru_threads_run(c->step_threads, step_task, &sc, sc.parts);
            }
        }
        for (size_t i = permuted ? 0 : n; yt && i < B; i++) {
            float *yr = yt + order[i] * ldy_b;
            if (i < n)
                memcpy(yr, h_b + i * hp, H * sizeof(float));
            else
                memset(yr, 0, H * sizeof(float));
        }
        float *tmp = h_a;
        h_a = h_b;
        h_b = tmp;
    }
    if (job->h_n)
        for (size_t i = 0; i < B; i++) memcpy(job->h_n + (b0 + order[i]) * c->ldh, h_a + i * hp, H * sizeof(float));
}

/* Task i: direction i / slices, slice i % slices (whole tiles of mr rows; the last takes the rest). */
static void rec_task(void *p, size_t i) {
    const rec_ctx *c = p;
    const size_t j = i / c->slices, k = i % c->slices;
    const size_t b0 = c->tiles * k / c->slices * c->mr;
    const size_t b1 = k + 1 == c->slices ? c->s->B : c->tiles * (k + 1) / c->slices * c->mr;
    run_rows(c, j, b0, b1);
}

gru_split gru_layer_split(const gru_model *m, size_t njobs, size_t T, size_t B, size_t nt, size_t *slices) {
    const size_t mr = SLICE_ROWS, tiles = B / mr ? B / mr : 1;
    const double step_fmas = (double)B * 3.0 * (double)m->hp * (double)m->cfg.hidden_size;
    *slices = 1;
    if (nt <= 1) return GRU_SPLIT_NONE;
    /* Whole recurrences first (no join per step): directions, then batch slices of whole tiles. */
    const size_t want = (nt + njobs - 1) / njobs, k = want < tiles ? want : tiles;
    if (njobs * k >= 2 && step_fmas * (double)T / (double)k >= PAR_MIN_TASK_FMAS * min_work) {
        *slices = k;
        return k > 1 ? GRU_SPLIT_SLICES : GRU_SPLIT_DIRECTIONS;
    }
    /* Else blocks of hidden units per step, when a step is big enough to pay for its joins. */
    if (m->hp / m->gates.nb >= 2 && step_fmas >= PAR_MIN_STEP_FMAS * min_work) return GRU_SPLIT_BLOCKS;
    return GRU_SPLIT_NONE;
}

void gru_run_layer(const gru_model *m, size_t l, const gru_dir_job *jobs, size_t njobs, const gru_steps *s,
                   const float *gx, size_t ldgx, float *y, size_t ldy, size_t ldh, const gru_threads *t) {
    rec_ctx c = {m, l, jobs, s, gx, y, ldgx, ldy, ldh, 1, 1, s->B, NULL};
    if (t->n == 1) { /* the common case first: nothing to choose */
        for (size_t j = 0; j < njobs; j++) run_rows(&c, j, 0, s->B);
        return;
    }
    c.mr = SLICE_ROWS, c.tiles = s->B / c.mr ? s->B / c.mr : 1;
    const gru_split how = gru_layer_split(m, njobs, s->T, s->B, t->n, &c.slices);
    if (how == GRU_SPLIT_BLOCKS) c.step_threads = t;
    const size_t tasks = njobs * c.slices;
    if (how == GRU_SPLIT_DIRECTIONS || how == GRU_SPLIT_SLICES)
        gru_threads_run(t, rec_task, &c, tasks);
    else
        for (size_t i = 0; i < tasks; i++) rec_task(&c, i);
}

void gru_run_direction(const gru_model *m, size_t l, size_t d, const gru_steps *s, const float *h0, const float *gx,
                       size_t ldgx, float *y, size_t ldy, float *h_n, size_t ldh, void *ws) {
    const gru_dir_job job = {d, h0, h_n, ws};
    const gru_threads one = {NULL, 1};
    gru_run_layer(m, l, &job, 1, s, gx, ldgx, y, ldy, ldh, &one);
}
