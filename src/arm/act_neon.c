/* SPDX-License-Identifier: MIT */
#include "arm/vec_neon.h"
#include "act_isa.h"
