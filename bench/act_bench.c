/* SPDX-License-Identifier: MIT
 * Activation family: sigmoid and tanh per ISA at a few array sizes, through the family's
 * dispatch table initialised for each ISA's flags. Counters: elements per second, elements per
 * cycle (report.py adds the speedup over the scalar entry). */
#include <stdio.h>
#include <stdlib.h>

#include "act.h"
#include "bench.h"
#include "cpu.h"

typedef struct act_case {
    const char *fn; /* "sigmoid" or "tanh" */
    size_t n;
} act_case;

/* n = 256: fits L1 with room, call overhead shows; 4096: L1-resident (2 x 16 KiB);
 * 65536: 2 x 256 KiB, streams from L2. */
static const act_case act_cases[] = {
    {"sigmoid", 256}, {"sigmoid", 4096}, {"sigmoid", 65536}, {"tanh", 256}, {"tanh", 4096}, {"tanh", 65536},
};

typedef struct act_state {
    gru_act_fn fn;
    float *x, *y;
    size_t n;
} act_state;

static void *act_setup(const gru_bench_entry *e, char *why, size_t why_len) {
    const act_case *c = e->params;
    act_state *s = calloc(1, sizeof *s);
    /* One block, y 64 bytes past the end of x: y - x is never a multiple of 4 KiB, so stores
     * to y[i] do not falsely alias loads of x[i] (4K aliasing would slow some sizes only). */
    float *mem = s ? gru_malloc((2 * c->n + 16) * sizeof(float)) : NULL;
    if (!mem) {
        free(s);
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    s->x = mem;
    s->y = mem + c->n + 16;
    GruActDSP t;
    gru_act_dsp_init(&t, gru_isa_flags(e->isa));
    s->fn = c->fn[0] == 's' ? t.sigmoid : t.tanh;
    s->n = c->n;
    uint32_t r = 12345;
    for (size_t i = 0; i < c->n; i++) { /* uniform in [-8, 8): the range gates see */
        r = r * 1664525u + 1013904223u;
        s->x[i] = ((float)(r >> 8) * 0x1p-24f - 0.5f) * 16.0f;
    }
    return s;
}

static void act_run(void *state) {
    act_state *s = state;
    s->fn(s->y, s->x, s->n);
}

static void act_teardown(void *state) {
    act_state *s = state;
    gru_free(s->x);
    free(s);
}

void gru_bench_add_act(gru_bench_list *l, const gru_bench_options *o) {
    for (size_t k = 0; k < sizeof act_cases / sizeof act_cases[0]; k++) {
        for (int isa = 0; isa < GRU_ISA_COUNT; isa++) {
            if (!gru_bench_isa_enabled((gru_isa)isa)) continue;
            gru_bench_entry *e = gru_bench_list_add(l);
            snprintf(e->name, sizeof e->name, "act/%s/n%zu/%s", act_cases[k].fn, act_cases[k].n,
                     gru_isa_name((gru_isa)isa));
            e->setup = act_setup;
            e->run = act_run;
            e->teardown = act_teardown;
            e->params = &act_cases[k];
            e->isa = (gru_isa)isa;
            e->items = (double)act_cases[k].n;
            e->min_time = o->min_time;
            e->repetitions = o->repetitions;
        }
    }
}
