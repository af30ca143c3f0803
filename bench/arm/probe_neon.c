/* SPDX-License-Identifier: MIT */
#include "arm/vec_neon.h"
#include "probe_isa.h"
