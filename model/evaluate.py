# SPDX-License-Identifier: MIT
"""``python -m model.evaluate --ckpt CKPT --data DIR [--data DIR2 ...] [--scale S]``

PSNR/SSIM on the Y channel with ``scale`` pixels shaved, for the model and a bicubic row,
over HR/LR pair folders (``../shared/datasets`` layout or DIV2K). Prints a table and
writes JSON (atomically).
"""
from __future__ import annotations

from . import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .cli import ToolkitParser, positive_int
from .data import bicubic_resize, load_pairs
from .errors import ToolkitError
from .metrics import psnr_y, ssim_y
from .registry import atomic_write, model_from_checkpoint


@torch.no_grad()
def super_resolve(net, lr: np.ndarray) -> np.ndarray:
    """Run a network on one (h, w, 3) uint8 LR image; returns (H, W, 3) uint8."""
    s = net.scale
    inp = lr if net.backbone == "edsr" else bicubic_resize(lr, (lr.shape[0] * s, lr.shape[1] * s))
    x = torch.from_numpy(np.ascontiguousarray(inp.transpose(2, 0, 1))).float()[None]
    y = net(x)[0]
    # quantized nets already return exact uint8 values; the FP teacher is rounded here
    y = torch.clamp(torch.floor(y + 0.5), 0, 255)
    return y.permute(1, 2, 0).numpy().astype(np.uint8)


def evaluate_pairs(net, pairs, scale: int, desc: str = "eval") -> dict:
    """Mean and per-image PSNR/SSIM (Y, shaved) of ``net`` and of bicubic over pairs."""
    rows = []
    for p in tqdm(pairs, desc=desc, leave=False, disable=None):
        bic = bicubic_resize(p.lr, p.hr.shape[:2])
        sr = super_resolve(net, p.lr) if net is not None else None
        row = {"image": p.name, "bicubic_psnr": psnr_y(p.hr, bic, scale),
               "bicubic_ssim": ssim_y(p.hr, bic, scale)}
        if sr is not None:
            row.update(psnr=psnr_y(p.hr, sr, scale), ssim=ssim_y(p.hr, sr, scale))
        rows.append(row)
    keys = [k for k in rows[0] if k != "image"]
    return {"mean": {k: float(np.mean([r[k] for r in rows])) for k in keys}, "images": rows}


def write_json_atomic(obj, path: Path) -> None:
    """Write JSON to a temporary file beside ``path`` and rename it into place."""
    atomic_write(path, lambda f: json.dump(obj, f, indent=2), mode="w")


def format_table(results: dict, arch: str) -> str:
    """Plain-text table: one bicubic and one model row per dataset."""
    lines = [f"{'dataset':<12}{'method':<28}{'PSNR (dB)':>10}{'SSIM':>8}"]
    for ds, r in results.items():
        m = r["mean"]
        lines.append(f"{ds:<12}{'bicubic':<28}{m['bicubic_psnr']:>10.2f}{m['bicubic_ssim']:>8.4f}")
        if "psnr" in m:
            lines.append(f"{ds:<12}{arch:<28}{m['psnr']:>10.2f}{m['ssim']:>8.4f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = ToolkitParser(prog="python -m model.evaluate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", type=Path, required=True, help="ckpt.pt written by model.train")
    ap.add_argument("--data", type=Path, action="append",
                    help="HR/LR pair folder (repeatable); default: built-in images")
    ap.add_argument("--scale", type=positive_int, help="must match the checkpoint (default: its scale)")
    ap.add_argument("--out", type=Path, help="JSON output (default: beside the checkpoint)")
    args = ap.parse_args(argv)
    try:
        from .cli import output_file

        if args.out is not None:
            output_file(args.out, "--out", inputs=(("--ckpt", args.ckpt),))
        net, ck = model_from_checkpoint(args.ckpt, scale=args.scale)
        scale = net.scale
        results = {}
        for d in args.data or [None]:
            name = "builtin" if d is None else d.name
            results[name] = evaluate_pairs(net, load_pairs(d, scale), scale, desc=name)
        out = args.out or args.ckpt.parent / f"eval_x{scale}.json"
        write_json_atomic({"ckpt": str(args.ckpt), "arch": ck.get("arch"), "step": ck.get("step"),
                           "scale": scale, "results": results}, out)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(format_table(results, ck.get("arch", "model")))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
