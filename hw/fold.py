# SPDX-License-Identifier: MIT
"""Folding for a device: the highest pixel rate whose hardware fits, predicted by the
resource model of our RTL (``hw.resmodel``, calibrated on Yosys), not FINN's estimates.

    python -m hw.fold --build B --device LFE5U-85F --clock-mhz 100 [--fps 60]
                      [--cycles N] [--out folding.json]

With ``--fps``, the cheapest folding that reaches that frame rate at the clock instead (the
most clocks per pixel that still does), if it fits.

``--build``: an export of the network at the frame size to fold for (any folding: only the
layer shapes are read; e.g. ``export/to_finn.py --input-hw 540 960 --verify-hw 16 16
--target-fps 1 --no-cppsim``). For each number of clocks per LR pixel c, from the fastest up,
every layer gets the folding that meets c with the fewest lanes (an MVAU: SIMD x PE with
(MW/SIMD)(MH/PE) <= c; a sliding window: FINN's parallel window when its consumer needs a
window in fewer clocks than its taps; the element-wise layers: PE channels per clock), the
generator builds the design (hw.gen, the device's multiplier budget applied) and the model
predicts each layer and buffer; the first c that fits the device is the answer. Writes the
folding in FINN's format (``export/to_finn.py --folding``) and prints the rate, frames/s at
the clock and the predicted use of every resource; if nothing fits, one line says what is
over and by how much at the slowest folding.
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import copy
import sys
from pathlib import Path

from model.cli import ToolkitParser, positive_float, positive_int
from model.errors import ToolkitError


class FoldError(ToolkitError):
    """A build or an argument the search cannot use."""


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _channels(model, node) -> int:
    return int(model.get_tensor_shape(node.output[0])[-1])


def pixel_cycles(model, node) -> int | None:
    """Clocks a folded node takes per pixel of its output (None: not a folded node)."""
    from qonnx.custom_op.registry import getCustomOp

    i = getCustomOp(node)
    op = node.op_type
    if op.startswith("MVAU"):
        return (i.get_nodeattr("MW") // i.get_nodeattr("SIMD")) * \
            (i.get_nodeattr("MH") // i.get_nodeattr("PE"))
    if op.startswith("ConvolutionInputGenerator"):
        if i.get_nodeattr("parallel_window"):
            return 1
        kh, kw = i.get_nodeattr("ConvKernelDim")
        return kh * kw * i.get_nodeattr("IFMChannels") // i.get_nodeattr("SIMD")
    if op.startswith("FMPadding"):
        return i.get_nodeattr("NumChannels") // i.get_nodeattr("SIMD")
    if op.startswith("StreamingConcat"):
        return sum(i.get_nodeattr("ChannelsPerStream")) // i.get_nodeattr("SIMD")
    if "PE" in i.get_nodeattr_types():
        return _channels(model, node) // i.get_nodeattr("PE")
    return None


def fold_for(model, c: int) -> dict:
    """Per node, the folding that meets ``c`` clocks per pixel at the least cost: an MVAU's
    fewest synapses per clock (then lanes) with (MW/SIMD)(MH/PE) <= c, a window's SIMD
    matching what its consumer takes (parallel when the consumer needs a window in fewer
    clocks than the window's taps), the other layers' smallest PE or SIMD that meets c.
    Returns FINN's folding format ({node: {attr: value}})."""
    from qonnx.custom_op.registry import getCustomOp

    out: dict = {}
    for n in model.graph.node:
        i = getCustomOp(n)
        op = n.op_type
        if op.startswith("MVAU"):
            simd, pe = _mvau_fold(i.get_nodeattr("MW"), i.get_nodeattr("MH"), c)
            out[n.name] = {"SIMD": simd, "PE": pe}
        elif op.startswith("ConvolutionInputGenerator"):
            ch = i.get_nodeattr("IFMChannels")
            kh, kw = i.get_nodeattr("ConvKernelDim")
            cons = model.find_consumers(n.output[0]) or []
            need = min((_consumer_clocks(model, cn, c) for cn in cons), default=c)
            if kh * kw > need:
                out[n.name] = {"SIMD": ch, "parallel_window": 1}
            else:
                simd = next(s for s in _divisors(ch) if kh * kw * ch // s <= need)
                out[n.name] = {"SIMD": simd, "parallel_window": 0}
        elif op.startswith("FMPadding"):
            ch = i.get_nodeattr("NumChannels")
            out[n.name] = {"SIMD": next(s for s in _divisors(ch) if ch // s <= c)}
        elif op.startswith("StreamingConcat"):
            tot = sum(i.get_nodeattr("ChannelsPerStream"))
            simd = next(s for s in _divisors(min(i.get_nodeattr("ChannelsPerStream")))
                        if tot // s <= c)
            out[n.name] = {"SIMD": simd}
        elif "PE" in i.get_nodeattr_types():
            ch = _channels(model, n)
            out[n.name] = {"PE": next(p for p in _divisors(ch) if ch // p <= c)}
    return out


def _mvau_fold(mw: int, mh: int, c: int) -> tuple[int, int]:
    """(SIMD, PE) of an MVAU meeting c clocks per vector with the fewest synapses per clock
    (SIMD x PE: the XNOR bits, products or terms that cost logic), then the fewest lanes."""
    return min(((s, p) for p in _divisors(mh) for s in _divisors(mw)
                if (mw // s) * (mh // p) <= c), key=lambda sp: (sp[0] * sp[1], sp[1]))


def _consumer_clocks(model, node, c: int) -> int:
    """Clocks per window of a window's consumer at the target c (an MVAU folded for c)."""
    from qonnx.custom_op.registry import getCustomOp

    if not node.op_type.startswith("MVAU"):
        return c
    i = getCustomOp(node)
    mw, mh = i.get_nodeattr("MW"), i.get_nodeattr("MH")
    simd, pe = _mvau_fold(mw, mh, c)
    return (mw // simd) * (mh // pe)


def apply_folding(model, folding: dict):
    """A copy of the partition with ``folding`` set (FINN attributes)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.custom_op.registry import getCustomOp

    m = ModelWrapper(copy.deepcopy(model.model))
    for n in m.graph.node:
        for k, v in folding.get(n.name, {}).items():
            getCustomOp(n).set_nodeattr(k, v)
    return m


def candidate_cycles(model) -> list[int]:
    """Clocks per pixel the network's MVAUs can be folded to, fastest first."""
    from qonnx.custom_op.registry import getCustomOp

    cs = set()
    for n in model.graph.node:
        if n.op_type.startswith("MVAU"):
            i = getCustomOp(n)
            cs |= {a * b for a in _divisors(i.get_nodeattr("MW")) for b in _divisors(i.get_nodeattr("MH"))}
    return sorted(cs)


def predict_design(model, folding: dict, device, rm) -> dict:
    """The design hw.gen builds for ``folding`` (the device's multiplier budget applied)
    and the resource model's prediction of each layer and buffer."""
    from hw.gen import design_of
    from hw.gen.emit import Context

    m = apply_folding(model, folding)
    ctx = Context(m, "", "ours", device.family, dsp_left=device.multipliers)
    d = design_of(m, ctx)
    return rm.predict_design(d)


#: the resource classes the model fits (scaled by its margin before a device is compared)
FITTED = ("LUT4", "LUT", "CARRY", "FF", "LUTRAM")


def search(model, device, clock_mhz: float, fps: float | None = None, rm=None,
           cycles: int | None = None, progress=print) -> dict:
    """Without ``fps``: the fastest folding whose predicted hardware fits ``device``. With
    ``fps``: the cheapest folding that reaches it at the clock (the most clocks per pixel
    that still does), if it fits. ``cycles``: exactly that folding. Returns the record
    (folding, prediction, rate); when nothing fits, ``fits`` is False and the record is the
    slowest folding tried, ``why`` saying by how much it misses."""
    from hw.devices import fits
    from hw.resmodel import ResourceModel

    rm = rm or ResourceModel.load(device.family)
    _, h, w, _ = model.get_tensor_shape(model.graph.input[0].name)
    tried = []
    cands = [cycles] if cycles else candidate_cycles(model)
    if fps and not cycles:
        cmax = clock_mhz * 1e6 / (fps * h * w)
        slow = [c for c in cands if c <= cmax]
        if not slow:
            return {"fits": False, "device": device.name, "tried": [], "clock_mhz": clock_mhz,
                    "frame_hw": [h, w], "why": f"{fps:g} frames/s of {w}x{h} need at most "
                    f"{cmax:.2f} clocks per pixel at {clock_mhz:g} MHz; the fastest folding "
                    f"takes {cands[0]}"}
        cands = [max(slow)]
    # the fitted classes get the model's headroom (benchmarks/resource_model.py MARGIN);
    # block RAMs and multipliers are counted exactly
    margin = float(rm.meta.get("margin", 0.0))
    for c in cands:
        folding = fold_for(model, c)
        pred = predict_design(model, folding, device, rm)
        ok, why = fits({k: v * (1 + margin) if k in FITTED else v
                        for k, v in pred["total"].items()}, device)
        if why and margin:
            why += f" (predicted LUT/FF with the model's {margin:.0%} margin)"
        px_rate = clock_mhz * 1e6 / c
        rec = {"cycles_per_pixel": c, "pixels_per_s": px_rate, "fps": px_rate / (h * w),
               "fits": ok, "why": why, "predicted": pred, "folding": folding}
        tried.append({k: rec[k] for k in ("cycles_per_pixel", "fits", "why")})
        progress(f"[fold] {c} clocks/pixel: {px_rate / 1e6:.2f} M pixels/s, "
                 f"{rec['fps']:.1f} frames/s at {clock_mhz:g} MHz: " + ("fits" if ok else why))
        if ok:
            rec.update(device=device.name, clock_mhz=clock_mhz, frame_hw=[h, w], tried=tried,
                       meets_fps=None if fps is None else rec["fps"] >= fps)
            return rec
    # none fits: the record of the last (slowest) folding tried, with its prediction
    rec.update(device=device.name, clock_mhz=clock_mhz, frame_hw=[h, w], tried=tried,
               meets_fps=None if fps is None else rec["fps"] >= fps)
    return rec


def main(argv=None) -> int:
    ap = ToolkitParser(prog="python -m hw.fold", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True,
                    help="an export at the frame size to fold for (any folding)")
    ap.add_argument("--device", required=True, help="e.g. LFE5U-85F, xc7z020")
    ap.add_argument("--clock-mhz", type=positive_float, required=True,
                    help="the clock the design is to run at")
    ap.add_argument("--fps", type=positive_float, help="frames/s to reach: the cheapest folding "
                    "that reaches it (default: the fastest folding that fits)")
    ap.add_argument("--cycles", type=positive_int, help="fold for exactly this many clocks per "
                    "pixel instead of searching")
    ap.add_argument("--out", type=Path, help="folding JSON to write (default BUILD/device_folding.json)")
    a = ap.parse_args(argv)
    try:
        from hw.devices import device as get_device
        from hw.gen import load_partition

        dev = get_device(a.device)
        model, _ = load_partition(a.build)
        rec = search(model, dev, a.clock_mhz, a.fps, cycles=a.cycles)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not rec["fits"]:
        print(f"no folding of {a.build} fits {dev.name}: at the slowest folding tried, "
              f"{rec['why']}", file=sys.stderr)
        return 1
    out = a.out or a.build / "device_folding.json"
    from model.evaluate import write_json_atomic

    write_json_atomic(rec["folding"], out)
    write_json_atomic({k: v for k, v in rec.items() if k != "folding"},
                      out.with_name(out.stem + "_prediction.json"))
    t = rec["predicted"]["need"]
    print(f"{dev.name}: {rec['cycles_per_pixel']} clocks per LR pixel, "
          f"{rec['pixels_per_s'] / 1e6:.2f} M pixels/s, {rec['fps']:.1f} frames/s at "
          f"{a.clock_mhz:g} MHz for {rec['frame_hw'][1]}x{rec['frame_hw'][0]}; predicted "
          + ", ".join(f"{k} {v:.0f}/{dev.budget[k]}" for k, v in t.items()) + f"; -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
