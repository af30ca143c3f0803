/* SPDX-License-Identifier: MIT
 * x86-64 feature probe: cpuid for the instruction sets, xgetbv for the register state the OS saves. */
#include <cpuid.h>
#include <stdint.h>

#include "config.h"
#include "cpu.h"

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

unsigned gru_cpu_detect(void) {
    unsigned a, b, c, d, flags = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return 0;
    const uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return 0; /* XMM and YMM state */
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    const int avx2 = (b >> 5) & 1;
    const int avx512 = ((b >> 16) & 1) /* F */ && ((b >> 17) & 1) /* DQ */ && ((b >> 30) & 1) /* BW */ &&
                       ((b >> 31) & 1) /* VL */;
    if (avx2 && fma && f16c) {
        flags |= GRU_CPU_FLAG_AVX2;
        if (avx512 && (xcr0 & 0xe0) == 0xe0) flags |= GRU_CPU_FLAG_AVX512; /* opmask, ZMM0-15 hi, ZMM16-31 */
    }
#if !HAVE_AVX512
    flags &= ~(unsigned)GRU_CPU_FLAG_AVX512; /* this build has no AVX-512 kernels */
#endif
#ifdef GRU_EMULATE_AVX512
    /* Test build: the AVX-512 kernels are compiled against SIMDe, so any AVX2 machine runs them. */
    if (flags & GRU_CPU_FLAG_AVX2) flags |= GRU_CPU_FLAG_AVX512;
#endif
    return flags;
}
