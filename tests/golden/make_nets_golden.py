#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Golden cases for tests/test_nets.c and tests/test_cli_run.py, made by PyTorch.

Each case is one safetensors file tests/golden/nets/<case>.safetensors holding the module's
state_dict (as tools/export_pytorch.py writes it, with its metadata) plus the test's arrays:
  test.<input>    the inputs (F32; lengths too, as exact small integers)
  test.<out>.o64  the float64 oracle (the same module and inputs in float64), rounded to F32
  test.<out>.bound  [1]: 2 * max |PyTorch fp32 - oracle| + 1e-6 (NUMERICS.md section 2)
and metadata test.case = the case kind. Deterministic (fixed seeds). Run from anywhere:
  /usr/bin/python3 tests/golden/make_nets_golden.py
"""
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from export_pytorch import (Forecaster, GRUPredictor, ResetBeforeCell, gru_metadata,  # noqa: E402
                            save_safetensors)

OUT = os.path.join(HERE, "nets")


def outputs(fn, module, inputs):
    """{name: (oracle f32, bound)} from fn(module, inputs) in fp32 and float64."""
    with torch.no_grad():
        o32 = fn(module.float(), {k: v.float() if v.is_floating_point() else v for k, v in inputs.items()})
        o64 = fn(module.double(), {k: v.double() if v.is_floating_point() else v for k, v in inputs.items()})
    module.float()
    res = {}
    for k in o32:
        err = (o32[k].double() - o64[k]).abs().max().item()
        res[k] = (o64[k].float(), torch.tensor([2 * err + 1e-6], dtype=torch.float32))
    return res


def write(name, kind, module, inputs, outs, extra_meta=None):
    tensors = dict(module.state_dict())
    for k, v in inputs.items():  # lengths as F32 too (small integers, exact): the C reader takes floats
        tensors["test." + k] = v.float().contiguous()
    for k, (o, b) in outs.items():
        tensors[f"test.{k}.o64"] = o.contiguous()
        tensors[f"test.{k}.bound"] = b
    meta = gru_metadata(module)
    if hasattr(module, "metadata"):
        meta.update(module.metadata())
    meta.update(extra_meta or {})
    meta["test.case"] = kind
    save_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, meta)


def rand(*shape):
    return torch.rand(*shape) * 2 - 1


def predictor(name, seed, G, Tab, H, L, bi, C, B, T, lengths, tab_per_step):
    torch.manual_seed(seed)
    m = GRUPredictor(G, H, L, bi, Tab, C).eval()
    inp = {"graph": rand(B, T, G)}
    if Tab:
        inp["tab"] = rand(B, T, Tab) if tab_per_step else rand(B, Tab)
    if lengths is not None:
        inp["lengths"] = torch.tensor(lengths, dtype=torch.int64)
    outs = outputs(lambda mod, i: {"logits": mod(i["graph"], i.get("tab"), i.get("lengths"))}, m, inp)
    write(name, "predictor", m, inp, outs)


def forecaster(name, seed, I, H, L, O, B, T):
    torch.manual_seed(seed)
    m = Forecaster(I, H, L, O).eval()
    inp = {"x": rand(B, T, I)}
    write(name, "forecaster", m, inp, outputs(lambda mod, i: {"y": mod(i["x"])}, m, inp))


def grucell(name, seed, I, H, B, bias):
    torch.manual_seed(seed)
    m = nn.GRUCell(I, H, bias=bias)
    inp = {"x": rand(B, I) * 2, "h": rand(B, H)}
    write(name, "grucell", m, inp, outputs(lambda mod, i: {"h_out": mod(i["x"], i["h"])}, m, inp))


def rbcell(name, seed, I, H, B, bias):
    torch.manual_seed(seed)
    m = ResetBeforeCell(I, H, bias)
    inp = {"x": rand(B, I) * 2, "h": rand(B, H)}
    write(name, "rbcell", m, inp, outputs(lambda mod, i: {"h_out": mod(i["x"], i["h"])}, m, inp))


def gru(name, seed, I, H, L, bi, B, T, lengths, batch_first):
    """A plain nn.GRU (names gru.*) for `gru run`: y padded with zeros, h_n; h0 given."""
    torch.manual_seed(seed)
    m = nn.Module()
    m.gru = nn.GRU(I, H, L, batch_first=batch_first, bidirectional=bi)
    D = 2 if bi else 1
    inp = {"x": rand(B, T, I) if batch_first else rand(T, B, I), "h0": rand(L * D, B, H) * 0.5,
           "lengths": torch.tensor(lengths, dtype=torch.int64)}

    def fn(mod, i):
        x = nn.utils.rnn.pack_padded_sequence(i["x"], i["lengths"], batch_first=batch_first, enforce_sorted=False)
        y, hn = mod.gru(x, i["h0"])
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=batch_first, total_length=T)
        return {"y": y, "h_n": hn}
    write(name, "gru", m, inp, outputs(fn, m, inp))


def main():
    os.makedirs(OUT, exist_ok=True)
    predictor("pred_plain", 1, 12, 0, 9, 1, False, 3, 4, 5, None, False)
    predictor("pred_tab_step_bi2", 2, 10, 6, 7, 2, True, 2, 5, 6, [6, 2, 4, 1, 5], True)
    predictor("pred_tab_static", 3, 13, 5, 11, 1, False, 2, 3, 4, [4, 1, 3], False)
    predictor("pred_packed_bi", 4, 9, 0, 17, 1, True, 4, 6, 7, [7, 3, 5, 1, 2, 6], False)
    forecaster("forecaster", 5, 3, 16, 2, 5, 4, 10)
    grucell("grucell", 6, 7, 11, 5, True)
    grucell("grucell_nobias", 7, 5, 6, 3, False)
    rbcell("rbcell", 8, 6, 9, 5, True)
    rbcell("rbcell_nobias", 9, 4, 13, 3, False)
    gru("gru_bi2_packed", 10, 5, 6, 2, True, 4, 5, [5, 2, 3, 1], False)
    gru("gru_bf_packed", 11, 4, 7, 1, False, 3, 6, [6, 4, 1], True)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} cases, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
