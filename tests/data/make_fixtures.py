#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Regenerates the small committed fixtures of tests/test_io.c (run from anywhere; deterministic).

predictor*.safetensors: one GRUPredictor (graph 3 + tab 2 inputs, H = 4, 2 layers, bidirectional,
3 classes, seed 1) stored as F32, F16 and BF16 by tools/export_pytorch.py.
gru_w_ih_l1_rev.npy (format 2.0): [3, 12, 8] f32 = gru.weight_ih_l1_reverse as float32, rounded to
float16 and rounded to bfloat16 by torch -- what the three files must load as.
lengths_i32.npy (1.0): [5, 0, 7, 2^31-1] int32; lengths_i64.npy (3.0): [5, 0, 7, 2^40] int64.
numpy_f32_2x3.npy: np.save(arange(6).reshape(2, 3) / 4, float32), which gru_npy_write must reproduce byte for byte.
predictor_x.npy [2, 3, 5] (batch first), predictor_y.npy [2][2, 3, 8] and predictor_hn.npy [2][4, 2, 4]: the
predictor's GRU on x, in float32 by torch ([0]) and in float64 (the oracle, rounded to float32, [1]).
"""
import copy
import os
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tools"))
import export_pytorch as ex  # noqa: E402

torch.manual_seed(1)
m = ex.GRUPredictor(graph_dim=3, hidden=4, num_layers=2, bidirectional=True, tab_dim=2, num_classes=3).eval()
for dtype, suffix in ((None, ""), ("f16", "_f16"), ("bf16", "_bf16")):
    ex.export_module(m, os.path.join(here, f"predictor{suffix}.safetensors"), dtype=dtype)

w = m.state_dict()["gru.weight_ih_l1_reverse"]
stack = torch.stack([w, w.half().float(), w.bfloat16().float()]).numpy().astype("<f4")
ex.save_npy(os.path.join(here, "gru_w_ih_l1_rev.npy"), stack, version=(2, 0))
ex.save_npy(os.path.join(here, "lengths_i32.npy"), np.array([5, 0, 7, 2147483647], "<i4"), version=(1, 0))
ex.save_npy(os.path.join(here, "lengths_i64.npy"), np.array([5, 0, 7, 2**40], "<i8"), version=(3, 0))
np.save(os.path.join(here, "numpy_f32_2x3.npy"), (np.arange(6).reshape(2, 3) / 4).astype("<f4"))

x = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    y32, h32 = m.gru(x)
    y64, h64 = copy.deepcopy(m.gru).double()(x.double())
ex.save_npy(os.path.join(here, "predictor_x.npy"), x.numpy())
ex.save_npy(os.path.join(here, "predictor_y.npy"), torch.stack([y32, y64.float()]).numpy())
ex.save_npy(os.path.join(here, "predictor_hn.npy"), torch.stack([h32, h64.float()]).numpy())
