/* SPDX-License-Identifier: MIT
 * Probe kernels: the scalar instance and the init ladder. */
#include "probe.h"

#include "config.h"
#include "cpu.h"
#include "vec_scalar.h"
#include "probe_isa.h"

void gru_bench_probe_init(GruProbeDSP *c, unsigned flags) {
    c->fma = gru_bench_probe_fma_c;
    c->read = gru_bench_probe_read_c;
#if ARCH_X86_64
    if (!(flags & GRU_CPU_FLAG_AVX2)) return;
    c->fma = gru_bench_probe_fma_avx2;
    c->read = gru_bench_probe_read_avx2;
#if HAVE_AVX512
    if (!(flags & GRU_CPU_FLAG_AVX512)) return;
    c->fma = gru_bench_probe_fma_avx512;
    c->read = gru_bench_probe_read_avx512;
#endif
#elif ARCH_AARCH64
    if (!(flags & GRU_CPU_FLAG_NEON)) return;
    c->fma = gru_bench_probe_fma_neon;
    c->read = gru_bench_probe_read_neon;
#else
    (void)flags;
#endif
}
