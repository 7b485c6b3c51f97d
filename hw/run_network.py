# SPDX-License-Identifier: MIT
"""Run the stitched RTL network (Verilator + cocotb) on images and compare with PyTorch.

    python -m hw.run_network --build build/NAME [--image img.png] [--out DIR]

Without ``--image`` the export's golden inputs are used. Writes the output image(s) as PNG,
``rtl_run.json`` with the mismatch count against the PyTorch model and the cycles per frame
(measured, beside FINN's bottleneck estimate).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .host import image_to_words, words_to_image
from .sim_env import setup_verilator
from .stitch import stitch

ROOT = Path(__file__).resolve().parents[1]


def run_network(build: Path, images: np.ndarray, out: Path, pause_in: float = 0.2,
                pause_out: float = 0.2, after_stitch=None) -> dict:
    """Simulate the stitched network on ``images`` (N, 3, h, w) uint8.

    ``after_stitch(rtl_dir)``, when given, runs between generation and simulation (the
    negative control uses it to flip a weight bit in a memory file).

    Returns:
        {"outputs": (N, 3, H, W) int array, "frame_done_cycles": [...], "cycles_per_frame": ...}
    """
    from cocotb_tools.runner import get_results, get_runner

    setup_verilator()
    # absolute: the simulator runs in the bench's directory, not in the caller's
    build, out = Path(build).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    info = stitch(build, out / "rtl")
    if after_stitch is not None:
        after_stitch(out / "rtl")
    cfg = json.loads((build / "config.json").read_text())
    from model.registry import load_checkpoint

    scale = load_checkpoint(Path(cfg["ckpt"]))["config"]["scale"]
    _, h, w, c = info["out"]["shape"]
    ie, ib = info["in"]["elems"], info["in"]["bits"]
    oe, ob = info["out"]["elems"], info["out"]["bits"]
    per_frame = h * w * c // oe
    words = [[f"{x:x}" for x in image_to_words(img, ie, ib)] for img in images]
    est = json.loads((build / "estimates.json").read_text())["totals"]
    tb = {"in_words": words, "in_width": ie * ib, "out_width": oe * ob,
          "out_words_per_frame": per_frame, "pause_in": pause_in, "pause_out": pause_out,
          "cycle_limit": int(20 * est["bottleneck_cycles"] * (len(images) + 2)) + 20000}
    (out / "tb.json").write_text(json.dumps(tb))
    sim = out / "sim"
    runner = get_runner("verilator")
    runner.build(sources=info["files"], hdl_toplevel="sr_top", build_dir=str(sim),
                 timescale=("1ns", "1ps"), always=True,
                 build_args=["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-PINMISSING",
                             "-Wno-UNUSEDSIGNAL", "-Wno-LATCH", "-Wno-SELRANGE", "-Wno-ASCRANGE",
                             ])
    results = sim / "results.xml"
    results.unlink(missing_ok=True)
    try:
        runner.test(hdl_toplevel="sr_top", test_module="tb_network",
                    test_dir=str(ROOT / "rtl_tests" / "network"), build_dir=str(sim),
                    results_xml=str(results),
                    extra_env={"TB_DATA": str(out / "tb.json"), "TB_OUT": str(out / "tb_out.json"),
                               "PYTHONPATH": str(ROOT)})
    except SystemExit:
        pass
    n_tests, n_fail = get_results(results)
    if n_fail or not (out / "tb_out.json").is_file():
        raise RuntimeError(f"RTL simulation of {build} failed (see {sim})")
    res = json.loads((out / "tb_out.json").read_text())
    got = [int(x, 16) for x in res["words"]]
    outs = np.stack([words_to_image(got[i * per_frame:(i + 1) * per_frame], oe, ob,
                                    info["out"]["signed"], (h, w, c), scale)
                     for i in range(len(images))])
    done = res["frame_done_cycles"]
    steady = done[-1] - done[-2] if len(done) > 1 else done[-1]
    return {"outputs": outs, "frame_done_cycles": done, "cycles_per_frame": steady,
            "finn_bottleneck_cycles": est["bottleneck_cycles"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("--image", type=Path, help="an LR image (cropped to the build's input size)")
    ap.add_argument("--out", type=Path, help="default: BUILD/rtl_run")
    ap.add_argument("--pause-in", type=float, default=0.0, help="probability of an input gap")
    ap.add_argument("--pause-out", type=float, default=0.0, help="probability of output backpressure")
    a = ap.parse_args(argv)
    out = a.out or a.build / "rtl_run"
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

    cfg = json.loads((a.build / "config.json").read_text())
    net, _ = model_from_checkpoint(Path(cfg["ckpt"]))
    with torch.no_grad():
        ref = net(torch.from_numpy(x.astype(np.float32))).numpy().astype(np.int64)
    # run two frames back to back so the steady-state frame interval is measured
    frames = np.concatenate([x, x[:1]]) if len(x) == 1 else x
    r = run_network(a.build, frames, out, a.pause_in, a.pause_out)
    y = r["outputs"][: len(x)]
    mism = int((y != ref).sum())
    from PIL import Image

    for i, img in enumerate(y):
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8).transpose(1, 2, 0)).save(out / f"rtl_out_{i}.png")
    rec = {"images": len(x), "compared": int(y.size), "mismatches": mism,
           "cycles_per_frame": r["cycles_per_frame"], "frame_done_cycles": r["frame_done_cycles"],
           "finn_bottleneck_cycles": r["finn_bottleneck_cycles"],
           "ratio_measured_to_estimate": r["cycles_per_frame"] / max(r["finn_bottleneck_cycles"], 1)}
    (out / "rtl_run.json").write_text(json.dumps(rec, indent=2))
    print(json.dumps(rec, indent=2))
    return 0 if mism == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
