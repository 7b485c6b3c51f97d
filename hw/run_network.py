# SPDX-License-Identifier: MIT
"""Run the stitched RTL network (Verilator + cocotb) on images and compare with PyTorch.

    python -m hw.run_network --build build/NAME [--image img.png] [--out DIR]

Without ``--image`` the export's golden inputs are used. Writes the output image(s) as PNG,
``rtl_run.json`` with the mismatch count against the PyTorch model, the cycles per frame
(measured, beside FINN's bottleneck estimate) and the highest fill of every FIFO. On the
golden inputs of a build whose export ran FINN's HLS code (``BUILD/cppsim``), the three
are compared on the same frames: PyTorch, FINN's HLS in cppsim, this RTL in Verilator;
``--per-node`` also runs every single-stream layer of the RTL alone on the stream the cppsim
step kept for it (the first golden frame) and compares it word for word.
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from hw.sim.network import run_network
from model.errors import ToolkitError
from model.cli import ToolkitParser, probability

__all__ = ["run_network", "main"]


def main(argv=None) -> int:
    ap = ToolkitParser(prog="python -m hw.run_network", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("--image", type=Path, help="an LR image (cropped to the build's input size)")
    ap.add_argument("--out", type=Path, help="default: BUILD/rtl_run")
    ap.add_argument("--pause-in", type=probability, default=0.0, help="probability of an input gap")
    ap.add_argument("--pause-out", type=probability, default=0.0, help="probability of output backpressure")
    ap.add_argument("--per-node", action="store_true",
                    help="also every single-stream layer alone against FINN's HLS in cppsim")
    a = ap.parse_args(argv)
    out = a.out or a.build / "rtl_run"
    try:
        from hw.gen import load_partition
        from model.cli import output_dir

        load_partition(a.build)  # refuses missing, failed or unfinished builds
        output_dir(out, "--out", own=("rtl_run.json", "tb.json", "rtl"), what="simulation run")
        if a.image is None and not (a.build / "golden" / "input.npy").is_file():
            raise ToolkitError(f"{a.build} has no golden/input.npy (the export's golden frames); "
                               "export it again, or pass --image")
        x = np.load(a.build / "golden" / "input.npy")
        h, w = x.shape[2:]
        if a.image is not None:
            from model.data import load_rgb

            img = load_rgb(a.image)
            if img.shape[0] < h or img.shape[1] < w:
                print(f"error: {a.image} is smaller than the build's {w}x{h} input", file=sys.stderr)
                return 2
            x = img[:h, :w].transpose(2, 0, 1)[None]
        import torch

        from model.registry import model_from_checkpoint

        from export.config import build_config

        cfg = build_config(a.build)
        net, _ = model_from_checkpoint(Path(cfg["ckpt"]))
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with torch.no_grad():
        ref = net(torch.from_numpy(x.astype(np.float32))).numpy().astype(np.int64)
    # run two frames back to back so the steady-state frame interval is measured
    frames = np.concatenate([x, x[:1]]) if len(x) == 1 else x
    out.mkdir(parents=True, exist_ok=True)
    interrupt.watch(out, what="simulation run")
    r = run_network(a.build, frames, out, a.pause_in, a.pause_out)
    y = r["outputs"][: len(x)]
    mism = int((y != ref).sum())
    from PIL import Image

    for i, img in enumerate(y):
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8).transpose(1, 2, 0)).save(out / f"rtl_out_{i}.png")
    edges = r["stitch"]["edges"]
    rec = {"images": len(x), "compared": int(y.size), "mismatches": mism,
           "cycles_per_frame": r["cycles_per_frame"], "frame_done_cycles": r["frame_done_cycles"],
           "finn_bottleneck_cycles": r["finn_bottleneck_cycles"],
           "ratio_measured_to_estimate": r["cycles_per_frame"] / max(r["finn_bottleneck_cycles"], 1),
           "fifo_bits": r["stitch"]["fifo_bits"],
           "fifos": [{"tensor": e["tensor"], "dst": e["dst"], "depth": e["depth"],
                      "max_fill": r["fifo_max"].get(i)} for i, e in enumerate(edges)]}
    cs = a.build / "cppsim" / "output.npy"
    if a.image is None and cs.is_file():
        hls = np.load(cs).astype(np.int64)
        if hls.shape == y.shape:
            crec = json.loads((a.build / "cppsim" / "cppsim.json").read_text())
            rec["three_way"] = {
                "compared": int(y.size),
                "pytorch_vs_cppsim": int((hls != ref).sum()),
                "cppsim_vs_rtl": int((hls != y).sum()),
                "pytorch_vs_rtl": mism,
                "cppsim_nodes": {n: {"kind": v["kind"], "compared": v["compared"],
                                     "mismatches": v["mismatches"]}
                                 for n, v in crec["nodes"].items()}}
            mism += rec["three_way"]["cppsim_vs_rtl"]
            t = rec["three_way"]
            print(f"three-way on {t['compared']} values: PyTorch vs FINN HLS (cppsim) "
                  f"{t['pytorch_vs_cppsim']}, FINN HLS vs RTL {t['cppsim_vs_rtl']}, PyTorch vs "
                  f"RTL {t['pytorch_vs_rtl']} mismatches")
    if a.per_node:
        from hw.sim.pernode import per_node

        try:
            pn = per_node(a.build, out / "per_node", max(a.pause_in, a.pause_out, 0.3))
        except ToolkitError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        rec["per_node"] = pn
        mism += pn["mismatches"]
        print(f"per node: {sum(1 for r in pn['layers'] if 'compared_words' in r)} layers alone, "
              f"{pn['compared_words']} words against FINN's HLS in cppsim, {pn['mismatches']} "
              f"mismatches; " + ", ".join(f"{r['layer']} ({r['why']})" for r in pn["layers"]
                                          if "why" in r))
    (out / "rtl_run.json").write_text(json.dumps(rec, indent=2))
    print(json.dumps({k: v for k, v in rec.items()
                      if k not in ("fifos", "frame_done_cycles", "three_way")}, indent=2))
    return 0 if mism == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
