#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`gru run` end to end on the PyTorch goldens of tests/golden/nets (make_nets_golden.py): each
output .npy within NUMERICS.md section 2's bound of the float64 oracle, in PyTorch's shape; bad
input exits non-zero (2 for usage) with one message naming the file, and leaves no output file.
Needs only numpy.  usage: test_cli_run.py PATH/TO/gru GOLDEN_DIR"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

GRU, GOLDEN = sys.argv[1], sys.argv[2]
failures = []
DT = {"F32": "<f4", "I64": "<i8", "I32": "<i4"}


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def load(case):
    """{name: array}, metadata of a golden safetensors file."""
    with open(os.path.join(GOLDEN, case + ".safetensors"), "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out = {}
    for k, v in header.items():
        b, e = v["data_offsets"]
        out[k] = np.frombuffer(data[b:e], dtype=DT[v["dtype"]]).reshape(v["shape"])
    return out, meta


def run(*args):
    p = subprocess.run([GRU, "run", *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def close(got_path, t, name, case, isa):
    if not os.path.exists(got_path):
        check(False, f"{case} {isa}: {got_path} not written")
        return None
    got = np.load(got_path)
    o = t[f"test.{name}.o64"]
    check(got.dtype == np.float32 and got.shape == o.shape, f"{case}: {name} shape {got.shape}, want {o.shape}")
    if got.shape == o.shape:
        err = float(np.max(np.abs(got.astype(np.float64) - o.astype(np.float64))))
        bound = float(t[f"test.{name}.bound"][0])
        check(err <= bound, f"{case} {isa}: {name} max error {err:.3g} > bound {bound:.3g}")
    return got


ISAS = ["scalar", "avx2", "avx512", "neon"]
with tempfile.TemporaryDirectory() as d:
    P = lambda n: os.path.join(d, n)  # noqa: E731
    for case in ("gru_bi2_packed", "gru_bf_packed", "pred_plain", "pred_packed_bi", "pred_tab_step_bi2",
                 "pred_tab_static"):
        t, meta = load(case)
        model = os.path.join(GOLDEN, case + ".safetensors")
        is_pred = case.startswith("pred")
        np.save(P("x.npy"), t["test.graph" if is_pred else "test.x"])
        args = [model, P("x.npy")]
        if "test.lengths" in t:
            np.save(P("len.npy"), t["test.lengths"].astype(np.int64))
            np.save(P("len32.npy"), t["test.lengths"].astype(np.int32))
            args += ["--lengths", P("len.npy")]
        if "test.tab" in t:
            np.save(P("tab.npy"), t["test.tab"])
            args += ["--tab", P("tab.npy")]
        if "test.h0" in t:
            np.save(P("h0.npy"), t["test.h0"])
            args += ["--h0", P("h0.npy")]
        ran = []
        for isa in ISAS:
            outs = ["-o", P("y.npy")] + ([] if is_pred else ["--hn", P("hn.npy")])
            for f in ("y.npy", "hn.npy"):
                if os.path.exists(P(f)):
                    os.unlink(P(f))
            rc, out, err = run(*args, *outs, "--isa", isa)
            if rc == 1 and "--isa" in err:  # this CPU lacks it
                continue
            check(rc == 0, f"{case} --isa {isa}: exit {rc}: {err.strip()}")
            got = close(P("y.npy"), t, "logits" if is_pred else "y", case, isa)
            if not is_pred:
                close(P("hn.npy"), t, "h_n", case, isa)
            ran.append(got)
        check(len(ran) >= 2, f"{case}: fewer than 2 ISAs ran")
        check(all(r is not None and r.tobytes() == ran[0].tobytes() for r in ran),
              f"{case}: outputs differ between ISAs")
        for n in ("2", "3"):  # more threads give the same bits
            rc, _, err = run(*args, "-o", P("yt.npy"), "--threads", n)
            check(rc == 0 and np.load(P("yt.npy")).tobytes() == ran[0].tobytes(), f"{case}: --threads {n}: {err}")
        for w in ("fp16", "bf16", "int8", "int8dyn") if not is_pred else ():  # --weights: bit-identical across ISAs
            lp = []
            for isa in ISAS:
                rc, out, err = run(*args, "-o", P("yw.npy"), "--isa", isa, "--weights", w)
                if rc == 1 and "--isa" in err:
                    continue
                check(rc == 0, f"{case} --weights {w} --isa {isa}: exit {rc}: {err.strip()}")
                lp.append(np.load(P("yw.npy")))
            check(len(lp) >= 2 and all(r.tobytes() == lp[0].tobytes() for r in lp),
                  f"{case} --weights {w}: outputs differ between ISAs")
            check(lp[0].shape == ran[0].shape and lp[0].tobytes() != ran[0].tobytes(),
                  f"{case} --weights {w}: not a {w} model (output equals fp32's)")
        if "test.lengths" in t:  # int32 lengths give the same bits
            rc, _, err = run(*args[:2], *args[4:], "--lengths", P("len32.npy"), "-o", P("y32.npy"))
            check(rc == 0 and np.load(P("y32.npy")).tobytes() == ran[0].tobytes(), f"{case}: int32 lengths: {err}")

    # Bad input: (args, exit status, text the message must contain); no output file appears.
    t, _ = load("gru_bi2_packed")
    gmodel = os.path.join(GOLDEN, "gru_bi2_packed.safetensors")
    pmodel = os.path.join(GOLDEN, "pred_tab_static.safetensors")
    np.save(P("gx.npy"), t["test.x"])
    np.save(P("gx64.npy"), t["test.x"].astype(np.float64))
    np.save(P("g2.npy"), t["test.x"][0])
    np.save(P("wrongI.npy"), np.zeros((5, 4, 3), np.float32))
    np.save(P("len_long.npy"), np.array([5, 6, 1, 1], np.int64))
    np.save(P("len_neg.npy"), np.array([5, -1, 1, 1], np.int64))
    np.save(P("len_f.npy"), np.array([5, 1, 1, 1], np.float32))
    np.save(P("len_3.npy"), np.array([5, 1, 1], np.int64))
    np.save(P("h0_bad.npy"), np.zeros((4, 4, 5), np.float32))
    with open(P("trunc.npy"), "wb") as f:
        f.write(open(P("gx.npy"), "rb").read()[:100])
    with open(P("junk.safetensors"), "wb") as f:
        f.write(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}      ")
    pt, _ = load("pred_tab_static")
    np.save(P("pg.npy"), pt["test.graph"])
    np.save(P("ptab_bad.npy"), np.zeros((3, 7), np.float32))
    out = P("out.npy")
    bad = [
        ([gmodel], 2, "usage"),
        ([gmodel, P("gx.npy"), "--frob"], 2, "--frob"),
        ([gmodel, P("gx.npy"), "--threads", "0"], 2, "thread"),
        ([gmodel, P("gx.npy"), "--threads", "1025"], 2, "thread"),
        ([gmodel, P("gx.npy"), "--threads", "x"], 2, "--threads"),
        ([gmodel, P("gx.npy"), "--isa", "sse"], 2, "sse"),
        ([gmodel, P("gx.npy"), "--weights", "fp8"], 2, "fp8"),
        ([pmodel, P("pg.npy"), "--weights", "int8"], 1, "fp32 weights only"),
        ([gmodel, P("gx.npy"), "-o"], 2, "-o"),
        ([gmodel, P("gx.npy"), "extra.npy"], 2, "extra.npy"),
        ([gmodel, P("gx.npy"), "--tab", P("gx.npy")], 2, "--tab"),
        ([pmodel, P("pg.npy"), "--tab", P("ptab_bad.npy"), "--hn", P("h.npy")], 2, "--hn"),
        ([P("missing.safetensors"), P("gx.npy")], 1, "missing.safetensors"),
        ([P("junk.safetensors"), P("gx.npy")], 1, "junk.safetensors"),
        ([gmodel, P("missing.npy")], 1, "missing.npy"),
        ([gmodel, P("trunc.npy")], 1, "trunc.npy"),
        ([gmodel, P("gx64.npy")], 1, "gx64.npy"),
        ([gmodel, P("g2.npy")], 1, "rank"),
        ([gmodel, P("wrongI.npy")], 1, "wrongI.npy"),
        ([gmodel, P("gx.npy"), "--lengths", P("len_long.npy")], 1, "len_long.npy"),
        ([gmodel, P("gx.npy"), "--lengths", P("len_neg.npy")], 1, "len_neg.npy"),
        ([gmodel, P("gx.npy"), "--lengths", P("len_f.npy")], 1, "int64"),
        ([gmodel, P("gx.npy"), "--lengths", P("len_3.npy")], 1, "len_3.npy"),
        ([gmodel, P("gx.npy"), "--h0", P("h0_bad.npy")], 1, "h0_bad.npy"),
        ([gmodel, P("gx.npy"), "--prefix", "rnn."], 1, "rnn."),
        ([pmodel, P("pg.npy")], 1, "--tab"),
        ([pmodel, P("pg.npy"), "--tab", P("ptab_bad.npy")], 1, "ptab_bad.npy"),
        ([pmodel, P("gx.npy"), "--tab", P("ptab_bad.npy")], 1, "gx.npy"),
        ([gmodel, P("gx.npy"), "--hn", os.path.join(d, "nodir", "h.npy")], 1, "nodir"),
    ]
    for args, want_rc, text in bad:
        rc, so, err = run(*args, "-o", out) if "-o" not in args else run(*args)
        check(rc == want_rc, f"gru run {' '.join(args)}: exit {rc}, want {want_rc} ({err.strip()[:200]})")
        check(text in err, f"gru run {' '.join(args)}: message does not mention {text!r}: {err.strip()[:200]}")
        if rc != 2:
            check(len(err.strip().splitlines()) == 1, f"gru run {' '.join(args)}: more than one error line: {err!r}")
        check(not os.path.exists(out), f"gru run {' '.join(args)}: left {out} behind")
        if os.path.exists(out):
            os.unlink(out)
    left = [f for f in os.listdir(d) if ".tmp" in f]
    check(not left, f"temporary files left: {left}")

print(f"gru run: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
