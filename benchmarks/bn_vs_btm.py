# SPDX-License-Identifier: MIT
"""The BN vs BN-free experiment: the same architecture with PReLU (BTM) and with BatchNorm,
trained with the same step budget, measured on everything the report compares.

    .venv/bin/python benchmarks/bn_vs_btm.py [--steps 3000] [--widths 12,10,8,6,4] [--out DIR]

Writes ``OUT/results.json`` (read by notebooks/bn_vs_btm.ipynb):
- PSNR/SSIM of each block type at each residual-stream width (frac bits = width - 3, i.e.
  the same ±4 range in normalised units as the default 8-bit/frac-5 stream);
- per-layer threshold counts and threshold memory bits of the exported dataflow (width 8);
- near-tie mismatches: the export's verify record (float PyTorch vs the integer graph);
- the whole network in hardware, both at the same folding (the BN build takes the BTM
  build's ``folding.json``): Yosys ``synth_xilinx`` LUT/FF/BRAM/DSP, the requantisers the
  generator chose (BTM: shifts; BN: threshold memories, their bits) and, with ``--hw ecp5``
  or ``both``, the routed Fmax on an ECP5 (``hw.synth``);
- floating-point operations per frame without threshold folding (defined in ``fp_ops``).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


def train_eval(arch: str, width: int, steps: int, data: Path | None, val: Path | None,
               out: Path, extra: list[str]) -> dict:
    from model.data import load_pairs
    from model.evaluate import evaluate_pairs
    from model.registry import model_from_checkpoint
    from model.train import train_or_resume

    run = out / f"{arch}_w{width}"
    args = ["--arch", arch, "--out", str(run), "--steps", str(steps), "--val-every", str(steps),
            "--residual-bits", str(width), "--residual-frac-bits", str(width - 3), "--quiet",
            *extra]
    if data is not None:
        args += ["--data", str(data)]
    train_or_resume(args)  # a rerun reuses finished trainings and resumes interrupted ones
    net, _ = model_from_checkpoint(run / "ckpt.pt")
    r = evaluate_pairs(net, load_pairs(val, net.scale), net.scale, desc=arch)["mean"]
    return {"psnr": r["psnr"], "ssim": r["ssim"], "bicubic_psnr": r["bicubic_psnr"],
            "ckpt": str(run / "ckpt.pt")}


def _acc_range(m, n) -> tuple[int, int]:
    """The integer range a layer's thresholds are compared against: the popcount [0, K] of
    an XNOR MVAU, the dot-product range of an integer MVAU, the input range of a
    Thresholding layer. Thresholds outside it act like its bounds."""
    from qonnx.custom_op.registry import getCustomOp

    inst = getCustomOp(n)
    idt = inst.get_input_datatype()
    if n.op_type.startswith("MVAU"):
        w = m.get_initializer(n.input[1]).astype(np.int64)
        if inst.get_nodeattr("binaryXnorMode"):
            return 0, int(w.shape[0])
        lo = np.minimum(w * idt.min(), w * idt.max()).sum(0).min()
        hi = np.maximum(w * idt.min(), w * idt.max()).sum(0).max()
        return int(lo), int(hi)
    return int(idt.min()), int(idt.max())


def export_figures(ckpt: str, out: Path) -> dict:
    """Verify record and threshold memory of the exported dataflow (python-executable graph).

    Threshold memory counts, per layer, the bits a threshold needs once clipped to the
    range its accumulator can reach (``_acc_range``: a threshold beyond it decides the same
    as the bound), times the number of thresholds; FINN declares INT32 for all of them.
    The golden set is 5 real crops and 5 random 32x32 images: the near-tie count of a BN
    model is a rare event, measured on ~1.3 M threshold decisions per image set.
    """

    from export.config import ExportConfig
    from export.flow import run_export

    b = out / ("build_" + Path(ckpt).parent.name)
    run_export(ExportConfig(ckpt=Path(ckpt), out=b, input_hw=(32, 32), golden_real=5,
                            golden_random=5))
    verify = json.loads((b / "verify.json").read_text())
    # the folded dataflow, after FINN's MinimizeAccumulatorWidth narrowed the thresholds
    from export import paths

    m = paths.load(next((b / "partitions").glob("*.onnx")), b)
    layers = []
    for n in m.graph.node:
        k = 2 if n.op_type.startswith("MVAU") else 1
        if n.op_type.startswith(("MVAU", "Thresholding")) and len(n.input) > k:
            t = m.get_initializer(n.input[k])
            dt = m.get_tensor_datatype(n.input[k])
            lo, hi = _acc_range(m, n)
            tc = np.clip(t, lo, hi + 1)
            tlo, thi = int(tc.min()), int(tc.max())
            need = max(max(tlo.bit_length(), thi.bit_length()) + (1 if tlo < 0 else 0), 1)
            layers.append({"name": n.name, "op_type": n.op_type, "thresholds": int(t.size),
                           "datatype": dt.name, "bits_declared": int(t.size * dt.bitwidth()),
                           "acc_range": [lo, hi], "value_bits": need, "bits": int(t.size * need)})
    return {"verify": verify, "max_mismatches": max(r["mismatches"] or 0 for r in verify),
            "compared": max(r["compared"] for r in verify), "threshold_layers": layers}


def hardware_builds(ckpts: dict, out: Path, hw: int, fps: float) -> dict:
    """Export both checkpoints at the same folding (the BTM build's, from ``--target-fps``)
    into ``out/hw_btm`` and ``out/hw_bn``."""
    from export.config import ExportConfig
    from export.flow import run_export

    builds, folding = {}, None
    for blk in ("btm", "bn"):
        b = out / f"hw_{blk}"
        run_export(ExportConfig(ckpt=Path(ckpts[blk]), out=b, input_hw=(hw, hw),
                                target_fps=None if folding else fps, folding=folding,
                                golden_real=1, golden_random=1))
        folding = folding or b / "folding.json"
        builds[blk] = b
    return builds


def hardware_figures(ckpts: dict, out: Path, hw: int, fps: float, targets: list[str],
                     reuse: bool = False, seeds: int = 1) -> dict:
    """Both networks at the same folding (``hardware_builds``), synthesised whole: per block
    type the totals, the requantisers and (ECP5) the device and routed Fmax. ``reuse``: take
    finished builds and their ``synth/TARGET/synth.json`` as they are (a rerun after the
    synthesis ran apart, e.g. in parallel). ``seeds`` > 1: ECP5 placed with nextpnr seeds
    1..N, each Fmax and the median kept (placement alone moves Fmax by several MHz)."""
    from hw.synth import synth_network

    done = {blk: out / f"hw_{blk}" for blk in ("btm", "bn")}
    if not (reuse and all((b / "DONE").is_file() for b in done.values())):
        done = hardware_builds(ckpts, out, hw, fps)
    res = {}
    for blk, b in done.items():
        rec = {"build": str(b)}
        for t in targets:
            f = b / "synth" / t / "synth.json"
            if reuse and f.is_file():
                r = json.loads(f.read_text())
            else:
                r = synth_network(b, target=t, progress=lambda m: print(m, flush=True),
                                  seeds=seeds)   # seeds place ECP5 only
            rec[t] = {"total": r["total"], "fifo_bits": r["fifo_bits"],
                      **{k: r.get(k) for k in ("device", "fmax_mhz", "fits", "fmax_by_seed",
                                               "fmax_median") if k in r}}
            rq = r["requantisers"]
            rec["requantisers"] = {
                "arithmetic": sum(q["requantiser"] == "arithmetic" for q in rq),
                "threshold memory": sum(q["requantiser"] == "threshold memory" for q in rq),
                "threshold_memory_bits": sum(q["memory_bits"] for q in rq)}
        res[blk] = rec
    return res


def fp_ops(cfg: dict, block: str, h: int, w: int) -> int:
    """Floating-point operations per LR frame of the residual body if nothing were folded
    into thresholds: per element and block, the α scaling (1 mul), the normalisation (BN:
    mul + add = 2; BTM PReLU: 1 mul) and the requantisation to the stream (mul + round = 2)."""
    per_elem = 1 + (2 if block == "bn" else 1) + 2
    return per_elem * h * w * cfg["channels"] * cfg["blocks"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3000, help="training steps per model (same budget)")
    ap.add_argument("--widths", default="12,10,8,6,4", help="residual-stream widths")
    ap.add_argument("--channels", type=int, default=32)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80" if DATASETS.is_dir() else None)
    ap.add_argument("--val", type=Path, default=DATASETS / "Set5" if DATASETS.is_dir() else None)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "bn_vs_btm")
    ap.add_argument("--threads", type=int, default=0, help="torch threads per training (0: default)")
    ap.add_argument("--hw", choices=("xilinx", "ecp5", "both", "none"), default="both",
                    help="whole-network synthesis of both block types (ecp5: place and route)")
    ap.add_argument("--hw-size", type=int, default=32, help="frame size of the hardware builds")
    ap.add_argument("--hw-fps", type=float, default=1000, help="folding target of the hardware builds")
    ap.add_argument("--hw-seeds", type=int, default=1,
                    help="ECP5: place with nextpnr seeds 1..N, report each Fmax and the median")
    ap.add_argument("--hw-reuse", action="store_true",
                    help="reuse finished hardware builds and their synth.json (synthesis run apart)")
    a = ap.parse_args(argv)
    # "builtin": scikit-image's bundled photographs (the tests' small run)
    a.data = None if str(a.data) in ("builtin", "None") else a.data
    a.val = None if str(a.val) in ("builtin", "None") else a.val
    from model.registry import config_for

    a.out.mkdir(parents=True, exist_ok=True)
    widths = [int(w) for w in a.widths.split(",")]
    extra = ["--channels", str(a.channels), "--blocks", str(a.blocks), "--batch", str(a.batch),
             "--patch", str(a.patch)] + (["--threads", str(a.threads)] if a.threads else [])
    res = {"steps": a.steps, "widths": widths, "channels": a.channels, "blocks": a.blocks,
           "accuracy": {}, "export": {}, "hardware": {}, "fp_ops_per_frame": {}}
    for blk in ("btm", "bn"):
        arch = f"edsr_{blk}_x2_c32_b4"
        res["accuracy"][blk] = {}
        for wd in widths:
            r = train_eval(arch, wd, a.steps, a.data, a.val, a.out, extra)
            res["accuracy"][blk][str(wd)] = r
            print(f"[bn_vs_btm] {blk} width {wd}: {r['psnr']:.2f} dB", flush=True)
        ref = res["accuracy"][blk].get("8") or next(iter(res["accuracy"][blk].values()))
        res["export"][blk] = export_figures(ref["ckpt"], a.out)
        cfg = dict(config_for(arch), channels=a.channels, blocks=a.blocks)
        res["fp_ops_per_frame"][blk] = fp_ops(cfg, blk, 32, 32)
    if a.hw != "none":
        ckpts = {blk: (res["accuracy"][blk].get("8") or next(iter(res["accuracy"][blk].values())))["ckpt"]
                 for blk in ("btm", "bn")}
        targets = ["xilinx", "ecp5"] if a.hw == "both" else [a.hw]
        res["hardware"] = hardware_figures(ckpts, a.out, a.hw_size, a.hw_fps, targets, a.hw_reuse,
                                           a.hw_seeds)
        res["hardware"]["size"], res["hardware"]["fps"] = a.hw_size, a.hw_fps
    from model.evaluate import write_json_atomic

    write_json_atomic(res, a.out / "results.json")
    print(json.dumps({k: res[k] for k in ("hardware", "fp_ops_per_frame")}, indent=2))
    print(f"wrote {a.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
