#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the gru command line tool end to end: usage errors exit 2 with a message, `gru info`
names every dispatch slot, `gru time --json` prints one object with the documented keys and
sane values (--h0 and --lengths echoed), --threads and GRU_NUM_THREADS set the thread count (a bad GRU_NUM_THREADS warns once
and gives 1).  usage: test_cli.py PATH/TO/gru"""
import os
import json
import subprocess
import sys

GRU = sys.argv[1]
SHAPE = ["--input-size", "3", "--hidden", "5", "--batch", "2", "--seq", "3"]
failures = []


def run(*args, env=None):
    p = subprocess.run([GRU, *args], capture_output=True, text=True, timeout=120,
                       env=None if env is None else {**os.environ, **env})
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


for bad in ([], ["bogus"], ["info", "x"], ["time"], ["time", *SHAPE[:-2]], ["time", *SHAPE, "--threads", "1025"],
            ["time", *SHAPE, "--threads", "0"], ["time", *SHAPE, "--threads", "2", "--clock", "cpu"], ["time", *SHAPE, "--isa", "sse"], ["time", *SHAPE, "--variant", "x"],
            ["time", *SHAPE, "--lengths", "all"], ["time", *SHAPE, "--lengths"],
            ["time", *SHAPE, "--frob"], ["time", *SHAPE[:-1]], ["time", "--input-size", "-1", *SHAPE[2:]]):
    rc, out, err = run(*bad)
    check(rc == 2 and "usage: gru" in err, f"gru {' '.join(bad)}: exit {rc}, want 2 with usage")

rc, out, err = run("info")
check(rc == 0, f"gru info: exit {rc}")
for slot in ("act.sigmoid", "act.tanh", "gemm.gemm", "gates.lbr", "gates.rb_rz", "gates.rb_n"):
    line = [l for l in out.splitlines() if l.split()[:1] == [slot]]
    check(len(line) == 1 and line[0].split()[1] in ("scalar", "avx2", "avx512", "neon"), f"gru info: slot {slot}")
check("isa active" in out and "isa detected" in out, "gru info: isa lines")

FULL = ["--isa", "scalar", "--layers", "2", "--bidirectional", "--variant", "reset-before", "--h0"]
for extra in ([], FULL, ["--lengths", "sorted"], ["--lengths", "random"]):
    rc, out, err = run("time", *SHAPE, "--json", *extra)
    check(rc == 0, f"gru time {extra}: exit {rc}: {err.strip()}")
    try:
        j = json.loads(out)
    except ValueError:
        j = None
    check(isinstance(j, dict), f"gru time {extra}: one JSON object on stdout")
    if rc == 0 and isinstance(j, dict):
        for k in ("median_us", "gflops", "isa", "threads", "input_size", "hidden", "batch", "seq"):
            check(k in j, f"gru time --json: key {k}")
        check(j.get("median_us", 0) > 0 and j.get("gflops", 0) > 0, "gru time: positive time and rate")
        check((j["input_size"], j["hidden"], j["batch"], j["seq"], j["threads"]) == (3, 5, 2, 3, 1), "gru time: echo")
        layers, d = (2, 2) if extra == FULL else (1, 1)
        # B = 2, T = 3: sorted lengths 3, 1; random ones in [1, 3] (echoed as "steps")
        lengths = extra[1] if extra[:1] == ["--lengths"] else "none"
        steps = {"none": 6, "sorted": 4}.get(lengths, j.get("steps", 0))
        check(j.get("lengths") == lengths and j.get("steps") == steps and 2 <= steps <= 6,
              f"gru time {extra}: lengths {j.get('lengths')}, steps {j.get('steps')}")
        flops = sum(2 * 3 * 5 * ((3 if l == 0 else d * 5) + 5) * steps for l in range(layers)) * d
        check(abs(j["gflops"] - flops / (j["median_us"] * 1e3)) <= 1e-3 * j["gflops"], "gru time: GFLOP/s formula")
        if extra == FULL:
            check(j["isa"] == "scalar" and j["variant"] == "reset-before" and j["bidirectional"], "gru time: options")
        check(j.get("h0") is (extra == FULL), f"gru time {extra}: h0 {j.get('h0')}")

# Threads: --threads, GRU_NUM_THREADS (default for --threads), a bad value warns once and gives 1.
env_clean = {"GRU_NUM_THREADS": ""}
for args, env, want, warn in ((["--threads", "2"], env_clean, 2, False), ([], {"GRU_NUM_THREADS": "3"}, 3, False),
                              ([], {"GRU_NUM_THREADS": "x2"}, 1, True), ([], {"GRU_NUM_THREADS": "0"}, 1, True),
                              ([], env_clean, 1, False)):
    rc, out, err = run("time", *SHAPE, "--json", *args, env=env)
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    what = f"gru time {' '.join(args)} with {env}"
    check(rc == 0 and j.get("threads") == want, f"{what}: exit {rc}, threads {j.get('threads')}, want {want}")
    check(j.get("clock") == ("wall" if want > 1 else "thread_cpu"), f"{what}: clock {j.get('clock')}")
    nwarn = err.count("GRU_NUM_THREADS")
    check(nwarn == (1 if warn else 0), f"{what}: {nwarn} warnings about GRU_NUM_THREADS, want {int(warn)}")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
