/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include <time.h>

double gru_bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double gru_bench_cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define ADDS_PER_ROUND 100

#if defined(__x86_64__) || defined(__aarch64__)
/* rounds * ADDS_PER_ROUND dependent adds; the loop counter runs beside the chain. */
static void add_chain(long rounds) {
    long x = 0;
    for (long i = 0; i < rounds; i++) {
#if defined(__x86_64__)
        __asm__ volatile(".rept 100\n\taddq $1, %0\n\t.endr" : "+r"(x));
#else
        __asm__ volatile(".rept 100\n\tadd %0, %0, #1\n\t.endr" : "+r"(x));
#endif
    }
}

double gru_bench_core_hz(void) {
    long rounds = 10000;
    for (;;) { /* calibrate to ~4 ms per trial */
        double t0 = gru_bench_cpu_now();
        add_chain(rounds);
        if (gru_bench_cpu_now() - t0 > 2e-3) break;
        rounds *= 2;
    }
    rounds *= 2;
    double best = 0;
    for (int trial = 0; trial < 10; trial++) { /* the fastest trial: least disturbed by others */
        double t0 = gru_bench_cpu_now();
        add_chain(rounds);
        double hz = (double)rounds * ADDS_PER_ROUND / (gru_bench_cpu_now() - t0);
        if (hz > best) best = hz;
    }
    return best;
}
#else
double gru_bench_core_hz(void) { return 0; }
#endif
