/* SPDX-License-Identifier: MIT */
#include "x86/vec_avx512.h"
#include "gates_isa.h"
