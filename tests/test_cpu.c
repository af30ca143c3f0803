/* SPDX-License-Identifier: MIT
 * CPU dispatch control: ISA names, gru_set_max_isa caps and refusals, and the GRU_ISA environment
 * variable. GRU_ISA is read once per process, so those tests re-execute this binary as a helper
 * (GRU_TEST_CPU_CHILD set: print the detected and active ISA and exit before Criterion starts). */
#include <criterion/criterion.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu.h"

extern char **environ;

#define CHILD_VAR "GRU_TEST_CPU_CHILD"

__attribute__((constructor)) static void cpu_child_mode(void) {
    if (!getenv(CHILD_VAR)) return;
    printf("%s %s\n", gru_isa_name(gru_isa_detected()), gru_isa_name(gru_isa_active()));
    fflush(stdout);
    _exit(0);
}

static int cpu_has(gru_isa isa) {
    const unsigned need = gru_isa_flags(isa);
    return (gru_cpu_flags_detected() & need) == need;
}

Test(cpu, names_round_trip) {
    for (int i = 0; i < GRU_ISA_COUNT; i++) {
        const char *name = gru_isa_name((gru_isa)i);
        cr_assert(name && strcmp(name, "unknown"), "ISA %d has no name", i);
        gru_isa back = (gru_isa)-1;
        cr_assert_eq(gru_isa_from_name(name, &back), GRU_OK, "%s: %s", name, gru_last_error());
        cr_expect_eq(back, (gru_isa)i, "%s parsed as %d", name, (int)back);
    }
    cr_expect_str_eq(gru_isa_name(GRU_ISA_SCALAR), "scalar");
    cr_expect_str_eq(gru_isa_name(GRU_ISA_AVX2), "avx2");
    cr_expect_str_eq(gru_isa_name(GRU_ISA_AVX512), "avx512");
    cr_expect_str_eq(gru_isa_name(GRU_ISA_NEON), "neon");
    cr_expect_str_eq(gru_isa_name((gru_isa)GRU_ISA_COUNT), "unknown");
    cr_expect_str_eq(gru_isa_name((gru_isa)-1), "unknown");
    cr_expect_str_eq(gru_isa_name((gru_isa)1000), "unknown");
}

Test(cpu, unknown_names_rejected) {
    static const char *const bad[] = {"",      "AVX2",    "avx",    "sse2",    "avx2 ",
                                      " avx2", "avx5120", "neon64", "unknown", "scalar\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gru_isa isa = GRU_ISA_NEON;
        cr_expect_eq(gru_isa_from_name(bad[i], &isa), GRU_ERR_INVALID, "'%s' accepted", bad[i]);
        cr_expect_eq(isa, GRU_ISA_NEON, "'%s': output written on failure", bad[i]);
        cr_expect(strlen(gru_last_error()) > 0, "'%s': no message", bad[i]);
    }
    gru_isa isa;
    cr_expect_eq(gru_isa_from_name(NULL, &isa), GRU_ERR_NULL);
    cr_expect_eq(gru_isa_from_name("avx2", NULL), GRU_ERR_NULL);
}

Test(cpu, detected_is_supported_and_active_by_default) {
    const gru_isa d = gru_isa_detected();
    cr_assert(cpu_has(d), "detected %s but its flags are missing", gru_isa_name(d));
    for (int i = 0; i < GRU_ISA_COUNT; i++) /* the best: it has every supported ISA's features */
        if (cpu_has((gru_isa)i))
            cr_expect((gru_isa_flags((gru_isa)i) & ~gru_isa_flags(d)) == 0, "%s supported beyond detected %s",
                      gru_isa_name((gru_isa)i), gru_isa_name(d));
    if (!getenv("GRU_ISA"))
        cr_expect_eq(gru_isa_active(), d, "active %s, detected %s", gru_isa_name(gru_isa_active()), gru_isa_name(d));
    cr_expect_eq(gru_isa_of_flags(gru_cpu_flags()), gru_isa_active());
}

Test(cpu, caps_apply_and_lift) {
    const gru_isa d = gru_isa_detected();
    int applied = 0;
    for (int i = 0; i < GRU_ISA_COUNT; i++) {
        if (!cpu_has((gru_isa)i)) continue;
        cr_assert_eq(gru_set_max_isa((gru_isa)i), GRU_OK, "cap %s: %s", gru_isa_name((gru_isa)i), gru_last_error());
        cr_expect_eq(gru_isa_active(), (gru_isa)i, "cap %s: active %s", gru_isa_name((gru_isa)i),
                     gru_isa_name(gru_isa_active()));
        cr_expect_eq(gru_cpu_flags(), gru_isa_flags((gru_isa)i));
        cr_expect_eq(gru_isa_detected(), d, "a cap changed the detected ISA");
        applied++;
    }
    cr_expect_geq(applied, 1, "scalar must always be accepted");
    cr_assert_eq(gru_set_max_isa(GRU_ISA_SCALAR), GRU_OK);
    cr_expect_eq(gru_isa_active(), GRU_ISA_SCALAR);
    cr_assert_eq(gru_set_max_isa(d), GRU_OK, "lifting the cap back to %s", gru_isa_name(d));
    cr_expect_eq(gru_isa_active(), d);
}

Test(cpu, unsupported_and_invalid_refused) {
    const gru_isa d = gru_isa_detected();
    cr_assert_eq(gru_set_max_isa(GRU_ISA_SCALAR), GRU_OK);
    int refused = 0;
    for (int i = 0; i < GRU_ISA_COUNT; i++) {
        if (cpu_has((gru_isa)i)) continue;
        cr_expect_eq(gru_set_max_isa((gru_isa)i), GRU_ERR_UNSUPPORTED, "cap %s on a CPU without it",
                     gru_isa_name((gru_isa)i));
        cr_expect(strstr(gru_last_error(), gru_isa_name((gru_isa)i)), "message '%s'", gru_last_error());
        cr_expect_eq(gru_isa_active(), GRU_ISA_SCALAR, "a refused cap changed the active ISA");
        refused++;
    }
#if defined(__x86_64__) || defined(__aarch64__)
    /* NEON on x86 or AVX2 on Arm: at least one ISA is always foreign */
    cr_expect_geq(refused, 1, "no ISA was refused on this architecture");
#endif
    static const int invalid[] = {-1, GRU_ISA_COUNT, GRU_ISA_COUNT + 1, 1 << 30};
    for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
        cr_expect_eq(gru_set_max_isa((gru_isa)invalid[k]), GRU_ERR_INVALID, "gru_set_max_isa(%d)", invalid[k]);
        cr_expect_eq(gru_isa_active(), GRU_ISA_SCALAR, "an invalid cap changed the active ISA");
    }
    cr_assert_eq(gru_set_max_isa(d), GRU_OK);
}

/* Runs this binary as the helper with GRU_ISA = value (NULL: unset); returns its stdout and stderr. */
static void run_child(const char *value, char *out, size_t out_len, char *err, size_t err_len) {
    char **env = NULL;
    size_t n = 0;
    for (char **e = environ; *e; e++) n++;
    env = calloc(n + 3, sizeof *env);
    cr_assert(env);
    size_t k = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "GRU_ISA=", 8)) env[k++] = *e;
    char isa_var[64];
    if (value) {
        snprintf(isa_var, sizeof isa_var, "GRU_ISA=%s", value);
        env[k++] = isa_var;
    }
    env[k++] = CHILD_VAR "=1";
    env[k] = NULL;

    int po[2], pe[2];
    cr_assert(!pipe(po) && !pipe(pe));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    char *argv[] = {"/proc/self/exe", NULL};
    pid_t pid;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]), close(pe[1]);
    cr_assert_eq(rc, 0, "posix_spawn: %s", strerror(rc));
    /* the helper writes one short line to each: well below a pipe's buffer */
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper with GRU_ISA=%s failed", value ? value : "");
    const ssize_t no = read(po[0], out, out_len - 1), ne = read(pe[0], err, err_len - 1);
    out[no > 0 ? no : 0] = '\0';
    err[ne > 0 ? ne : 0] = '\0';
    close(po[0]), close(pe[0]);
    free(env);
}

/* GRU_ISA = value gives `active` as the active ISA, with a warning on stderr or without. */
static void expect_env(const char *value, gru_isa active, int warns) {
    char out[256], err[1024], want[128];
    run_child(value, out, sizeof out, err, sizeof err);
    snprintf(want, sizeof want, "%s %s\n", gru_isa_name(gru_isa_detected()), gru_isa_name(active));
    cr_expect_str_eq(out, want, "GRU_ISA=%s", value ? value : "(unset)");
    if (warns)
        cr_expect(strstr(err, "warning") && strstr(err, value), "GRU_ISA=%s: no warning naming it (stderr: '%s')",
                  value, err);
    else
        cr_expect_str_eq(err, "", "GRU_ISA=%s: unexpected stderr", value ? value : "(unset)");
}

Test(cpu, env_var_caps_the_initial_isa) {
    const gru_isa d = gru_isa_detected();
    expect_env(NULL, d, 0);
    expect_env("", d, 0);
    for (int i = 0; i < GRU_ISA_COUNT; i++)
        if (cpu_has((gru_isa)i)) expect_env(gru_isa_name((gru_isa)i), (gru_isa)i, 0);
}

Test(cpu, env_var_unknown_or_unsupported_warns_and_falls_back) {
    const gru_isa d = gru_isa_detected();
    expect_env("bogus", d, 1);
    expect_env("AVX2", d, 1);
    int foreign = 0;
    for (int i = 0; i < GRU_ISA_COUNT; i++)
        if (!cpu_has((gru_isa)i)) expect_env(gru_isa_name((gru_isa)i), d, 1), foreign++;
    cr_log_info("%d ISA(s) refused through GRU_ISA on this CPU", foreign);
}
