# SPDX-License-Identifier: MIT
"""Upscale a whole picture with the RTL of a build and compare every pixel with PyTorch.

    python -m hw.upscale --build build/NAME IN.png OUT.png [--pause P] [--json FILE] [--jobs N]

The picture streams through the build's stitched RTL (Verilator, the C++ harness of
``hw.sim.fast``). A picture larger than the build's frame is cut into frame-size tiles that
overlap by the network's receptive radius R on each inner side; of every tile only the
output rows and columns at least R pixels from an inner tile edge are kept, so the result
equals the PyTorch model run on the whole picture (the hardware's zero padding falls only on
the picture's own borders). A picture smaller than the frame needs a build of its size
(``export/to_finn.py --input-hw H W --verify-hw 32 32``): padding it would change its border.

Prints and writes (``--json``) the mismatches against PyTorch over every output pixel, the
cycles, cycles per frame beside FINN's estimate, and frames/s at the build's clock.
``--jobs N`` simulates the tiles in N processes of the one compiled simulator (the
wall time of a 960x540 photograph on a frame-size build falls about N-fold).
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from model.errors import ToolkitError
from model.cli import ToolkitParser, positive_int, probability


class UpscaleError(ToolkitError):
    """A picture the build cannot take (bad input, exit code 2)."""


def receptive_radius(net) -> int:
    """An upper bound of the network's receptive radius in LR pixels: the sum over its
    convolutions of dilation * (kernel - 1) / 2 per axis, the larger axis. Exact for the
    chain-shaped EDSR/BTM nets; conservative for branched blocks (MRB, ABC)."""
    import torch

    r = [0, 0]
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            for a in (0, 1):
                r[a] += m.dilation[a] * (m.kernel_size[a] - 1) // 2
    return max(r)


def tile_origins(size: int, frame: int, radius: int) -> list[tuple[int, int, int]]:
    """Tiles along one axis: (origin, keep_from, keep_to) in picture coordinates; the kept
    ranges partition [0, size) and each lies at least ``radius`` from an inner tile edge."""
    if size < frame:
        raise UpscaleError(f"picture side {size} is smaller than the build's frame {frame}")
    if size == frame:
        return [(0, 0, size)]
    step = frame - 2 * radius
    if step <= 0:
        raise UpscaleError(f"the build's frame ({frame}) is too small to tile with the network's "
                           f"receptive radius {radius}: export a frame larger than {2 * radius}")
    tiles, o, keep = [], 0, 0
    while True:
        o = min(o, size - frame)
        end = size if o + frame >= size else o + frame - radius
        tiles.append((o, keep, end))
        if end >= size:
            return tiles
        keep, o = end, end - radius


def upscale(build: Path, image: np.ndarray, work: Path, pause: float = 0.0, seed: int = 1,
            jobs: int = 1, fifo_stage_words: int | None = None, dsp_sums: bool = False) -> dict:
    """Run (h, w, 3) uint8 ``image`` through the build's RTL in tiles (``jobs`` simulator
    processes at a time); returns {"output": (3, sH, sW) int array, "reference": PyTorch's,
    "mismatches", "tiles", ...}."""
    import torch

    from hw.gen import load_partition
    from hw.sim.network import run_network
    from model.registry import model_from_checkpoint

    build = Path(build).resolve()
    load_partition(build)
    from export.config import build_config

    cfg = build_config(build)
    fh, fw = cfg["input_hw"]
    net, _ = model_from_checkpoint(Path(cfg["ckpt"]))
    s = net.scale
    h, w = image.shape[:2]
    if h < fh or w < fw:
        raise UpscaleError(f"the picture ({w}x{h}) is smaller than the build's frame ({fw}x{fh}); "
                           f"export a build of its size (export/to_finn.py --input-hw {h} {w} "
                           "--verify-hw 32 32)")
    rad = receptive_radius(net)
    ty, tx = tile_origins(h, fh, rad), tile_origins(w, fw, rad)
    x = image.transpose(2, 0, 1)
    tiles = np.stack([x[:, oy:oy + fh, ox:ox + fw] for oy, _, _ in ty for ox, _, _ in tx])
    t0 = time.time()
    # one tile: stream it twice, so that the steady frame interval is measured
    frames = np.concatenate([tiles, tiles]) if len(tiles) == 1 else tiles
    r = run_network(build, frames, work, pause, pause, engine="verilator", seed=seed,
                    jobs=jobs, fifo_stage_words=fifo_stage_words, dsp_sums=dsp_sums)
    sim_s = time.time() - t0
    out = np.zeros((3, h * s, w * s), np.int64)
    k = 0
    for oy, y0, y1 in ty:
        for ox, x0, x1 in tx:
            t = r["outputs"][k]
            out[:, y0 * s:y1 * s, x0 * s:x1 * s] = t[:, (y0 - oy) * s:(y1 - oy) * s,
                                                      (x0 - ox) * s:(x1 - ox) * s]
            k += 1
    with torch.no_grad():
        ref = net(torch.from_numpy(x[None].astype(np.float32))).numpy()[0].astype(np.int64)
    clk_mhz = 1e3 / float(cfg["clock_ns"])
    cpf = r["cycles_per_frame"]
    return {"output": out, "reference": ref, "mismatches": int((out != ref).sum()),
            "compared": int(out.size), "picture_hw": [h, w], "frame_hw": [fh, fw],
            "receptive_radius": rad, "tiles": len(tiles), "cycles": int(r["cycles"]),
            "cycles_per_frame": int(cpf), "finn_bottleneck_cycles": r["finn_bottleneck_cycles"],
            "ratio_measured_to_estimate": cpf / max(r["finn_bottleneck_cycles"], 1),
            "clock_mhz": clk_mhz, "frames_per_s": clk_mhz * 1e6 / cpf,
            "pictures_per_s": clk_mhz * 1e6 / (cpf * len(tiles)),
            "sim_cycles_per_s": r["cycles_per_s"], "sim_seconds": sim_s, "jobs": jobs}


def comparison(lr: np.ndarray, rtl: np.ndarray, ref: np.ndarray, hr: np.ndarray, scale: int,
               path: Path) -> dict:
    """One picture a person opens first: bicubic | PyTorch model | RTL | HR side by side,
    each captioned with its Y-channel PSNR against the HR (``scale`` pixels shaved)."""
    from PIL import Image, ImageDraw

    from model.data import bicubic_resize
    from model.metrics import psnr_y

    h, w = lr.shape[0] * scale, lr.shape[1] * scale
    if hr.shape[0] < h or hr.shape[1] < w:
        raise UpscaleError(f"the HR picture ({hr.shape[1]}x{hr.shape[0]}) is smaller than "
                           f"{scale} x the LR picture ({w}x{h})")
    hr = hr[:h, :w]
    panels = {"bicubic": bicubic_resize(lr, (h, w)),
              "PyTorch": np.clip(ref, 0, 255).astype(np.uint8).transpose(1, 2, 0),
              "RTL (Verilator)": np.clip(rtl, 0, 255).astype(np.uint8).transpose(1, 2, 0),
              "HR": hr}
    psnr = {k: (psnr_y(hr, v, scale) if k != "HR" else None) for k, v in panels.items()}
    cap = 18
    canvas = Image.new("RGB", (4 * w + 30, h + cap), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (k, v) in enumerate(panels.items()):
        canvas.paste(Image.fromarray(v), (i * (w + 10), cap))
        draw.text((i * (w + 10) + 2, 3), k + (f"  {psnr[k]:.2f} dB" if psnr[k] is not None else ""),
                  fill="black")
    tmp = Path(path).with_name(Path(path).name + ".tmp.png")
    canvas.save(tmp)
    tmp.replace(path)
    return {k: v for k, v in psnr.items() if v is not None}


#: output picture formats by file suffix (lossless ones keep the RTL's integers exactly)
FORMATS = {".png": "PNG", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF", ".ppm": "PPM",
           ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def image_format(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UpscaleError(f"output {path}: unknown picture type {Path(path).suffix!r}; name it "
                           f"{', '.join(FORMATS)}")
    return fmt


def main(argv=None) -> int:
    ap = ToolkitParser(prog="python -m hw.upscale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("input", type=Path, help="LR picture (PNG/JPEG)")
    ap.add_argument("output", type=Path, help="upscaled picture to write (PNG)")
    ap.add_argument("--pause", type=probability, default=0.0,
                    help="probability of an input gap and of output backpressure per clock")
    ap.add_argument("--json", type=Path, help="write the figures here (default OUTPUT.json)")
    ap.add_argument("--work", type=Path, help="simulation directory (default BUILD/upscale)")
    ap.add_argument("--hr", type=Path, help="the HR picture: also write OUTPUT_compare.png "
                    "(bicubic | PyTorch | RTL | HR with PSNR)")
    ap.add_argument("--jobs", type=positive_int, default=1,
                    help="simulator processes running tiles in parallel (default 1)")
    a = ap.parse_args(argv)
    try:
        from model.cli import output_dir, output_file
        from model.data import load_rgb

        ins = (("the input", a.input), ("--hr", a.hr))
        output_file(a.output, "output", inputs=ins)
        fmt = image_format(a.output)
        json_path = output_file(a.json or a.output.with_suffix(".json"), "--json",
                                inputs=ins + (("the output", a.output),))
        if a.hr:
            output_file(a.output.with_name(a.output.stem + "_compare.png"), "the comparison",
                        inputs=ins)
        work = output_dir(a.work or a.build / "upscale", "--work",
                          own=("rtl", "fastsim", "fastsim_run", "tb.json"), what="simulation run")
        img = load_rgb(a.input)
        hr = load_rgb(a.hr) if a.hr else None
        from hw.gen import load_partition

        load_partition(a.build)        # a finished build before anything is written
        work.mkdir(parents=True, exist_ok=True)
        interrupt.watch(work, what="simulation run")
        rec = upscale(a.build, img, work, a.pause, jobs=a.jobs)
        if hr is not None:
            cmp_path = a.output.with_name(a.output.stem + "_compare.png")
            a.output.parent.mkdir(parents=True, exist_ok=True)
            rec["psnr_y"] = comparison(img, rec["output"], rec["reference"], hr,
                                       rec["output"].shape[1] // img.shape[0], cmp_path)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    from PIL import Image

    from model.evaluate import write_json_atomic

    a.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.output.with_name("." + a.output.name + ".tmp")
    Image.fromarray(np.clip(rec.pop("output"), 0, 255).astype(np.uint8).transpose(1, 2, 0)).save(
        tmp, format=fmt)
    tmp.replace(a.output)
    rec.pop("reference")
    write_json_atomic(rec, json_path)
    print(f"{a.input.name}: {rec['picture_hw'][1]}x{rec['picture_hw'][0]} in {rec['tiles']} tile(s) of "
          f"{rec['frame_hw'][1]}x{rec['frame_hw'][0]} (overlap {rec['receptive_radius']}): "
          f"{rec['mismatches']} mismatches of {rec['compared']} against PyTorch; "
          f"{rec['cycles_per_frame']} cycles/frame ({rec['ratio_measured_to_estimate']:.4f} x FINN's "
          f"estimate), {rec['frames_per_s']:.1f} frames/s at {rec['clock_mhz']:.0f} MHz; simulated "
          f"at {rec['sim_cycles_per_s'] / 1e3:.0f} k cycles/s -> {a.output}")
    if "psnr_y" in rec:
        print("PSNR (Y) against the HR: " + ", ".join(f"{k} {v:.2f} dB" for k, v in rec["psnr_y"].items())
              + f" -> {a.output.with_name(a.output.stem + '_compare.png')}")
    return 0 if rec["mismatches"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
