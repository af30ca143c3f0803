/* SPDX-License-Identifier: MIT */
#include "x86/vec_avx2.h"
#include "gemm_isa.h"
