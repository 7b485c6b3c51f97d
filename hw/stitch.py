# SPDX-License-Identifier: MIT
"""Generate the stitched RTL of a folded FINN build (the CLI of ``hw.gen``).

    python -m hw.stitch --build build/NAME [--out build/NAME/rtl] [--sliding-window ours|finn]

One layer module per FINN node (our cores; requantisers as arithmetic where a closed form is
proven equal to the thresholds, else a threshold memory), a width converter where foldings
differ and a FIFO on every edge, sized by the branch latency. Writes ``sr_top.sv``, memory
files, ``filelist.txt``, ``stitch.json`` and ``requant.json``.
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import json
import sys
from pathlib import Path

from hw.gen import StitchError, generate
from model.errors import ToolkitError
from model.cli import ToolkitParser

__all__ = ["StitchError", "main"]


def main(argv=None) -> int:
    ap = ToolkitParser(prog="python -m hw.stitch", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("--out", type=Path, help="default: BUILD/rtl")
    ap.add_argument("--sliding-window", choices=("ours", "finn"), default="ours",
                    help="sliding windows: hw/rtl/swg.sv (default) or FINN's generated RTL")
    a = ap.parse_args(argv)
    try:
        from model.cli import output_dir

        out = output_dir(a.out or a.build / "rtl", "--out", own=("stitch.json", "sr_top.sv"),
                         what="stitched RTL")
        from hw.gen import load_partition

        load_partition(a.build)
        out.mkdir(parents=True, exist_ok=True)
        interrupt.watch(out, what="stitched RTL")
        info = generate(a.build, out, sliding_window=a.sliding_window)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rq = {}
    for l in info["layers"]:
        for r in l.get("requantisers", []):
            rq[r["requantiser"]] = rq.get(r["requantiser"], 0) + 1
    print(json.dumps({"top": info["top"], "layers": len(info["layers"]), "requantisers": rq,
                      "fifo_bits": info["fifo_bits"]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
