/* SPDX-License-Identifier: MIT
 * CPU feature flags, detected once, and the cap that gru_set_max_isa() and GRU_ISA set.
 * Kernel families fill their dispatch tables from a flag mask, never from the CPU directly,
 * so tests and benchmarks can re-init a table for any ISA the CPU has. */
#ifndef GRU_SRC_CPU_H
#define GRU_SRC_CPU_H

#include "gru/gru.h"

enum {
    GRU_CPU_FLAG_AVX2 = 1u << 0,   /* AVX2 + FMA + F16C, YMM state saved by the OS */
    GRU_CPU_FLAG_AVX512 = 1u << 1, /* AVX-512 F/BW/DQ/VL, ZMM + opmask state saved */
    GRU_CPU_FLAG_NEON = 1u << 2,   /* AArch64 Advanced SIMD */
};

/* Every ISA in dispatch order, oldest first: the one list that tests and benchmarks walk. */
#define GRU_FOREACH_ISA(X)                 \
    X(GRU_ISA_SCALAR, scalar, 0u)          \
    X(GRU_ISA_AVX2, avx2, GRU_CPU_FLAG_AVX2) \
    X(GRU_ISA_AVX512, avx512, GRU_CPU_FLAG_AVX512 | GRU_CPU_FLAG_AVX2) \
    X(GRU_ISA_NEON, neon, GRU_CPU_FLAG_NEON)
#define GRU_ISA_COUNT 4

/* Arch-specific probe (src/x86/cpu.c, src/arm/cpu.c); flags this CPU has. */
unsigned gru_cpu_detect(void);
/* Detected flags, probed once (thread-safe). */
unsigned gru_cpu_flags_detected(void);
/* Flags of the active ISA: detected flags limited by the current cap. */
unsigned gru_cpu_flags(void);
/* The flags an ISA needs (the mask a table is initialized with for that ISA). */
unsigned gru_isa_flags(gru_isa isa);
/* The ISA that a table initialized from `flags` dispatches to. */
gru_isa gru_isa_of_flags(unsigned flags);

#endif /* GRU_SRC_CPU_H */
