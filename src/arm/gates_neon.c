/* SPDX-License-Identifier: MIT */
#include "arm/vec_neon.h"
#include "gates_isa.h"
