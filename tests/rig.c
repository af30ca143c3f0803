/* SPDX-License-Identifier: MIT */
#include "rig.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUARD_BYTES 64
#define GUARD_VALUE 0xA5

/* Criterion runs each test in its own worker process: the runner fixes the seed once, before
 * any worker starts, and the workers inherit it through the environment. */
ReportHook(PRE_ALL)(struct criterion_test_set *set) {
    (void)set;
    const char *e = getenv("GRU_TEST_SEED");
    if (!e || !*e) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, (uint64_t)time(NULL));
        setenv("GRU_TEST_SEED", buf, 1);
    }
    fprintf(stderr, "GRU_TEST_SEED=%s\n", getenv("GRU_TEST_SEED"));
}

uint64_t rig_seed(void) {
    const char *e = getenv("GRU_TEST_SEED");
    cr_assert(e && *e, "GRU_TEST_SEED is unset: the runner's PRE_ALL hook did not run");
    return strtoull(e, NULL, 0);
}

rig_rng rig_rng_init(uint64_t stream) {
    rig_rng r = {rig_seed() ^ (stream * 0x9E3779B97F4A7C15ull)};
    rig_u32(&r);
    return r;
}

uint32_t rig_u32(rig_rng *r) { /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

uint32_t rig_below(rig_rng *r, uint32_t n) { return (uint32_t)(((uint64_t)rig_u32(r) * n) >> 32); }

float rig_uniform(rig_rng *r, float lo, float hi) {
    return lo + (hi - lo) * (float)(rig_u32(r) >> 8) * 0x1p-24f;
}

int rig_isa_available(gru_isa isa) {
    const char *req = getenv("GRU_TEST_REQUIRE");
    const unsigned need = gru_isa_flags(isa), have = gru_cpu_flags_detected();
    const int ok = (have & need) == need;
    if (req && !ok) {
        char list[128];
        snprintf(list, sizeof list, ",%s,", req);
        char name[32];
        snprintf(name, sizeof name, ",%s,", gru_isa_name(isa));
        cr_assert(!strstr(list, name), "GRU_TEST_REQUIRE names %s but this CPU/build does not provide it",
                  gru_isa_name(isa));
    }
    return ok;
}

int rig_simd_isa_count(void) {
    int n = 0;
    RIG_FOREACH_SIMD_ISA(isa) n++;
    return n;
}

/* Live allocations: each Criterion test runs in its own process, single-threaded. */
static struct {
    float *p;
    void *base;
    size_t n;
} live[256];

static int slot_of(const float *p) {
    for (int i = 0; i < 256; i++)
        if (live[i].p == p) return i;
    cr_assert_fail("rig: %p was not allocated by rig_alloc", (const void *)p);
    return -1;
}

float *rig_alloc(size_t n, size_t misalign) {
    const size_t bytes = (misalign + n) * sizeof(float) + GUARD_BYTES;
    unsigned char *base = aligned_alloc(64, (bytes + 63) / 64 * 64);
    cr_assert(base, "rig_alloc(%zu) failed", n);
    float *p = (float *)base + misalign;
    memset(p + n, GUARD_VALUE, GUARD_BYTES);
    int i = slot_of(NULL);
    live[i].p = p;
    live[i].base = base;
    live[i].n = n;
    return p;
}

void rig_check_guard(const float *p, const char *what) {
    const size_t n = live[slot_of(p)].n;
    const unsigned char *g = (const unsigned char *)(p + n);
    for (int i = 0; i < GUARD_BYTES; i++)
        cr_assert(g[i] == GUARD_VALUE, "%s: write past the end (guard byte %d of %zu-float buffer changed)", what,
                  i, n);
}

void rig_free(float *p) {
    if (!p) return;
    const int i = slot_of(p);
    free(live[i].base);
    live[i].p = NULL;
}
