/* SPDX-License-Identifier: MIT
 * The cross-check rig shared by every test, checkasm-style:
 *  - one seed per run, printed, replayable with GRU_TEST_SEED=<n>;
 *  - the ISAs to check are walked from GRU_FOREACH_ISA, reference first; tests never name
 *    ISA symbols, they init a dispatch table with gru_isa_flags(isa);
 *  - GRU_TEST_REQUIRE=avx512,neon (set by the emulated suites) turns a missing ISA into a
 *    failure, so an emulated suite can never pass by skipping;
 *  - guarded buffers catch writes past the end and let tests start at unaligned addresses. */
#ifndef GRU_TESTS_RIG_H
#define GRU_TESTS_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "gru/gru.h"

uint64_t rig_seed(void);

/* A float's bit pattern and back. */
static inline float rig_from_bits(uint32_t b) {
    float f;
    __builtin_memcpy(&f, &b, sizeof f);
    return f;
}
static inline uint32_t rig_to_bits(float f) {
    uint32_t b;
    __builtin_memcpy(&b, &f, sizeof b);
    return b;
}

typedef struct rig_rng {
    uint64_t s;
} rig_rng;
/* An independent stream per (seed, stream id), so tests do not depend on their order. */
rig_rng rig_rng_init(uint64_t stream);
uint32_t rig_u32(rig_rng *r);
uint32_t rig_below(rig_rng *r, uint32_t n); /* uniform in [0, n) */
float rig_uniform(rig_rng *r, float lo, float hi);

/* ISA available on this CPU (or under emulation); scalar always is. Fails the test if an ISA
 * named in GRU_TEST_REQUIRE is missing. */
int rig_isa_available(gru_isa isa);
#define RIG_FOREACH_SIMD_ISA(isa) \
    for (gru_isa isa = GRU_ISA_AVX2; isa < GRU_ISA_COUNT; isa = (gru_isa)(isa + 1)) \
        if (rig_isa_available(isa))
/* Number of SIMD ISAs checked in this run (reported by tests so a run that checks none is visible). */
int rig_simd_isa_count(void);

/* n floats at `misalign` floats past a 64-byte boundary, followed by guard bytes. */
float *rig_alloc(size_t n, size_t misalign);
/* Fails the test if a guard byte after the buffer changed. */
void rig_check_guard(const float *p, const char *what);
void rig_free(float *p);

#endif /* GRU_TESTS_RIG_H */
