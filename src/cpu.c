/* SPDX-License-Identifier: MIT */
#include "cpu.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "common.h"

static const struct {
    const char *name;
    unsigned flags;
} isa_table[GRU_ISA_COUNT] = {
#define ROW(isa, name, flags) [isa] = {#name, flags},
    GRU_FOREACH_ISA(ROW)
#undef ROW
};

static unsigned detected;
static atomic_uint active; /* flags of the active ISA */
static once_flag init_once = ONCE_FLAG_INIT;

unsigned gru_isa_flags(gru_isa isa) { return (unsigned)isa < GRU_ISA_COUNT ? isa_table[isa].flags : 0u; }

gru_isa gru_isa_of_flags(unsigned flags) {
    gru_isa best = GRU_ISA_SCALAR;
    for (int i = 0; i < GRU_ISA_COUNT; i++)
        if ((flags & isa_table[i].flags) == isa_table[i].flags) best = (gru_isa)i;
    return best;
}

static void init(void) {
    detected = gru_cpu_detect();
    unsigned flags = detected;
    const char *env = getenv("GRU_ISA");
    if (env && *env) {
        gru_isa cap;
        if (gru_isa_from_name(env, &cap) != GRU_OK)
            fprintf(stderr, "libgru: warning: GRU_ISA=%s is not an ISA name; using %s\n", env,
                    gru_isa_name(gru_isa_of_flags(detected)));
        else if ((detected & isa_table[cap].flags) != isa_table[cap].flags)
            fprintf(stderr, "libgru: warning: GRU_ISA=%s is not supported by this CPU; using %s\n", env,
                    gru_isa_name(gru_isa_of_flags(detected)));
        else
            flags = isa_table[cap].flags;
    }
    atomic_store(&active, flags);
}

unsigned gru_cpu_flags_detected(void) {
    call_once(&init_once, init);
    return detected;
}

unsigned gru_cpu_flags(void) {
    call_once(&init_once, init);
    return atomic_load(&active);
}

gru_isa gru_isa_detected(void) { return gru_isa_of_flags(gru_cpu_flags_detected()); }
gru_isa gru_isa_active(void) { return gru_isa_of_flags(gru_cpu_flags()); }

const char *gru_isa_name(gru_isa isa) { return (unsigned)isa < GRU_ISA_COUNT ? isa_table[isa].name : "unknown"; }

gru_status gru_isa_from_name(const char *name, gru_isa *isa) {
    if (!name || !isa) return gru_error(GRU_ERR_NULL, "gru_isa_from_name: NULL argument");
    for (int i = 0; i < GRU_ISA_COUNT; i++)
        if (!strcmp(name, isa_table[i].name)) {
            *isa = (gru_isa)i;
            return GRU_OK;
        }
    return gru_error(GRU_ERR_INVALID, "unknown ISA name '%s' (expected scalar, avx2, avx512 or neon)", name);
}

gru_status gru_set_max_isa(gru_isa isa) {
    if ((unsigned)isa >= GRU_ISA_COUNT) return gru_error(GRU_ERR_INVALID, "gru_set_max_isa: invalid ISA %d", (int)isa);
    unsigned need = isa_table[isa].flags, have = gru_cpu_flags_detected();
    if ((have & need) != need)
        return gru_error(GRU_ERR_UNSUPPORTED, "gru_set_max_isa: this CPU does not support %s", isa_table[isa].name);
    atomic_store(&active, need);
    return GRU_OK;
}
