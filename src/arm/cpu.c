/* SPDX-License-Identifier: MIT
 * AArch64 feature probe: Advanced SIMD is part of the baseline. */
#include "cpu.h"

unsigned gru_cpu_detect(void) { return GRU_CPU_FLAG_NEON; }
