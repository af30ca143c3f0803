/* SPDX-License-Identifier: MIT
 * The thread count and the library's pools. A pool per distinct count, created on first use under
 * a mutex and kept until the process ends: a call that is still running on one is never
 * disturbed by gru_set_num_threads from another thread. */
#include "pool.h"

#include <pthreadpool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

#include "common.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#define MAX_THREADS 1024 /* more is surely a typo (and would start that many threads) */

static atomic_size_t count; /* 0: not read from GRU_NUM_THREADS yet */
static once_flag count_once = ONCE_FLAG_INIT;

static void count_init(void) {
    const char *env = getenv("GRU_NUM_THREADS");
    size_t n = 1;
    if (env && *env) {
        char *end;
        const unsigned long long v = strtoull(env, &end, 10);
        if (*env < '0' || *env > '9' || *end || v == 0 || v > MAX_THREADS)
            fprintf(stderr, "libgru: warning: GRU_NUM_THREADS=%s is not an integer in [1, %d]; using 1\n", env,
                    MAX_THREADS);
        else
            n = (size_t)v;
    }
    size_t zero = 0; /* gru_set_num_threads may have run first: keep its value */
    atomic_compare_exchange_strong(&count, &zero, n);
}

size_t gru_get_num_threads(void) {
    size_t n = atomic_load_explicit(&count, memory_order_relaxed);
    if (n) return n;
    call_once(&count_once, count_init);
    return atomic_load(&count);
}

gru_status gru_set_num_threads(size_t n) {
    if (n == 0 || n > MAX_THREADS)
        return gru_error(GRU_ERR_INVALID, "gru_set_num_threads: %zu is not in [1, %d]", n, MAX_THREADS);
    call_once(&count_once, count_init); /* the environment is read once, before any set */
    atomic_store(&count, n);
    return GRU_OK;
}

typedef struct pool_item {
    struct pool_item *next;
    pthreadpool_t pool;
    size_t n;
} pool_item;
static pool_item *pools;
static _Atomic(pool_item *) last; /* the pool the last lookup found: a call needs no lock */
static mtx_t pools_mtx;
static once_flag pools_once = ONCE_FLAG_INIT;
static void pools_init(void) { mtx_init(&pools_mtx, mtx_plain); }

static pthreadpool_t library_pool(size_t n) {
    pool_item *p = atomic_load_explicit(&last, memory_order_acquire); /* items are never freed */
    if (p && p->n == n) return p->pool;
    call_once(&pools_once, pools_init);
    mtx_lock(&pools_mtx);
    p = pools;
    while (p && p->n != n) p = p->next;
    if (!p && (p = malloc(sizeof *p)) != NULL) {
        p->pool = pthreadpool_create(n);
        p->n = n;
        p->next = pools;
        if (p->pool)
            pools = p;
        else
            free(p), p = NULL;
    }
    if (p) atomic_store_explicit(&last, p, memory_order_release);
    mtx_unlock(&pools_mtx);
    return p ? p->pool : NULL;
}

gru_threads gru_threads_get(struct pthreadpool *caller) {
    gru_threads t = {NULL, 1};
    if (caller) {
        t.n = pthreadpool_get_threads_count(caller);
        t.pool = t.n > 1 ? caller : NULL;
    } else if ((t.n = gru_get_num_threads()) > 1) {
        t.pool = library_pool(t.n);
        if (!t.pool) t.n = 1;
    }
    if (!t.n) t.n = 1;
    return t;
}

/* The floating-point control bits of the calling thread (not its sticky status flags). */
#if defined(__x86_64__)
typedef unsigned fp_ctl;
static fp_ctl fp_get(void) { return _mm_getcsr() & ~0x3Fu; }
static void fp_set(fp_ctl c) { _mm_setcsr((_mm_getcsr() & 0x3Fu) | c); }
#elif defined(__aarch64__)
typedef uint64_t fp_ctl;
static fp_ctl fp_get(void) {
    uint64_t c;
    __asm__ volatile("mrs %0, fpcr" : "=r"(c));
    return c;
}
static void fp_set(fp_ctl c) { __asm__ volatile("msr fpcr, %0" : : "r"(c)); }
#else
typedef int fp_ctl;
static fp_ctl fp_get(void) { return 0; }
static void fp_set(fp_ctl c) { (void)c; }
#endif

typedef struct run_ctx {
    gru_task_fn fn;
    void *ctx;
    fp_ctl fp;
} run_ctx;

static void run_task(void *c, size_t i) {
    const run_ctx *r = c;
    const fp_ctl mine = fp_get();
    if (mine != r->fp) fp_set(r->fp);
    r->fn(r->ctx, i);
    if (mine != r->fp) fp_set(mine);
}

void gru_threads_run(const gru_threads *t, gru_task_fn fn, void *ctx, size_t range) {
    if (t->n <= 1 || !t->pool || range <= 1) {
        for (size_t i = 0; i < range; i++) fn(ctx, i);
        return;
    }
    run_ctx r = {fn, ctx, fp_get()};
    pthreadpool_parallelize_1d(t->pool, run_task, &r, range, 0);
}
