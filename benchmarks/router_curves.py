# SPDX-License-Identifier: MIT
"""router2's overused wires by iteration, from nextpnr logs, as one plot: how runs of one
placement with different router settings (or seeds of one netlist) converge, side by side.

    python benchmarks/router_curves.py --log "seed 2, default" RUN_A/nextpnr_seed2.log \\
        --log "seed 2, --router2-alt-weights" RUN_B/nextpnr_seed2.log --out curves.png

Prints each run's iterations, its least overuse (and where) and its last; writes the plot
(temp name, then rename). A log with no router2 iteration is refused (exit 2)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def curve(log: Path) -> list[tuple[int, int, int]]:
    """(iteration, wires used, overused wires) of every router2 iteration in ``log``
    (``hw.synth.router_curve``)."""
    from hw.synth import router_curve

    return router_curve(log.read_text(errors="replace"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", nargs=2, action="append", metavar=("LABEL", "LOG"), required=True,
                    help="a run's label and its nextpnr log (repeat for each run)")
    ap.add_argument("--out", type=Path, required=True, help="the plot (.png)")
    ap.add_argument("--title", default="router2: overused wires by iteration")
    a = ap.parse_args(argv)
    runs = []
    for label, path in a.log:
        p = Path(path)
        if not p.is_file():
            print(f"router_curves: --log {path}: not a file: give a nextpnr log", file=sys.stderr)
            return 2
        c = curve(p)
        if not c:
            print(f"router_curves: --log {path}: no router2 iteration in it (a router1 run, or "
                  "one stopped while placing): give a router2 log", file=sys.stderr)
            return 2
        runs.append((label, c))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for label, c in runs:
        it, _, over = zip(*c)
        best = min(c, key=lambda r: r[2])
        print(f"{label}: {len(c)} iterations, least {best[2]} overused at {best[0]}, "
              f"last {over[-1]} (wires used {c[-1][1]})")
        ax.plot(it, over, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("router2 iteration")
    ax.set_ylabel("overused wires")
    ax.set_title(a.title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.out.with_name(a.out.stem + ".tmp" + a.out.suffix)
    fig.savefig(tmp, dpi=110)
    tmp.replace(a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
