#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the PyTorch golden cases that tests/test_parity.c checks libgru against.

Run with Debian's Python (python3-torch, python3-numpy):  /usr/bin/python3 tests/golden/make_golden.py
It rewrites <case>.bin and index.txt next to this script; seeds are fixed, so a rerun on the same
torch build reproduces the files.

Each case runs one nn.GRU (or nn.GRUCell) twice: in float32 (what a PyTorch user gets) and, after
.double(), in float64 on the same (exactly converted) weights and inputs: the oracle. The file stores
the float64 oracle outputs and NUMERICS.md section 2's bound, separately for y and h_n:
    bound = 2 * max|PyTorch fp32 - float64 oracle| + 1e-6
so the C test asserts max|libgru - oracle| <= bound.
PyTorch has no module for the reset-before variant (Cho et al. 2014): those cases run composed_gru(),
the same recurrence written with torch ops (F.linear, torch.sigmoid, torch.tanh, PyTorch's update
(h - n) * z + n), in float32 and float64 alike. For linear-before-reset composed_gru() must reproduce
nn.GRU's float64 outputs (checked on every such case), which validates its packing, direction and
layer logic. It also takes lengths of 0, which pack_padded_sequence refuses.

File format (little-endian, no padding), one file per case:
    char    magic[8]      "GRUGOLD1"
    int64   field[12]     kind (0 = nn.GRU, 1 = nn.GRUCell), input_size I, hidden_size H,
                          num_layers L, bidirectional (0/1), bias (0/1), batch_first (0/1),
                          seq_len T, batch B, has_lengths (0/1), has_h0 (0/1), variant (gru_variant:
                          0 linear-before-reset, 1 reset-before)
    float64 bound_y, bound_hn                     (bound_y is 0 for a cell)
    for l < L, d < D (D = 2 if bidirectional):    weights of layer l, direction d (1 = reverse)
        float32 w_ih[3H * I_l]  (I_0 = I, I_l = D*H), float32 w_hh[3H * H],
        if bias: float32 b_ih[3H], float32 b_hh[3H]
    float32 x[T * B * I]      [T, B, I], or [B, T, I] if batch_first; a cell: [B, I] (T = 1)
    if has_lengths: int64 lengths[B]
    if has_h0: float32 h0[L * D * B * H]          a cell: [B, H]
    if kind == 0: float64 y[T * B * D * H]         the oracle's output, zero past lengths[b]
    float64 h_n[L * D * B * H]                     the oracle's final state; a cell: h' [B, H]
and nothing after.
"""
import argparse
import copy
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = b"GRUGOLD1"

# name, kind, I, H, L, bidirectional, bias, batch_first, T, B, lengths (None: all T), h0, weight scale,
# variant
CASES = [
    ("gru_basic", 0, 5, 7, 1, 0, 1, 0, 6, 3, None, 1, 1.0, 0),
    ("gru_packed_bi2", 0, 9, 13, 2, 1, 1, 0, 8, 5, [8, 3, 5, 1, 6], 1, 1.0, 0),
    ("gru_packed_bf", 0, 17, 31, 1, 1, 1, 1, 7, 4, [2, 7, 1, 4], 0, 1.0, 0),
    ("gru_nobias_bf", 0, 17, 31, 2, 0, 0, 1, 5, 6, None, 1, 1.0, 0),
    ("gru_one_step", 0, 3, 1, 3, 1, 1, 0, 1, 2, None, 1, 1.0, 0),
    ("gru_odd_saturating", 0, 100, 37, 2, 1, 1, 0, 10, 3, [10, 4, 9], 1, 3.0, 0),
    ("gru_long", 0, 7, 65, 1, 0, 1, 0, 40, 2, None, 1, 1.0, 0),
    ("cell_basic", 1, 11, 19, 1, 0, 1, 0, 1, 4, None, 1, 1.0, 0),
    ("cell_nobias_zero_h", 1, 1, 3, 1, 0, 0, 0, 1, 1, None, 0, 1.0, 0),
    ("cell_odd_saturating", 1, 33, 17, 1, 0, 1, 0, 1, 9, None, 1, 3.0, 0),
    ("rb_packed_bi2", 0, 9, 13, 2, 1, 1, 0, 8, 5, [8, 0, 5, 1, 6], 1, 1.0, 1),
    ("rb_bf_nobias_saturating", 0, 17, 31, 1, 0, 0, 1, 6, 4, None, 0, 3.0, 1),
    ("rb_one_step", 0, 3, 1, 3, 1, 1, 0, 1, 2, None, 1, 1.0, 1),
    ("rb_cell_saturating", 1, 11, 19, 1, 0, 1, 0, 1, 4, None, 1, 3.0, 1),
]


def f32(a):
    return np.ascontiguousarray(a.detach().numpy(), dtype="<f4").tobytes()


def f64(a):
    return np.ascontiguousarray(a.detach().numpy(), dtype="<f8").tobytes()


def run_gru(mod, x, h0, lengths, batch_first, T):
    if lengths is None:
        return mod(x, h0)
    packed = pack_padded_sequence(x, torch.tensor(lengths, dtype=torch.int64), batch_first=bool(batch_first),
                                  enforce_sorted=False)
    out, hn = mod(packed, h0)
    y, _ = pad_packed_sequence(out, batch_first=bool(batch_first), total_length=T)
    return y, hn


def composed_gru(mod, kind, x, h0, lengths, L, D, H, bias, bf, variant):
    """y, h_n of nn.GRU (kind 0) or h' of nn.GRUCell (kind 1, y None), either variant, in the
    dtype of mod's parameters; lengths with packed-sequence semantics (0 allowed)."""
    def params(l, d):
        if kind:
            return mod.weight_ih, mod.weight_hh, mod.bias_ih if bias else None, mod.bias_hh if bias else None
        sfx = "_l%d%s" % (l, "_reverse" if d else "")
        get = lambda n: getattr(mod, n + sfx) if bias or n.startswith("weight") else None
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    xs = x.unsqueeze(0) if kind else (x.transpose(0, 1) if bf else x)
    h0s = (h0.unsqueeze(0) if kind else h0) if h0 is not None else None
    T, B = xs.shape[0], xs.shape[1]
    lens = torch.tensor(lengths if lengths is not None else [T] * B).unsqueeze(1)
    inp, hns = xs, []
    for l in range(L):
        outs = []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = params(l, d)
            h = h0s[l * D + d] if h0s is not None else torch.zeros(B, H, dtype=xs.dtype)
            out = torch.zeros(T, B, H, dtype=xs.dtype)
            for s in range(T):
                t = T - 1 - s if d else s
                i_r, i_z, i_n = F.linear(inp[t], w_ih, b_ih).chunk(3, 1)
                if variant == 0:
                    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
                    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
                    n = torch.tanh(i_n + r * h_n)
                else:
                    h_r, h_z = F.linear(h, w_hh[:2 * H], b_hh[:2 * H] if bias else None).chunk(2, 1)
                    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
                    n = torch.tanh(i_n + F.linear(r * h, w_hh[2 * H:], b_hh[2 * H:] if bias else None))
                hy = (h - n) * z + n
                active = t < lens
                h = torch.where(active, hy, h)
                out[t] = torch.where(active, hy, torch.zeros_like(hy))
            outs.append(out)
            hns.append(h)
        inp = torch.cat(outs, 2)
    if kind:
        return None, hns[0]
    return (inp.transpose(0, 1) if bf else inp), torch.stack(hns)


def make_case(seed, outdir, name, kind, I, H, L, bi, bias, bf, T, B, lengths, has_h0, scale, variant):
    torch.manual_seed(seed)
    D = 2 if bi else 1
    if kind == 0:
        mod = torch.nn.GRU(I, H, L, bias=bool(bias), batch_first=bool(bf), bidirectional=bool(bi))
        xshape = (B, T, I) if bf else (T, B, I)
        hshape = (L * D, B, H)
    else:
        mod = torch.nn.GRUCell(I, H, bias=bool(bias))
        xshape = (B, I)
        hshape = (B, H)
    with torch.no_grad():
        for p in mod.parameters():
            p.mul_(scale)
    x = torch.randn(*xshape) * 1.5
    h0 = torch.rand(*hshape) * 2 - 1 if has_h0 else None
    mod64 = copy.deepcopy(mod).double()
    x64 = x.double()
    h064 = h0.double() if h0 is not None else None
    with torch.no_grad():
        if variant == 1:
            y32, hn32 = composed_gru(mod, kind, x, h0, lengths, L, D, H, bias, bf, 1)
            y64, hn64 = composed_gru(mod64, kind, x64, h064, lengths, L, D, H, bias, bf, 1)
        elif kind == 0:
            y32, hn32 = run_gru(mod, x, h0, lengths, bf, T)
            y64, hn64 = run_gru(mod64, x64, h064, lengths, bf, T)
        else:
            y32, hn32 = None, mod(x, h0)
            y64, hn64 = None, mod64(x64, h064)
        if variant == 0:  # composed_gru is nn.GRU / nn.GRUCell in float64
            cy, chn = composed_gru(mod64, kind, x64, h064, lengths, L, D, H, bias, bf, 0)
            assert (chn - hn64).abs().max().item() < 1e-12, name
            assert kind or (cy - y64).abs().max().item() < 1e-12, name
        bound_y = 2 * (y32.double() - y64).abs().max().item() + 1e-6 if kind == 0 else 0.0
        bound_hn = 2 * (hn32.double() - hn64).abs().max().item() + 1e-6

    blob = bytearray(MAGIC)
    blob += struct.pack("<12q", kind, I, H, L, bi, bias, bf, T, B, lengths is not None, has_h0, variant)
    blob += struct.pack("<2d", bound_y, bound_hn)
    if kind == 0:
        for l in range(L):
            for d in range(D):
                sfx = "_l%d%s" % (l, "_reverse" if d else "")
                blob += f32(getattr(mod, "weight_ih" + sfx)) + f32(getattr(mod, "weight_hh" + sfx))
                if bias:
                    blob += f32(getattr(mod, "bias_ih" + sfx)) + f32(getattr(mod, "bias_hh" + sfx))
    else:
        blob += f32(mod.weight_ih) + f32(mod.weight_hh)
        if bias:
            blob += f32(mod.bias_ih) + f32(mod.bias_hh)
    blob += f32(x)
    if lengths is not None:
        blob += struct.pack("<%dq" % B, *lengths)
    if h0 is not None:
        blob += f32(h0)
    if kind == 0:
        blob += f64(y64)
    blob += f64(hn64)
    with open(os.path.join(outdir, name + ".bin"), "wb") as f:
        f.write(blob)
    print("%-22s %7d bytes  bound_y %.3g  bound_hn %.3g" % (name, len(blob), bound_y, bound_hn))


def random_cases(n, seed, variant):
    """n random cases of one variant (a stress set, not committed)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        kind = int(rng.integers(0, 5) == 0)
        L, bi, T = (1, 0, 1) if kind else (int(rng.integers(1, 4)), int(rng.integers(0, 2)), int(rng.integers(1, 13)))
        B = int(rng.integers(1, 7))
        lengths = None
        if not kind and rng.integers(0, 2):
            lengths = [int(v) for v in rng.integers(variant, T + 1, size=B)]  # pack refuses 0
            lengths[int(rng.integers(0, B))] = T
        out.append(("random_%04d" % i, kind, int(rng.integers(1, 41)), int(rng.integers(1, 41)), L, bi,
                    int(rng.integers(0, 4) != 0), int(rng.integers(0, 2)) if not kind else 0, T, B, lengths,
                    int(rng.integers(0, 3) != 0), float(rng.choice([1.0, 3.0])), variant))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=HERE, help="directory to write (default: next to this script)")
    ap.add_argument("--random", type=int, default=0, metavar="N",
                    help="write N random cases instead of the committed set (a stress run: point "
                         "GRU_GOLDEN_DIR at --out and run test_parity)")
    ap.add_argument("--seed", type=int, default=1, help="seed of --random")
    ap.add_argument("--variant", type=int, default=0, choices=(0, 1), help="variant of --random")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    cases = random_cases(args.random, args.seed, args.variant) if args.random else CASES
    for i, case in enumerate(cases):
        make_case(1000 + i, args.out, *case)
    with open(os.path.join(args.out, "index.txt"), "w") as f:
        f.write("".join(c[0] + "\n" for c in cases))


if __name__ == "__main__":
    main()
