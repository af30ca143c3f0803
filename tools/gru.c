/* SPDX-License-Identifier: MIT
 * gru: the command line tool. `gru info` tells what this build and CPU run; `gru time` times a
 * GRU forward. Bad arguments print the usage and exit with status 2. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gru/gru.h"

static const char usage_text[] =
    "usage: gru <command> [options]\n"
    "\n"
    "  gru info                 version, CPU, detected and active ISA, what each kernel\n"
    "                           family dispatches to\n"
    "  gru time --input-size I --hidden H --batch B --seq T [--layers L] [--bidirectional]\n"
    "           [--variant lbr|reset-before] [--isa scalar|avx2|avx512|neon] [--threads N]\n"
    "           [--clock cpu|wall] [--weights fp32|fp16|bf16|int8|int8dyn] [--h0]\n"
    "           [--lengths sorted|random] [--json]\n"
    "                           median time of one forward with random weights and inputs,\n"
    "                           repeated until the median is known to +-2 % (95 %), and GFLOP/s\n"
    "                           (2*3H*(I_l+H)*B*T per layer and direction) on N threads (default:\n"
    "                           GRU_NUM_THREADS, else 1); --clock: the thread's CPU time (default\n"
    "                           with 1 thread) or wall time (default with more); --h0: a random\n"
    "                           initial state (default zeros: the first step skips W_hh·h);\n"
    "                           --lengths: packed sequences, T down to 1 over the batch or uniform\n"
    "                           in [1, T] (GFLOP/s then count the steps within the lengths)\n"
    "  gru run MODEL.safetensors INPUT.npy [-o OUT.npy] [--hn HN.npy] [--lengths LEN.npy]\n"
    "          [--h0 H0.npy] [--tab TAB.npy] [--batch-first] [--isa X] [--threads N] [--prefix P]\n"
    "          [--weights fp32|fp16|bf16|int8|int8dyn]\n"
    "                           runs the GRU (y [T, B, D*H] to -o, h_n [L*D, B, H] to --hn) or a\n"
    "                           GRUPredictor (logits [B, C] to -o; input [B, T, G], --tab\n"
    "                           [B, T, Tab] or [B, Tab]); lengths int64/int32 [B]\n"
    "  gru --version | --help\n"
    "\n"
    "The environment variable GRU_ISA caps the ISA (as gru_set_max_isa()); --isa sets it.\n"
    "GRU_NUM_THREADS sets the thread count (as gru_set_num_threads()); --threads sets it.\n";

int gru_cli_usage(const char *fmt, ...) {
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs("gru: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\n\n", stderr);
        va_end(ap);
    }
    fputs(usage_text, stderr);
    return CLI_USAGE;
}

int gru_cli_opt(int argc, char **argv, int *i, const char *name, const char **val) {
    const size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0') return 0;
    if (*i + 1 >= argc) return -1;
    *val = argv[++*i];
    return 1;
}

int gru_cli_size(const char *s, size_t lo, size_t hi, size_t *out) {
    if (!s || *s < '0' || *s > '9') return 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v < lo || v > hi) return 0;
    *out = (size_t)v;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) return gru_cli_usage("no command given");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "info")) return gru_cli_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "time")) return gru_cli_time(argc - 1, argv + 1);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("gru %s\n", gru_version());
        return CLI_OK;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (!strcmp(cmd, "run")) return gru_cli_run(argc - 1, argv + 1);
    return gru_cli_usage("unknown command '%s'", cmd);
}
