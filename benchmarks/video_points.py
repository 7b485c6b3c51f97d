# SPDX-License-Identifier: MIT
"""Video design points: the folding that sustains a frame rate at a clock, per output
resolution, and where its resources go.

    python benchmarks/video_points.py --ckpt CKPT [--points 720p,1080p,4k] [--fps 60]
        [--clock-mhz 150] [--out build/video_points]

Per point: ``export/to_finn.py`` at the LR frame of that output (x2: 640x360, 960x540,
1920x1080), verified bit-exactly on 16x16 frames with the same folding (``--verify-hw``),
folded by FINN's SetFolding for ``fps`` at the clock with the MVAU weight-stream cap lifted
(``--mvau-wwidth-max 8192``, plus ``LiftMVAUFoldingLimit`` for the ap_int limit of FINN's
HLS MVAU); then hw.gen for the FIFO bits. Writes ``OUT/points.json``: FINN's estimates in
total and per layer group (int8 head and tail, XNOR body, requantisers and thresholds,
sliding windows), the multipliers of the int8 layers, the layer with the most LUTs, the
frame rate the folding reaches, FIFO bits. ``notebooks/latency.ipynb`` plots it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: output resolutions (width, height)
POINTS = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}


def group(layer: dict) -> str:
    """The resource group of an ``estimates.json`` layer."""
    op = layer["op_type"]
    if op.startswith("MVAU"):
        return "XNOR body" if layer["xnor"] else "int8 head/tail"
    if op.startswith("Thresholding"):
        return "requantisers"
    if op.startswith(("ConvolutionInputGenerator", "FMPadding")):
        return "sliding windows"
    return "other"


def point(ckpt: Path, name: str, lr_hw: tuple[int, int], fps: float, clock_mhz: float,
          out: Path, verify_hw: tuple[int, int]) -> dict:
    from export.config import ExportConfig
    from export.flow import run_export
    from hw.gen import generate

    b = out / name
    t = time.time()
    run_export(ExportConfig(ckpt=ckpt, out=b, input_hw=lr_hw, verify_hw=verify_hw,
                            target_fps=fps, clock_ns=1e3 / clock_mhz, mvau_wwidth_max=8192,
                            golden_real=0, golden_random=1))
    export_s = time.time() - t
    est = json.loads((b / "estimates.json").read_text())
    info = generate(b, b / "rtl")
    groups: dict[str, dict] = {}
    for l in est["layers"]:
        g = groups.setdefault(group(l), {"LUT": 0.0, "BRAM_18K": 0.0, "DSP": 0.0})
        for k in g:
            g[k] += l[k]
    mults = sum(l["folding"].get("PE", 1) * l["folding"].get("SIMD", 1) for l in est["layers"]
                if l["op_type"].startswith("MVAU") and not l["xnor"])
    top = max(est["layers"], key=lambda l: l["LUT"])
    tt = est["totals"]
    return {"point": name, "lr_hw": list(lr_hw), "target_fps": fps, "clock_mhz": clock_mhz,
            "lr_pixels_per_s": lr_hw[0] * lr_hw[1] * fps,
            "bottleneck_cycles": tt["bottleneck_cycles"], "bottleneck_layer": tt["bottleneck_layer"],
            "fps": tt["fps"], "meets_target": tt["fps"] >= fps,
            "LUT": tt["LUT"], "BRAM_18K": tt["BRAM_18K"], "DSP": tt["DSP"],
            "int8_multipliers": mults, "groups": groups,
            "top_layer": {"name": top["name"], "LUT": top["LUT"], "group": group(top),
                          "folding": top["folding"]},
            "fifo_bits": info["fifo_bits"],
            "verified_at": list(verify_hw), "export_s": round(export_s, 1),
            "parameters_equal": json.loads((b / "parameters.json").read_text())["differences"] == [],
            "build": str(b)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", type=Path, required=True)
    ap.add_argument("--points", default="720p,1080p,4k",
                    help=f"output resolutions ({', '.join(POINTS)}) or LR sizes HxW")
    ap.add_argument("--fps", type=float, default=60.0)
    ap.add_argument("--clock-mhz", type=float, default=150.0)
    ap.add_argument("--verify-hw", type=int, nargs=2, default=(16, 16))
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "video_points")
    a = ap.parse_args(argv)
    from model.errors import ToolkitError
    from model.evaluate import write_json_atomic
    from model.registry import load_checkpoint

    try:
        scale = load_checkpoint(a.ckpt)["config"]["scale"]
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    res = []
    for p in a.points.split(","):
        if p in POINTS:
            w, h = POINTS[p]
            lr = (h // scale, w // scale)
        else:
            try:
                lr = tuple(int(v) for v in p.lower().split("x"))
                assert len(lr) == 2 and min(lr) > 0
            except (ValueError, AssertionError):
                print(f"error: --points {p!r}: use {', '.join(POINTS)} or HxW", file=sys.stderr)
                return 2
        r = point(a.ckpt, p, lr, a.fps, a.clock_mhz, a.out, tuple(a.verify_hw))
        res.append(r)
        print(f"[video_points] {p}: LR {lr[1]}x{lr[0]}, {r['fps']:.1f} fps at {a.clock_mhz:.0f} MHz "
              f"(target {a.fps:.0f}: {'met' if r['meets_target'] else 'MISSED'}), "
              f"{r['LUT']:.0f} LUT, {r['BRAM_18K']:.0f} BRAM18, {r['int8_multipliers']} int8 "
              f"multipliers; most LUTs: {r['top_layer']['name']} ({r['top_layer']['group']}); "
              f"FIFO {r['fifo_bits']} bits; export {r['export_s']} s", flush=True)
    a.out.mkdir(parents=True, exist_ok=True)
    write_json_atomic({"scale": scale, "points": res}, a.out / "points.json")
    print(f"wrote {a.out / 'points.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
