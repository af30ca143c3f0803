/* SPDX-License-Identifier: MIT
 * gru info: version, CPU, ISAs, and what every dispatch-table slot points to. A slot's ISA is
 * found by asking the tables themselves: the oldest ISA whose table (initialised with that
 * ISA's flags) holds the same function as the active table - no symbol is named. */
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "cpu.h"
#include "gates.h"
#include "gemm.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

typedef void (*any_fn)(void);

static any_fn act_sigmoid(unsigned f, size_t *tile) {
    GruActDSP c;
    gru_act_dsp_init(&c, f);
    *tile = 0;
    return (any_fn)c.sigmoid;
}
static any_fn act_tanh(unsigned f, size_t *tile) {
    GruActDSP c;
    gru_act_dsp_init(&c, f);
    *tile = 0;
    return (any_fn)c.tanh;
}
static any_fn gemm_gemm(unsigned f, size_t *tile) {
    GruGemmDSP c;
    gru_gemm_dsp_init(&c, f);
    *tile = c.nr;
    return (any_fn)c.gemm[GRU_WEIGHTS_F32];
}
static any_fn gates_lbr(unsigned f, size_t *tile) {
    GruGatesDSP c;
    gru_gates_dsp_init(&c, f);
    *tile = c.nb;
    return (any_fn)c.lbr[GRU_WEIGHTS_F32];
}
static any_fn gates_rb_rz(unsigned f, size_t *tile) {
    GruGatesDSP c;
    gru_gates_dsp_init(&c, f);
    *tile = c.nb;
    return (any_fn)c.rb_rz[GRU_WEIGHTS_F32];
}
static any_fn gates_rb_n(unsigned f, size_t *tile) {
    GruGatesDSP c;
    gru_gates_dsp_init(&c, f);
    *tile = c.nb;
    return (any_fn)c.rb_n[GRU_WEIGHTS_F32];
}

static const struct {
    const char *name, *tile_name;
    any_fn (*get)(unsigned flags, size_t *tile);
} slots[] = {
    {"act.sigmoid", NULL, act_sigmoid},   {"act.tanh", NULL, act_tanh},       {"gemm.gemm", "panel nr", gemm_gemm},
    {"gates.lbr", "block nb", gates_lbr}, {"gates.rb_rz", "block nb", gates_rb_rz},
    {"gates.rb_n", "block nb", gates_rb_n},
};

/* The CPU's model string: cpuid's brand string on x86-64, else /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len) {
    snprintf(buf, len, "unknown");
#if defined(__x86_64__)
    unsigned r[12];
    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        char s[49];
        memcpy(s, r, 48);
        s[48] = '\0';
        const char *p = s;
        while (*p == ' ') p++;
        snprintf(buf, len, "%s", p);
        return;
    }
#endif
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon || (strncmp(line, "model name", 10) && strncmp(line, "Hardware", 8) && strncmp(line, "CPU part", 8)))
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, len, "%s", colon);
        if (!strncmp(line, "model name", 10)) break;
    }
    fclose(f);
}

int gru_cli_info(int argc, char **argv) {
    (void)argv;
    if (argc > 1) return gru_cli_usage("'gru info' takes no arguments");
    char model[128];
    cpu_model(model, sizeof model);
    const unsigned detected = gru_cpu_flags_detected(), active = gru_cpu_flags();
    printf("libgru %s\n", gru_version());
    printf("cpu            %s\n", model);
    printf("isa detected   %s\n", gru_isa_name(gru_isa_detected()));
    printf("isa active     %s%s\n", gru_isa_name(gru_isa_active()), active != detected ? " (capped by GRU_ISA)" : "");
    printf("isas built     scalar");
#if ARCH_X86_64
    printf(" avx2%s", HAVE_AVX512 ? " avx512" : "");
#elif ARCH_AARCH64
    printf(" neon");
#endif
    printf("\ndispatch (active isa):\n");
    for (size_t s = 0; s < sizeof slots / sizeof slots[0]; s++) {
        size_t tile, t;
        const any_fn fn = slots[s].get(active, &tile);
        const char *from = "unknown";
        for (int isa = 0; isa < GRU_ISA_COUNT; isa++)
            if (slots[s].get(gru_isa_flags((gru_isa)isa), &t) == fn) {
                from = gru_isa_name((gru_isa)isa);
                break;
            }
        if (slots[s].tile_name)
            printf("  %-12s %-8s (%s %zu)\n", slots[s].name, from, slots[s].tile_name, tile);
        else
            printf("  %-12s %s\n", slots[s].name, from);
    }
    return CLI_OK;
}
