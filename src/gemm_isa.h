/* SPDX-License-Identifier: MIT
 * Instantiates the GEMM family for the vocabulary included before it (one per ISA file). */
#include "gemm.h"
#include "gemm_impl.h"

decl_gemm_fn(GRU_ISA_FN(gru_gemm_f32)) { gemm_run(g, ldg, a, lda, wp, start, m, n, kdim); }
