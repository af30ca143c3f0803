/* SPDX-License-Identifier: MIT */
#include "x86/vec_avx512.h"
#include "probe_isa.h"
