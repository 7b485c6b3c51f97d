# SPDX-License-Identifier: MIT
"""``python export/to_finn.py --ckpt CKPT --out DIR [--part P] [--target-fps N | --folding F]
[--clock-ns T] [--input-hw H W] [--verify-hw H W] [--mvau-wwidth-max BITS]
[--start-step NAME] [--stop-step NAME]``

Turns a checkpoint into a folded FINN dataflow graph whose binary layers are XNOR-popcount
MVAUs, checking the graph against the PyTorch golden pair after every executable step.
This file only parses arguments into ``ExportConfig`` and runs ``export.flow``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

from export.config import STEP_NAMES, ExportConfig  # noqa: E402  (light; main imports the flow)
from model.cli import (ToolkitParser, non_negative_int, positive_float,  # noqa: E402
                       positive_int)
from model.errors import ToolkitError  # noqa: E402


def parse_args(argv=None) -> ExportConfig:
    ap = ToolkitParser(prog="python export/to_finn.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", type=Path, required=True, help="ckpt.pt written by model.train")
    ap.add_argument("--out", type=Path, required=True, help="build directory")
    ap.add_argument("--part", default="xc7z020clg400-1", help="FPGA part (default xc7z020clg400-1)")
    ap.add_argument("--clock-ns", type=positive_float, default=10.0, help="clock period in ns (default 10)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--target-fps", type=positive_float, help="folding target, frames per second")
    g.add_argument("--folding", type=Path, help="folding JSON in FINN's format")
    ap.add_argument("--input-hw", type=positive_int, nargs=2, default=(32, 32), metavar=("H", "W"),
                    help="input frame size the dataflow graph is built for (default 32 32)")
    ap.add_argument("--verify-hw", type=positive_int, nargs=2, metavar=("H", "W"),
                    help="verify every step bit-exactly at this frame size (same folding, "
                         "parameters compared with the --input-hw build); default: at --input-hw")
    ap.add_argument("--mvau-wwidth-max", type=positive_int, default=36,
                    help="FINN SetFolding's cap on an MVAU's weight stream (bits per clock); "
                         "raise it for video rates (default 36, FINN's)")
    ap.add_argument("--golden-real", type=non_negative_int, default=2, help="real image crops in the golden input")
    ap.add_argument("--golden-random", type=non_negative_int, default=1, help="random images in the golden input")
    ap.add_argument("--no-cppsim", action="store_true",
                    help="do not compile and execute FINN's generated HLS code (cppsim)")
    ap.add_argument("--finn-hlslib", type=Path,
                    help="finn-hlslib folder for cppsim (default: $FINN_HLSLIB, FINN's "
                         "dependency folder, ../shared/finn-hlslib)")
    ap.add_argument("--ap-types", type=Path,
                    help="folder with ap_int.h/ap_fixed.h for cppsim (default: $AP_TYPES, "
                         "<venv>/share/ap_types from scripts/install.sh)")
    ap.add_argument("--start-step", choices=STEP_NAMES)
    ap.add_argument("--stop-step", choices=STEP_NAMES)
    a = ap.parse_args(argv)
    return ExportConfig(ckpt=a.ckpt, out=a.out, part=a.part, clock_ns=a.clock_ns,
                        target_fps=a.target_fps, folding=a.folding, input_hw=tuple(a.input_hw),
                        verify_hw=tuple(a.verify_hw) if a.verify_hw else None,
                        mvau_wwidth_max=a.mvau_wwidth_max, golden_real=a.golden_real, golden_random=a.golden_random,
                        start_step=a.start_step, stop_step=a.stop_step, cppsim=not a.no_cppsim,
                        finn_hlslib=a.finn_hlslib, ap_types=a.ap_types)


def main(argv=None) -> int:
    cfg = parse_args(argv)
    t = time.time()
    try:
        from export.flow import run_export

        ctx = run_export(cfg)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {cfg.out} is not a finished build (FAILED.txt)", file=sys.stderr)
        return 130
    for r in ctx.verify:
        m = r["mismatches"]
        at = f"at {r['at'][0]}x{r['at'][1]}" if "at" in r else ""
        print(f"  {r['step']:<22}{at:>10} compared {r['compared']:>8}  mismatches "
              f"{m if m is not None else '-':>5}  {r.get('reason', '')}")
    cs = getattr(ctx, "cppsim", None)
    if cs:
        from export.cppsim import print_record

        print("\nFINN's HLS code in cppsim (g++), per node type against FINN's Python execution:")
        print_record(cs)
    est = getattr(ctx, "estimates", None)
    if est:
        print(f"\n{'layer':<34}{'LUT':>8}{'BRAM18':>8}{'DSP':>6}{'cycles':>9}  folding")
        for l in est["layers"]:
            fold = " ".join(f"{k}={v}" for k, v in l["folding"].items())
            print(f"{l['name'] + (' (XNOR)' if l['xnor'] else ''):<34}{l['LUT']:>8.0f}"
                  f"{l['BRAM_18K']:>8.0f}{l['DSP']:>6.0f}{l['cycles']:>9}  {fold}")
        tt = est["totals"]
        print(f"{'total':<34}{tt['LUT']:>8.0f}{tt['BRAM_18K']:>8.0f}{tt['DSP']:>6.0f}"
              f"{tt['bottleneck_cycles']:>9}  bottleneck {tt['bottleneck_layer']}, "
              f"{tt['fps']:.0f} frames/s at {1e3 / cfg.clock_ns:.0f} MHz; MACs/frame: "
              f"{tt['binary_macs_per_frame']} binary, {tt['int_macs_per_frame']} 8-bit")
    print(f"export done in {time.time() - t:.1f} s -> {cfg.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
