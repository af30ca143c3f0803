/* SPDX-License-Identifier: MIT */
#include "arm/vec_neon.h"
#include "gemm_isa.h"
