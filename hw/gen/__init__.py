# SPDX-License-Identifier: MIT
"""The RTL generator: a folded FINN build -> a stitched SystemVerilog dataflow.

    data:    design.Design (layers of core instances, edges with converters and FIFOs)
    emit:    one emitter per FINN op type (registry ``emit.EMITTERS``)
    passes:  padding absorbed into sliding windows, edges, FIFO depths from branch latency
    render:  the one renderer (text)

``generate`` runs them in that order and writes ``sr_top.sv``, the memory files,
``filelist.txt``, ``stitch.json`` (streams, layers, FIFOs) and ``requant.json`` (per node
the requantiser chosen and why).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from .design import Design, Layer
from .emit import EMITTERS, Context, in_stream, out_stream
from .errors import StitchError
from .literals import write_text
from .passes import (WIRE_MIN_BITS, absorbed_padding, connect, fifo_bits, registered_ready,
                     size_fifos)
from .render import TOP, render, source_files

__all__ = ["StitchError", "generate", "load_partition", "design_of", "layer_top"]


def load_partition(build: Path):
    """The folded dataflow partition of a finished export (refuses unfinished ones)."""
    from export.finn_env import finn_env

    build = Path(build)
    if not build.is_dir():
        raise StitchError(f"{build}: no such build directory; run export/to_finn.py --out {build}")
    if (build / "FAILED.txt").is_file():
        why = (build / "FAILED.txt").read_text().strip().splitlines()[:1]
        raise StitchError(f"{build}: the export failed ({why[0] if why else 'see FAILED.txt'}); "
                          "fix it and export again before generating RTL")
    if (build / "STOPPED.txt").is_file():
        why = (build / "STOPPED.txt").read_text().strip().splitlines()[:1]
        raise StitchError(f"{build}: a partial export ({why[0] if why else 'see STOPPED.txt'}); "
                          "run it to the end first")
    if not (build / "DONE").is_file():
        raise StitchError(f"{build}: the export did not finish (no DONE); run export/to_finn.py "
                          "to the end first")
    from export.config import build_config

    build_config(build, need_ckpt=False)   # a readable configuration
    parts = sorted((build / "partitions").glob("*.onnx"))
    if len(parts) != 1:
        raise StitchError(f"{build}: expected one dataflow partition, found {len(parts)}; "
                          "export again")
    finn_env(build)
    from export import paths

    return paths.load(parts[0], build), parts[0]


def design_of(model, ctx: Context, source: str = "") -> Design:
    """Emit every node of the partition and connect and size the edges."""
    if ctx.sliding_window == "ours":
        ctx.pads = absorbed_padding(model)
    absorbed = {p.name for p in ctx.pads.values()}
    layers = []
    for node in model.graph.node:
        if node.name in absorbed:
            continue
        emit = EMITTERS.get(node.op_type)
        if emit is None:
            raise StitchError(f"node {node.name} ({node.op_type}) has no RTL implementation in "
                              f"hw/rtl; supported: {', '.join(sorted(EMITTERS))}")
        layers.append(emit(ctx, node))
    gin, gout = model.graph.input[0].name, model.graph.output[0].name
    first = model.find_consumer(gin)
    s_in = in_stream(first)
    s_out = out_stream(model.find_producer(gout))
    _, h, w, _ = model.get_tensor_shape(gin)
    d = Design(layers, connect(layers, gin, gout, s_in, s_out), s_in, s_out, (h, w), source)
    size_fifos(d, ctx.wire_min_bits, ctx.fifo_stage_words)
    registered_ready(d, frame_cycles(model),
                     {e.tensor: math.prod(model.get_tensor_shape(e.tensor)[:-1]) for e in d.edges})
    return d


def frame_cycles(model) -> int:
    """FINN's estimate of the partition's clocks per frame: its slowest node's expected
    cycles (``get_exp_cycles``, as FINN's ``exp_cycles_per_layer`` analysis)."""
    from qonnx.custom_op.registry import getCustomOp

    return max(int(getCustomOp(n).get_exp_cycles()) for n in model.graph.node)


def generate(build: Path, out: Path, mem_prefix: str | None = None, sliding_window: str = "ours",
             target: str = "generic", dsp_budget: int | None = None,
             wire_min_bits: int = WIRE_MIN_BITS, fifo_stage_words: int | None = None,
             dsp_sums: bool = False) -> dict:
    """Generate the stitched RTL of ``build``'s dataflow into ``out``.

    Args:
        build: a finished export directory (``export/to_finn.py --out``).
        out: output directory (created).
        mem_prefix: directory the RTL names memory files with (default: ``out``, absolute;
            "" for bare names, as synthesis in ``out`` needs).
        sliding_window: "ours" (hw/rtl/swg.sv, padding included) or "finn" (finn-rtllib's
            padding and sliding window from FINN's code generation).
        target: synthesis target the memory styles are chosen for (generic, xilinx, ecp5).
        dsp_budget: multiplier blocks the int8 layers may use together (a device's budget;
            in graph order, the rest of their products in logic); None: no cap.
        wire_min_bits: edges at least this wide after a registered output get no FIFO
            (``hw.gen.passes.WIRE_MIN_BITS``; tests lower it to cover the case).
        fifo_stage_words: memory words one stream_fifo may hold; a deeper FIFO is a chain
            (``hw.gen.passes.fifo_stages``; default None: one FIFO per edge).
        dsp_sums: an int8 layer whose products are all on multiplier blocks sums them two
            by two where they are made (hw/rtl/mul_add_reg.sv; on ECP5 two MULT18X18D and
            their slice's ALU54B), its adder tree taking half the terms.

    Returns:
        The contents of ``stitch.json``.
    """
    if sliding_window not in ("ours", "finn"):
        raise StitchError(f"sliding_window must be 'ours' or 'finn', got {sliding_window!r}")
    model, part = load_partition(build)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(model, str(out) if mem_prefix is None else mem_prefix, sliding_window, target,
                  dsp_left=dsp_budget, wire_min_bits=wire_min_bits,
                  fifo_stage_words=fifo_stage_words, dsp_sums=dsp_sums)
    d = design_of(model, ctx, str(part))
    write_text(out / f"{TOP}.sv", render(d))
    for lay in d.layers:
        for name, text in lay.mems.items():
            write_text(out / name, text)
    files = [str(f) for f in source_files(d)] + [str(out / f"{TOP}.sv")]
    write_text(out / "filelist.txt", "\n".join(files) + "\n")
    gin, gout = model.graph.input[0].name, model.graph.output[0].name

    def stream(s, shape):
        return {"elems": s.elems, "bits": s.bits, "signed": s.signed, "shape": list(shape)}

    info = {"top": TOP, "source": str(part), "sliding_window": sliding_window, "target": target,
            "dsp_budget": dsp_budget, "dsp_sums": dsp_sums,
            "frame_hw": list(d.frame_hw),
            "in": stream(d.s_in, model.get_tensor_shape(gin)),
            "out": stream(d.s_out, model.get_tensor_shape(gout)),
            "files": files, "fifo_bits": fifo_bits(d),
            "layers": [{"name": l.name, "op": l.op, "nodes": l.nodes, "lag_px": l.lag_px,
                        **l.record} for l in d.layers],
            "edges": [{"tensor": e.tensor, "src": e.src[0] if e.src else "input",
                       "dst": e.dst[0] if e.dst else "output", "width": e.fmt_dst.width,
                       "depth": e.depth, "stages": e.stages, "need_px": e.need_px,
                       "reg_ready": e.reg_ready,
                       "converter": [e.fmt_src.elems, e.fmt_dst.elems]
                       if e.fmt_src.elems != e.fmt_dst.elems else None} for e in d.edges]}
    write_text(out / "stitch.json", json.dumps(info, indent=2))
    rq = [{"node": l.name, "op": l.op, **r} for l in d.layers for r in l.record.get("requantisers", [])]
    write_text(out / "requant.json", json.dumps(rq, indent=2))
    return info


def layer_top(lay: Layer, out: Path) -> list[Path]:
    """Write a top with the single layer ``lay`` between its ports (register slices on both
    sides) into ``out``, for a bench of one layer; returns the source files."""
    out = Path(out)
    d = Design([lay], connect([lay], lay.in_tensors[0], lay.out_tensors[0], lay.ins[0],
                              lay.outs[0]), lay.ins[0], lay.outs[0], (0, 0), f"layer {lay.name}")
    write_text(out / f"{TOP}.sv", render(d))
    for name, text in lay.mems.items():
        write_text(out / name, text)
    return source_files(d) + [out / f"{TOP}.sv"]
