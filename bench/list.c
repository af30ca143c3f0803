/* SPDX-License-Identifier: MIT
 * The entry list and the set of ISAs a run measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cpu.h"

gru_bench_entry *gru_bench_list_add(gru_bench_list *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        gru_bench_entry *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            fprintf(stderr, "gru_bench: out of memory\n");
            exit(1);
        }
        l->v = v;
        l->cap = cap;
    }
    gru_bench_entry *e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    return e;
}

void gru_bench_list_free(gru_bench_list *l) {
    free(l->v);
    memset(l, 0, sizeof *l);
}

int gru_bench_isa_enabled(gru_isa isa) {
    const unsigned need = gru_isa_flags(isa);
    return (gru_cpu_flags() & need) == need;
}
