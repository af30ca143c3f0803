#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Regenerates the seed corpora fuzz/corpus/{safetensors,npy} (small, deterministic files)."""
import os
import struct
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tools"))
import export_pytorch as ex  # noqa: E402

st = os.path.join(here, "corpus", "safetensors")
npy = os.path.join(here, "corpus", "npy")
os.makedirs(st, exist_ok=True)
os.makedirs(npy, exist_ok=True)

ex.main(["gru", os.path.join(st, "gru_l2_bidir.safetensors"), "--input-size", "2", "--hidden", "2", "--layers", "2",
         "--bidirectional", "--prefix", "gru.", "--seed", "1"])
ex.main(["gru", os.path.join(st, "gru_nobias_bf16.safetensors"), "--input-size", "3", "--hidden", "1", "--no-bias",
         "--dtype", "bf16", "--batch-first", "--meta", "gru.variant=reset_before", "--seed", "2"])
ex.main(["predictor", os.path.join(st, "predictor_f16.safetensors"), "--graph-dim", "2", "--tab-dim", "1",
         "--hidden", "2", "--classes", "2", "--dtype", "f16", "--seed", "3"])
ex.save_safetensors(os.path.join(st, "dtypes.safetensors"), {
    "steps": torch.tensor([1, 2], dtype=torch.int64), "mask": torch.tensor([True, False]),
    "u8": torch.tensor([7], dtype=torch.uint8), "f64": torch.tensor([0.5], dtype=torch.float64),
    "scalar": torch.tensor(1.5), "empty": torch.zeros(0, 3)}, {"k": "v"})
with open(os.path.join(st, "empty.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 8) + b"{}      ")

ex.save_npy(os.path.join(npy, "f32_2x3_v1.npy"), np.arange(6, dtype="<f4").reshape(2, 3), version=(1, 0))
ex.save_npy(os.path.join(npy, "i64_4_v2.npy"), np.array([3, 0, 1, 2], "<i8"), version=(2, 0))
ex.save_npy(os.path.join(npy, "i32_scalar_v3.npy"), np.array(7, "<i4"), version=(3, 0))
ex.save_npy(os.path.join(npy, "f32_empty.npy"), np.zeros((0, 3), "<f4"))
ex.save_npy(os.path.join(npy, "f32_bigendian.npy"), np.ones(2, ">f4"))
np.save(os.path.join(npy, "f32_fortran.npy"), np.asfortranarray(np.ones((2, 3), "<f4")))  # rejected, still a seed

# The same seeds in the targets' second encoding: header text, a NUL byte, then the data.
for name in sorted(os.listdir(st)):
    if name.endswith(".safetensors"):
        b = open(os.path.join(st, name), "rb").read()
        n = struct.unpack("<Q", b[:8])[0]
        open(os.path.join(st, name[:-12] + ".json0"), "wb").write(b[8:8 + n] + b"\0" + b[8 + n:])
for name in sorted(os.listdir(npy)):
    if name.endswith(".npy"):
        b = open(os.path.join(npy, name), "rb").read()
        n = struct.unpack("<H", b[8:10])[0] if b[6] == 1 else struct.unpack("<I", b[8:12])[0]
        at = 10 if b[6] == 1 else 12
        open(os.path.join(npy, name[:-4] + ".h0"), "wb").write(b[at:at + n] + b"\0" + b[at + n:])
