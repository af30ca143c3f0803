/* SPDX-License-Identifier: MIT
 * The gru command line tool: its commands and the small helpers they share. */
#ifndef GRU_TOOLS_CLI_H
#define GRU_TOOLS_CLI_H

#include <stddef.h>

/* Exit statuses: 0 success, 1 a failure while running, 2 bad arguments (usage printed). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int gru_cli_info(int argc, char **argv);
int gru_cli_time(int argc, char **argv);
int gru_cli_run(int argc, char **argv);

/* Prints the usage text to stderr and returns CLI_USAGE. */
int gru_cli_usage(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* "--name value" or "--name=value" at argv[*i]: 1 and *val set (advancing *i past a separate
 * value), 0 if argv[*i] is another option, -1 if the value is missing. */
int gru_cli_opt(int argc, char **argv, int *i, const char *name, const char **val);
/* A decimal integer in [lo, hi] (no sign, no junk): 1 on success. */
int gru_cli_size(const char *s, size_t lo, size_t hi, size_t *out);

#endif /* GRU_TOOLS_CLI_H */
