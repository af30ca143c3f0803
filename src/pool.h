/* SPDX-License-Identifier: MIT
 * Threads: the process-wide thread count (gru_set_num_threads, GRU_NUM_THREADS), the library's
 * pthreadpools, and the one way the engine runs tasks on them. Work is only ever split over
 * outputs, batch rows or directions (never over k), so the thread count cannot change a bit. */
#ifndef GRU_SRC_POOL_H
#define GRU_SRC_POOL_H

#include <stddef.h>

#include "gru/gru.h"

/* The threads one call runs on: n >= 1; pool NULL when n == 1 (tasks then run inline). */
typedef struct gru_threads {
    struct pthreadpool *pool;
    size_t n;
} gru_threads;

/* The caller's pool when it is not NULL (its thread count), else the library's for the current
 * gru_get_num_threads(); n == 1 (no pool) if a pool cannot be created. Costs one atomic load when
 * the count is 1. */
gru_threads gru_threads_get(struct pthreadpool *caller);

typedef void (*gru_task_fn)(void *ctx, size_t i);
/* Runs fn(ctx, i) for i < range, on t's pool when range > 1 and t->n > 1, else inline in order;
 * returns when every call is done. Worker threads run with the caller's floating-point control
 * (rounding mode, FTZ/DAZ), so results do not depend on which thread computes them. */
void gru_threads_run(const gru_threads *t, gru_task_fn fn, void *ctx, size_t range);

#endif /* GRU_SRC_POOL_H */
