/* SPDX-License-Identifier: MIT
 * Wall clock and core clock for the benchmarks. */
#ifndef GRU_BENCH_CLOCK_H
#define GRU_BENCH_CLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic seconds. */
double gru_bench_now(void);
/* CPU seconds of the calling thread: unlike wall time, not inflated while other processes
 * share the core (this project's machine is shared; load averages of 4-8 on 2 cores happen). */
double gru_bench_cpu_now(void);

/* The core clock in Hz, measured (~0.1 s of CPU time) by timing a chain of dependent integer adds,
 * each of one-cycle latency on every x86-64 and AArch64 core we target: cycles = adds, divided by
 * the thread's CPU time. This is the clock the core runs at now (turbo included), not the TSC (a
 * fixed reference rate), and needs no perf counters (often unavailable in VMs). 0 where the
 * architecture has no such chain here. */
double gru_bench_core_hz(void);

#ifdef __cplusplus
}
#endif
#endif /* GRU_BENCH_CLOCK_H */
