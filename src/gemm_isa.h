/* SPDX-License-Identifier: MIT
 * Instantiates the GEMM family, one function per weight storage type, for the vocabulary
 * included before it (one per ISA file). */
#include "gemm.h"
#include "gemm_impl.h"

#define GEMM_ENTRY(type, wt) \
    decl_gemm_fn(GRU_ISA_FN(gru_gemm_##type)) { gemm_run(g, ldg, a, lda, wp, start, m, n, kdim, wt); }
GEMM_ENTRY(f32, GRU_WEIGHTS_F32)
GEMM_ENTRY(f16, GRU_WEIGHTS_F16)
GEMM_ENTRY(bf16, GRU_WEIGHTS_BF16)
GEMM_ENTRY(i8, GRU_WEIGHTS_INT8)
