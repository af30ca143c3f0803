// SPDX-License-Identifier: MIT
// The thin C++ layer: registers the C entries (bench.h) with Google Benchmark, adds the roofline
// and the run's settings to the context (console header and JSON), and shows progress on stderr.
// Our own flags (Google Benchmark's --benchmark_* flags work as usual, e.g. --benchmark_filter):
//   --gru_set=quick|full       the sweep (default quick)
//   --gru_threads=N            threads of libgru (gru_set_num_threads) and of the peers (default 1)
//   --gru_scalar_max_gflop=X   skip the scalar reference above X GFLOP per call (quick 0.5, full 2)
//   --gru_min_time=S           seconds per repetition (quick 0.05, full 0.1)
//   --gru_repetitions=R        repetitions, alternating between benchmarks (quick 5, full 7)
//   --gru_no_onednn            leave oneDNN out        --gru_progress   progress on stderr
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <unistd.h>
#include <string>
#include <vector>

#include "bench.h"
#include "clock.h"
#include "roofline.h"

namespace {

// Seconds are CPU seconds of the benchmark thread with one thread (immune to other processes
// sharing the core), wall seconds with more (the peers' other threads must count).
bool real_time = false;
double clock_now() { return real_time ? gru_bench_now() : gru_bench_cpu_now(); }

// On a terminal one line rewritten in place; in a log a line per 10 %.
struct Progress {
    bool on = false, tty = false;
    long done = 0, total = 0, last_pct = -1;
    double last = 0;
    void tick(const char *name, long reps) {
        done += reps;
        if (!on) return;
        const long pct = total ? 100 * done / total : 0;
        if (tty) {
            const double now = gru_bench_now();
            if (now - last < 0.2 && done < total) return;
            last = now;
            std::fprintf(stderr, "\r  [%3ld%%] %ld/%ld %-60.60s", pct, done, total, name);
        } else {
            if (pct / 10 == last_pct / 10) return;
            std::fprintf(stderr, "  [%3ld%%] %ld/%ld %s\n", pct, done, total, name);
        }
        last_pct = pct;
        std::fflush(stderr);
    }
} progress;

void run_entry(benchmark::State &st, gru_bench_entry *e) {
    if (e->skip[0]) { // called once per repetition
        st.SkipWithError(e->skip);
        progress.tick(e->name, 1);
        return;
    }
    if (!e->state) {
        char why[sizeof e->skip] = "setup failed";
        e->state = e->setup(e, why, sizeof why);
        if (!e->state) {
            std::snprintf(e->skip, sizeof e->skip, "%s", why);
            st.SkipWithError(e->skip);
            progress.tick(e->name, 1);
            return;
        }
    }
    const double t0 = clock_now();
    for (auto _ : st) e->run(e->state);
    const double secs = clock_now() - t0; // the library's own time for this run, to a few ns
    // A repetition is reported once it ran min_time; shorter calls only size the iteration count.
    if (secs >= e->min_time) progress.tick(e->name, 1);
    using C = benchmark::Counter;
    const double calls = (double)st.iterations(), hz = gru_roofline_get()->hz;
    if (e->items > 0) {
        st.counters["elems"] = C(e->items, C::kIsIterationInvariantRate);
        if (hz > 0 && secs > 0) st.counters["elems_per_cycle"] = e->items * calls / (secs * hz);
    }
    if (e->flops > 0) st.counters["flops"] = C(e->flops, C::kIsIterationInvariantRate);
    if (e->weight_bytes > 0) st.counters["wbytes"] = C(e->weight_bytes, C::kIsIterationInvariantRate);
    // The roofline's lower bound over the measured time: the fraction of the bound reached.
    if (e->bound_s > 0 && secs > 0) st.counters["roofline"] = e->bound_s * calls / secs;
}

bool take(const char *arg, const char *key, const char **val) {
    size_t n = std::strlen(key);
    if (std::strncmp(arg, key, n) != 0) return false;
    if (arg[n] == '=')
        *val = arg + n + 1;
    else if (arg[n] == '\0')
        *val = "";
    else
        return false;
    return true;
}

int usage(const char *bad) {
    std::fprintf(stderr, "gru_bench: bad option '%s' (see bench/register.cc or bench/README.md)\n", bad);
    return 2;
}

std::string fmt(const char *f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

void add_context(const gru_roofline &r, const gru_bench_options &o) {
    benchmark::AddCustomContext("gru_version", gru_version());
    benchmark::AddCustomContext("gru_isa_detected", gru_isa_name(gru_isa_detected()));
    benchmark::AddCustomContext("gru_isa_active", gru_isa_name(gru_isa_active()));
    benchmark::AddCustomContext("gru_set", o.set == GRU_BENCH_FULL ? "full" : "quick");
    benchmark::AddCustomContext("gru_threads_peers", std::to_string(o.threads));
    benchmark::AddCustomContext("gru_threads_ours", std::to_string(gru_get_num_threads()));
    benchmark::AddCustomContext("gru_scalar_max_gflop", fmt("%g", o.scalar_max_flops / 1e9));
    benchmark::AddCustomContext("gru_core_ghz", fmt("%.3f", r.hz / 1e9));
    benchmark::AddCustomContext("gru_peak_gflops", fmt("%.1f", r.peak_best / 1e9));
    for (int isa = 0; isa < 4; isa++)
        if (r.peak[isa] > 0)
            benchmark::AddCustomContext(std::string("gru_peak_gflops_") + gru_isa_name((gru_isa)isa),
                                        fmt("%.1f", r.peak[isa] / 1e9));
    std::string bw; // "16K=199.2 24K=195.7 ...": read bandwidth GB/s by footprint (KiB)
    for (int i = 0; i < r.n_bw; i++)
        bw += (i ? " " : "") + std::to_string((long)(r.bw_bytes[i] / 1024)) + "K=" + fmt("%.1f", r.bw[i] / 1e9);
    benchmark::AddCustomContext("gru_read_bw_GBps", bw);
}

long count_selected(const gru_bench_list &l) {
    std::string f = benchmark::GetBenchmarkFilter();
    bool negate = !f.empty() && f[0] == '-';
    if (negate) f.erase(0, 1);
    if (f.empty() || f == "all") f = ".";
    long total = 0;
    try {
        std::regex re(f, std::regex::extended | std::regex::nosubs);
        for (size_t i = 0; i < l.n; i++)
            if (std::regex_search(l.v[i].name, re) != negate) total += l.v[i].repetitions;
    } catch (const std::regex_error &) {
    }
    return total;
}

} // namespace

int main(int argc, char **argv) {
    gru_bench_options o = {GRU_BENCH_QUICK, 1, -1, -1, -1, 1};
    int keep = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        char *end = nullptr;
        if (take(a, "--gru_set", &v)) {
            if (!std::strcmp(v, "quick"))
                o.set = GRU_BENCH_QUICK;
            else if (!std::strcmp(v, "full"))
                o.set = GRU_BENCH_FULL;
            else
                return usage(a);
        } else if (take(a, "--gru_threads", &v)) {
            long n = std::strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 1024) return usage(a);
            o.threads = (int)n;
        } else if (take(a, "--gru_scalar_max_gflop", &v)) {
            o.scalar_max_flops = std::strtod(v, &end) * 1e9;
            if (end == v || *end || !(o.scalar_max_flops >= 0)) return usage(a);
        } else if (take(a, "--gru_min_time", &v)) {
            o.min_time = std::strtod(v, &end);
            if (end == v || *end || !(o.min_time > 0)) return usage(a);
        } else if (take(a, "--gru_repetitions", &v)) {
            long n = std::strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 1000) return usage(a);
            o.repetitions = (int)n;
        } else if (take(a, "--gru_no_onednn", &v) && !*v) {
            o.onednn = 0;
        } else if (take(a, "--gru_progress", &v) && !*v) {
            progress.on = true;
            progress.tty = isatty(2);
        } else if (!std::strncmp(a, "--gru_", 6)) {
            return usage(a);
        } else {
            argv[keep++] = argv[i];
        }
    }
    argc = keep;
    // Defaults (later flags override): repetitions of different benchmarks alternate in random
    // order, so a peer and ours see the same machine state (PERF.md); the console shows medians.
    const bool full = o.set == GRU_BENCH_FULL;
    if (o.scalar_max_flops < 0) o.scalar_max_flops = full ? 2e9 : 0.5e9;
    if (o.min_time < 0) o.min_time = full ? 0.1 : 0.05;
    if (o.repetitions < 0) o.repetitions = full ? 7 : 5;
    static char interleave[] = "--benchmark_enable_random_interleaving=true";
    static char aggregates[] = "--benchmark_display_aggregates_only=true";
    std::string min_time = "--benchmark_min_time=" + fmt("%g", o.min_time);
    std::string reps = "--benchmark_repetitions=" + std::to_string(o.repetitions);
    std::vector<char *> args(argv, argv + argc);
    args.insert(args.begin() + 1, {interleave, aggregates, &min_time[0], &reps[0]});
    args.push_back(nullptr);
    argc = (int)args.size() - 1;
    argv = args.data();

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

    real_time = o.threads > 1;
    if (gru_set_num_threads((size_t)o.threads) != GRU_OK) {
        std::fprintf(stderr, "gru_bench: %s\n", gru_last_error());
        return 2;
    }
    benchmark::AddCustomContext("gru_time_basis", real_time ? "wall" : "thread_cpu");
    gru_roofline roof;
    if (progress.on) std::fprintf(stderr, "  probing the roofline ...\n");
    gru_roofline_probe(&roof);
    add_context(roof, o);

    gru_bench_list list = {};
    gru_bench_add_act(&list, &o);
    gru_bench_add_gru(&list, &o);
    if (o.onednn && gru_bench_have_onednn()) {
        gru_bench_add_onednn(&list, &o);
        benchmark::AddCustomContext("gru_onednn_isa", gru_bench_onednn_isa());
    }
    for (size_t i = 0; i < list.n; i++) {
        gru_bench_entry *e = &list.v[i];
        benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(e->name, run_entry, e);
        if (real_time) b->UseRealTime();
        b->Unit(benchmark::kMicrosecond);
    }
    progress.total = count_selected(list);
    benchmark::RunSpecifiedBenchmarks();
    if (progress.on && progress.tty) std::fprintf(stderr, "\n");

    for (size_t i = 0; i < list.n; i++)
        if (list.v[i].state) list.v[i].teardown(list.v[i].state);
    gru_bench_list_free(&list);
    gru_bench_gru_clear();
    const double hz_end = gru_bench_core_hz();
    if (roof.hz > 0)
        std::fprintf(stderr, "  core clock %.3f GHz at start, %.3f GHz at the end\n", roof.hz / 1e9, hz_end / 1e9);
    benchmark::Shutdown();
    return 0;
}
