#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Export PyTorch modules to .safetensors for libgru, and make .npy inputs.

Needs only Debian's python3-torch and python3-numpy (no `safetensors` package): the format is
written here directly -- an 8-byte little-endian header length N, N bytes of JSON (padded with
spaces so the data starts 8-byte aligned), then the tensors' little-endian bytes back to back.

  export_pytorch.py predictor OUT.safetensors [--graph-dim 512 --tab-dim 0 --hidden 64 ...]
  export_pytorch.py gru OUT.safetensors [--input-size 8 --hidden 16 --layers 1 --bidirectional ...]
  export_pytorch.py forecaster OUT.safetensors [--input-size 3 --hidden 32 --layers 2 --outputs 5]
  export_pytorch.py grucell OUT.safetensors [--input-size 8 --hidden 16 --no-bias]   # nn.GRUCell
  export_pytorch.py rbcell OUT.safetensors [--input-size 8 --hidden 16 --no-bias]    # ResetBeforeCell
  export_pytorch.py module IN.pt OUT.safetensors     # a torch.save'd nn.Module or state_dict
  export_pytorch.py npy OUT.npy --shape 1,8,512 [--dtype f32|i32|i64]

Metadata written for every nn.GRU found (exactly one): gru.variant = linear_before_reset (what
nn.GRU computes) and gru.batch_first = 0/1; add more with --meta key=value.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

ST_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}
CAST = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


class GRUPredictor(nn.Module):
    """A GRU over per-step graph embeddings (optionally concatenated with tabular embeddings), then
    Linear(D*H, 64) -> ReLU -> Dropout -> Linear(64, C) on the last layer's final state.

    State dict: gru.* (nn.GRU, batch_first), classifier.0.* and classifier.3.*."""

    def __init__(self, graph_dim, hidden, num_layers=1, bidirectional=False, tab_dim=0, num_classes=2,
                 dropout=0.0):
        super().__init__()
        self.graph_dim, self.tab_dim, self.num_classes = graph_dim, tab_dim, num_classes
        self.gru = nn.GRU(graph_dim + tab_dim, hidden, num_layers, batch_first=True,
                          bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        d = 2 if bidirectional else 1
        self.classifier = nn.Sequential(nn.Linear(d * hidden, 64), nn.ReLU(), nn.Dropout(dropout),
                                        nn.Linear(64, num_classes))

    def forward(self, graph, tab=None, lengths=None):
        """graph [B, T, graph_dim]; tab [B, T, tab_dim] or [B, tab_dim] (the same every step);
        lengths [B] (int) or None. Returns logits [B, C]."""
        x = graph
        if self.tab_dim:
            if tab is None:
                raise ValueError("this predictor takes tabular embeddings")
            if tab.dim() == 2:
                tab = tab.unsqueeze(1).expand(-1, graph.shape[1], -1)
            x = torch.cat([graph, tab], dim=-1)
        if lengths is not None:
            x = nn.utils.rnn.pack_padded_sequence(x, torch.as_tensor(lengths).cpu(), batch_first=True,
                                                  enforce_sorted=False)
        _, h_n = self.gru(x)
        d = 2 if self.gru.bidirectional else 1
        return self.classifier(torch.cat(list(h_n[-d:]), dim=-1))

    def metadata(self):
        return {"model": "GRUPredictor", "predictor.graph_dim": str(self.graph_dim),
                "predictor.tab_dim": str(self.tab_dim), "predictor.num_classes": str(self.num_classes)}


class Forecaster(nn.Module):
    """A GRU (batch_first) over a window x [B, T, I], then Linear(D*H, O) on the last step's output.

    State dict: gru.* (nn.GRU), head.weight [O, D*H], head.bias [O]."""

    def __init__(self, input_size=3, hidden=32, num_layers=2, outputs=5, bidirectional=False):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden, num_layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear((2 if bidirectional else 1) * hidden, outputs)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.head(y[:, -1, :])

    def metadata(self):
        return {"model": "Forecaster"}


class ResetBeforeCell(nn.Module):
    """The common hand-written GRU cell with the reset gate applied before the candidate's matmul
    (Cho et al. 2014; libgru GRU_VARIANT_RESET_BEFORE). State dict: linear_rz.{weight [2H, I+H],
    bias [2H]}, linear_n.{weight [H, I+H], bias [H]}; rows of linear_rz are r then z."""

    def __init__(self, input_size, hidden, bias=True):
        super().__init__()
        self.hidden = hidden
        self.linear_rz = nn.Linear(input_size + hidden, 2 * hidden, bias=bias)
        self.linear_n = nn.Linear(input_size + hidden, hidden, bias=bias)

    def forward(self, x, h):
        r, z = torch.sigmoid(self.linear_rz(torch.cat([x, h], dim=-1))).chunk(2, dim=-1)
        n = torch.tanh(self.linear_n(torch.cat([x, r * h], dim=-1)))
        return (1 - z) * n + z * h

    def metadata(self):
        return {"model": "ResetBeforeCell", "gru.variant": "reset_before"}


def tensor_bytes(t):
    """The tensor's elements as little-endian bytes, C order."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: move the bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder("<")).tobytes()


def save_safetensors(path, tensors, metadata=None, dtype=None):
    """Writes {name: tensor} (in that order) and {str: str} metadata. dtype: None, or "f32", "f16",
    "bf16" to convert every floating-point tensor. Written to a temporary file, then renamed."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        if dtype and t.is_floating_point():
            t = t.to(CAST[dtype])
        if t.dtype not in ST_DTYPES:
            raise ValueError(f"{name}: dtype {t.dtype} has no safetensors name")
        blob = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the format allows trailing spaces; data starts 8-byte aligned
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for b in blobs:
                f.write(b)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def gru_metadata(module):
    """gru.variant / gru.batch_first for the module's one nn.GRU ({} if it has none or several)."""
    grus = [m for m in module.modules() if isinstance(m, nn.GRU)]
    if len(grus) != 1:
        return {}
    return {"gru.variant": "linear_before_reset", "gru.batch_first": "1" if grus[0].batch_first else "0"}


def export_module(module, path, metadata=None, dtype=None):
    meta = gru_metadata(module)
    if hasattr(module, "metadata"):
        meta.update(module.metadata())
    meta.update(metadata or {})
    save_safetensors(path, module.state_dict(), meta, dtype)


def save_npy(path, array, version=None):
    """np.save through a temporary file; version None lets numpy choose (1.0 when it fits)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        np.lib.format.write_array(f, np.ascontiguousarray(array), version=version, allow_pickle=False)
    os.replace(tmp, path)


def parse_meta(items):
    meta = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--meta wants key=value, got {item!r}")
        meta[key] = value
    return meta


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--dtype", choices=sorted(CAST), help="store floating-point tensors as this type")
        sp.add_argument("--meta", action="append", metavar="KEY=VALUE", help="extra metadata (repeatable)")
        sp.add_argument("--seed", type=int, default=0)

    sp = sub.add_parser("predictor", help="a freshly initialised GRUPredictor")
    sp.add_argument("out")
    sp.add_argument("--graph-dim", type=int, default=512)
    sp.add_argument("--tab-dim", type=int, default=0)
    sp.add_argument("--hidden", type=int, default=64)
    sp.add_argument("--layers", type=int, default=1)
    sp.add_argument("--bidirectional", action="store_true")
    sp.add_argument("--classes", type=int, default=2)
    common(sp)

    sp = sub.add_parser("gru", help="a freshly initialised nn.GRU (tensor names without prefix unless --prefix)")
    sp.add_argument("out")
    sp.add_argument("--input-size", type=int, default=8)
    sp.add_argument("--hidden", type=int, default=16)
    sp.add_argument("--layers", type=int, default=1)
    sp.add_argument("--bidirectional", action="store_true")
    sp.add_argument("--no-bias", action="store_true")
    sp.add_argument("--batch-first", action="store_true")
    sp.add_argument("--prefix", default="", help="e.g. 'rnn.'")
    common(sp)

    sp = sub.add_parser("forecaster", help="a freshly initialised Forecaster")
    sp.add_argument("out")
    sp.add_argument("--input-size", type=int, default=3)
    sp.add_argument("--hidden", type=int, default=32)
    sp.add_argument("--layers", type=int, default=2)
    sp.add_argument("--outputs", type=int, default=5)
    sp.add_argument("--bidirectional", action="store_true")
    common(sp)

    for name, what in (("grucell", "nn.GRUCell"), ("rbcell", "ResetBeforeCell")):
        sp = sub.add_parser(name, help=f"a freshly initialised {what}")
        sp.add_argument("out")
        sp.add_argument("--input-size", type=int, default=8)
        sp.add_argument("--hidden", type=int, default=16)
        sp.add_argument("--no-bias", action="store_true")
        common(sp)

    sp = sub.add_parser("module", help="a torch.save'd nn.Module or state_dict")
    sp.add_argument("input")
    sp.add_argument("out")
    common(sp)

    sp = sub.add_parser("npy", help="a random .npy array (inputs, lengths)")
    sp.add_argument("out")
    sp.add_argument("--shape", required=True, help="comma-separated, e.g. 1,8,512 ('' for a scalar)")
    sp.add_argument("--dtype", choices=["f32", "i32", "i64"], default="f32")
    sp.add_argument("--low", type=float, default=-1.0)
    sp.add_argument("--high", type=float, default=1.0, help="exclusive for integers")
    sp.add_argument("--seed", type=int, default=0)

    a = p.parse_args(argv)
    if a.cmd == "npy":
        shape = tuple(int(s) for s in a.shape.split(",") if s.strip())
        rng = np.random.default_rng(a.seed)
        if a.dtype == "f32":
            arr = rng.uniform(a.low, a.high, shape).astype("<f4")
        else:
            arr = rng.integers(int(a.low), int(a.high), shape).astype("<i4" if a.dtype == "i32" else "<i8")
        save_npy(a.out, arr)
        return 0

    torch.manual_seed(a.seed)
    meta = parse_meta(a.meta)
    if a.cmd == "predictor":
        m = GRUPredictor(a.graph_dim, a.hidden, a.layers, a.bidirectional, a.tab_dim, a.classes)
        export_module(m.eval(), a.out, meta, a.dtype)
    elif a.cmd == "forecaster":
        m = Forecaster(a.input_size, a.hidden, a.layers, a.outputs, a.bidirectional)
        export_module(m.eval(), a.out, meta, a.dtype)
    elif a.cmd == "grucell":
        save_safetensors(a.out, nn.GRUCell(a.input_size, a.hidden, bias=not a.no_bias).state_dict(), meta, a.dtype)
    elif a.cmd == "rbcell":
        export_module(ResetBeforeCell(a.input_size, a.hidden, not a.no_bias), a.out, meta, a.dtype)
    elif a.cmd == "gru":
        g = nn.GRU(a.input_size, a.hidden, a.layers, bias=not a.no_bias, batch_first=a.batch_first,
                   bidirectional=a.bidirectional)
        tensors = {a.prefix + k: v for k, v in g.state_dict().items()}
        save_safetensors(a.out, tensors, {**gru_metadata(g), **meta}, a.dtype)
    else:
        obj = torch.load(a.input, map_location="cpu")
        if isinstance(obj, nn.Module):
            export_module(obj.eval(), a.out, meta, a.dtype)
        elif isinstance(obj, dict) and all(isinstance(v, torch.Tensor) for v in obj.values()):
            save_safetensors(a.out, obj, meta, a.dtype)
        else:
            raise SystemExit(f"{a.input}: neither an nn.Module nor a dict of tensors ({type(obj).__name__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
