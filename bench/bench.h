/* SPDX-License-Identifier: MIT
 * The C side of the benchmark suite. Every benchmark is one entry: a name, a state built once on
 * first use (untimed), one unit of work per timed iteration, and the figures per iteration that
 * the C++ registration (register.cc) turns into Google Benchmark counters. Entries reach kernels
 * only through dispatch tables initialised from a CPU-flag mask, or through the public API with
 * gru_set_max_isa() at model creation: no ISA symbol is named here. */
#ifndef GRU_BENCH_BENCH_H
#define GRU_BENCH_BENCH_H

#include <stddef.h>

#include "gru/gru.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which sweep to register; a shape belongs to the quick set, the full set, or both. */
enum { GRU_BENCH_QUICK = 1, GRU_BENCH_FULL = 2 };

typedef struct gru_bench_options {
    unsigned set;            /* GRU_BENCH_QUICK or GRU_BENCH_FULL */
    int threads;             /* thread count of libgru (gru_set_num_threads) and of the peers */
    double scalar_max_flops; /* the scalar reference is skipped above this many FLOPs per call */
    double min_time;         /* seconds per repetition */
    int repetitions;
    int onednn; /* register the oneDNN peer (when built with it) */
} gru_bench_options;

typedef struct gru_bench_entry gru_bench_entry;
struct gru_bench_entry {
    char name[160];
    /* Builds the state (NULL on failure, with a reason in why); runs one unit; frees it. */
    void *(*setup)(const gru_bench_entry *e, char *why, size_t why_len);
    void (*run)(void *state);
    void (*teardown)(void *state);
    const void *params; /* the entry's row of its table */
    gru_isa isa;        /* ours: the ISA (peers: unused) */
    /* Per call: */
    double items;        /* elements (activations), or 0 */
    double flops;        /* FLOPs (PERF.md formula), or 0 */
    double weight_bytes; /* weight bytes streamed, or 0 */
    double bound_s;      /* the roofline lower bound on its time, or 0 */
    double min_time;
    int repetitions;
    void *state;    /* owned by the registration layer */
    char skip[200]; /* non-empty: registered, but skipped for this reason (or setup failed) */
};

/* A growable list of entries. */
typedef struct gru_bench_list {
    gru_bench_entry *v;
    size_t n, cap;
} gru_bench_list;
/* Appends a zeroed entry and returns it (aborts the benchmark program on out of memory). */
gru_bench_entry *gru_bench_list_add(gru_bench_list *l);
void gru_bench_list_free(gru_bench_list *l);

/* The ISAs this run measures: the scalar reference and every ISA up to the active cap
 * (GRU_ISA=avx2 makes a machine with AVX-512 measure like one without). */
int gru_bench_isa_enabled(gru_isa isa);

/* Families add their entries. */
void gru_bench_add_act(gru_bench_list *l, const gru_bench_options *o);
void gru_bench_add_gru(gru_bench_list *l, const gru_bench_options *o);
/* 1 if the oneDNN peer is compiled in; adds its entries when it is. */
int gru_bench_have_onednn(void);
void gru_bench_add_onednn(gru_bench_list *l, const gru_bench_options *o);
/* The ISA oneDNN's kernels use ("avx2", "avx512_core", ...); "" without oneDNN. */
const char *gru_bench_onednn_isa(void);
/* Frees the models and data the GRU entries share (after the last benchmark). */
void gru_bench_gru_clear(void);

#ifdef __cplusplus
}
#endif
#endif /* GRU_BENCH_BENCH_H */
