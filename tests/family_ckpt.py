# SPDX-License-Identifier: MIT
"""A tiny ABC-Net checkpoint in the general case, shared by the export and RTL tests."""
from pathlib import Path

import torch

from model import train


def abc_checkpoint(out: Path, m: int = 2, n: int = 3) -> Path:
    """Train edsr_btm_x2_c8_b1 with M x N ABC bases for 3 steps, then give the bases unequal
    power-of-two coefficients and shifted thresholds (a few steps leave them at their equal
    initial values, which hides the integer multipliers of the general case)."""
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--steps", "3", "--batch", "2", "--patch",
                       "12", "--val-every", "3", "--out", str(out), "--quiet",
                       "--weight-bases", str(m), "--act-bases", str(n)]) == 0
    ck = out / "ckpt.pt"
    c = torch.load(ck, weights_only=False)
    for k in list(c["model"]):
        if k.endswith("log2_alpha"):
            c["model"][k] = torch.tensor([-4.2, -6.0, -5.0][:m])
        elif k.endswith("log2_beta"):
            c["model"][k] = torch.tensor([0.3, -1.0, -2.6][:n])
        elif k.endswith("theta"):
            c["model"][k] = torch.tensor([-0.47, 0.0, 0.31][:n])
    torch.save(c, ck)
    return ck
