# SPDX-License-Identifier: MIT
"""Passes of the generator: what to fuse before emitting, how layers connect, and how deep
each FIFO must be.

FIFO depths are the branch latencies of the graph, in pixels: a layer needs ``lag_px``
input pixels beyond the one it outputs (a sliding window: (KH-1)*DH - PT rows and
(KW-1)*DW - PL columns; everything else: 0) and holds about one more in flight (its
pipeline, an MVAU's input vector), and so does the FIFO on each edge. Along every path
from the graph input, ``delay`` adds these up; at a join (a residual add, the MRB
concatenation) an input arriving ``need`` pixels earlier than the latest one must be held
for ``need + 1`` pixels while the other branch catches up. That grows with the frame's
width, not its area.
"""
from __future__ import annotations

import math

from ..resmodel import BLOCK_CONFIGS
from .design import Design, Edge, Layer, Stream
from .errors import StitchError

#: slack added to every FIFO that balances a join: pixels and words (absorbs the sliding
#: windows' row-end bursts; measured cycles/frame stay within 2% of FINN's estimate)
MARGIN_PX = 2
MARGIN_WORDS = 8
#: pixels a layer holds in flight besides its lag and its output credit FIFOs
HOLD_PX = 1
#: depth of a FIFO that only cuts the handshake paths (a register slice)
SLICE = 2
#: an edge this wide (bits) that would only get a register slice, from a layer whose output
#: is already one (``Layer.out_registered``), gets none: a wire. The slice's two words of
#: ``WIDTH`` flip-flops and its ``WIDTH`` multiplexers would copy the producer's own (at a
#: video-rate binary tail, 2 304-bit windows: 4 608 FF and 2 304 LUT4, and two more
#: chip-wide control nets), and its handshake cut is already there
WIRE_MIN_BITS = 1024
#: words of stream_fifo's output buffer (``NB_OUT`` in hw/rtl/stream_fifo.sv)
FIFO_OUT_WORDS = 6


def absorbed_padding(model) -> dict:
    """FMPadding nodes whose only consumer is a sliding window: {SWG name: FMPadding node}.
    Our window core pads itself (no separate padding core, no AXI-lite port)."""
    out = {}
    for n in model.graph.node:
        if n.op_type.startswith("ConvolutionInputGenerator"):
            p = model.find_producer(n.input[0])
            if p is not None and p.op_type.startswith("FMPadding") and \
                    len(model.find_consumers(p.output[0])) == 1:
                out[n.name] = p
    return out


def connect(layers: list[Layer], graph_in: str, graph_out: str, s_in: Stream,
            s_out: Stream) -> list[Edge]:
    """One edge per tensor: producer output -> consumer input (the graph input and output
    are the top's ports)."""
    prod = {graph_in: (None, s_in)}
    for lay in layers:
        for k, t in enumerate(lay.out_tensors):
            prod[t] = ((lay.name, k), lay.outs[k])
    edges = []
    for lay in layers:
        for k, t in enumerate(lay.in_tensors):
            if t not in prod:
                raise StitchError(f"tensor {t} (input {k} of {lay.name}) has no producer in "
                                  "the dataflow partition")
            src, fmt = prod.pop(t)
            edges.append(Edge(t, src, (lay.name, k), fmt, lay.ins[k]))
    if graph_out not in prod:
        raise StitchError(f"graph output {graph_out} is produced by no layer")
    src, fmt = prod.pop(graph_out)
    edges.append(Edge(graph_out, src, None, fmt, s_out))
    if prod:
        raise StitchError(f"tensors without a consumer: {sorted(prod)}")
    for i, e in enumerate(edges):
        e.index = i
        if e.fmt_src.bits != e.fmt_dst.bits:
            raise StitchError(f"edge {e.tensor}: element widths differ ({e.fmt_src.bits} vs "
                              f"{e.fmt_dst.bits} bits)")
    return edges


def _tree_depth(n: int) -> int:
    d = 0
    while n > 1:
        n, d = (n + 3) // 4, d + 1
    return d


def _int_params(core) -> dict[str, int]:
    """A core's integer parameters (its rendered values that are integer literals)."""
    return {k: int(v) for k, v in core.params.items() if str(v).lstrip("-").isdigit()}


def credit_beats(core) -> int:
    """Output beats a core may hold in flight: the depth of its credit FIFO (the results it
    may have promised), as hw/rtl computes it; 0 for cores without one."""
    p = _int_params(core)
    if core.module == "swg":  # LAT + 8 (swg.sv: LAT = 4)
        return 4 + 8
    if core.module == "swg_lb":
        return p["CREDITS"]
    if core.module == "requant_arith":   # D + 8 (requant_arith.sv: D = 2 with constant tables)
        return (2 if p["NP"] == 1 or p["NF"] == 1 else 6) + 8
    if core.module == "thresh_bsearch":
        return 3 * p["B"] + 9
    if core.module in ("xnor_mvtu", "mvtu_int"):
        sf = p["MW"] // p["SIMD"]
        nterm, lat = ((p["SIMD"] + 2) // 3, 3) if core.module == "xnor_mvtu" else (p["SIMD"], 5)
        if p.get("W_BIPOLAR"):   # terms without multiplier registers
            lat = 3
        if p.get("LEAN"):        # one operand stage instead of three (mvtu_fetch)
            lat -= 2
        return (lat + _tree_depth(nterm) + 9 + sf - 1) // sf + 1
    return 0


def hold_px(lay: Layer) -> int:
    """Pixels a layer holds besides its lag: ``HOLD_PX`` plus what its credit FIFOs may
    hold, in pixels of its output stream (a parallel-window sliding window holds up to 12
    windows, a requantiser 14 beats: several pixels once a pixel is a few beats)."""
    beats = sum(credit_beats(c) for c in lay.cores)
    if not beats or not lay.outs:
        return HOLD_PX
    return HOLD_PX + math.ceil(beats / lay.outs[0].beats_per_px)


def burst_words(lay: Layer) -> int:
    """Input words a layer reads back to back and then none for a while: an MVAU unit
    (xnor_mvtu, mvtu_int) with several synapse folds SF and several neuron folds NF takes a
    pixel's SF words in its first neuron fold, one per clock, and reuses them from its input
    buffer in the other NF - 1 (mvtu_fetch). 0 for every other layer (and an MVAU with SF or
    NF of 1: one word per pixel, or every fold reading)."""
    for c in lay.cores:
        if c.module in ("xnor_mvtu", "mvtu_int"):
            p = _int_params(c)
            sf, nf = p["MW"] // p["SIMD"], p["MH"] // p["PE"]
            return sf if sf > 1 and nf > 1 else 0
    return 0


def burst_depth(e: Edge, burst: int) -> int:
    """The FIFO an edge into a burst reader (``burst_words``) needs: with an up converter
    (K narrow words per wide one) the producer can deliver a wide word only every K clocks,
    so the first neuron fold of the next pixel waits on it unless the FIFO has gathered
    the pixel's SF words while the unit reused the last one. A register slice holds 2: a
    tiny network with its 2 -> 8 window edge into an XNOR unit of SF 9, NF 8 took 1.21x
    FINN's cycles per frame with one (12 528 against 10 368, measured). ``SLICE`` where
    the burst fits a slice or no converter slows the producer."""
    a, b = e.fmt_src, e.fmt_dst
    if burst <= SLICE or not (b.elems > a.elems and b.elems % a.elems == 0):
        return SLICE
    return burst + SLICE


def size_fifos(design: Design, wire_min_bits: int = WIRE_MIN_BITS,
               stage_words: int | None = None) -> None:
    """Set every edge's FIFO depth from the branch latencies (see the module docstring);
    a wide slice after a registered output becomes a wire (``WIRE_MIN_BITS``); a deep FIFO
    becomes a chain of stages of at most ``stage_words`` memory words (``fifo_stages``)."""
    delay = {}
    by_dst = {e.dst: e for e in design.edges if e.dst is not None}
    graph_in = next(e.tensor for e in design.edges if e.src is None)
    delay[graph_in] = 0
    for lay in design.layers:
        ins = [by_dst[(lay.name, k)] for k in range(len(lay.ins))]
        d_in = [delay[e.tensor] for e in ins]
        late = max(d_in)
        for e, d in zip(ins, d_in):
            e.need_px = late - d if len(ins) > 1 else 0
            e.depth = SLICE
            if e.need_px:
                e.depth = math.ceil((e.need_px + 1 + MARGIN_PX) * e.fmt_dst.beats_per_px) + MARGIN_WORDS
        # a burst reader's input FIFO holds a pixel more: a join downstream waits for it
        extra = 0
        if len(ins) == 1 and (burst := burst_words(lay)):
            ins[0].depth = max(ins[0].depth, burst_depth(ins[0], burst))
            extra = math.ceil((ins[0].depth - SLICE) / ins[0].fmt_dst.beats_per_px)
        for t in lay.out_tensors:
            delay[t] = late + lay.lag_px + hold_px(lay) + extra
    design.notes["delay_px"] = {t: int(v) for t, v in delay.items()}
    registered = {l.name for l in design.layers if l.out_registered}
    for e in design.edges:
        if (e.depth == SLICE and e.src is not None and e.dst is not None
                and e.src[0] in registered and e.fmt_src.elems == e.fmt_dst.elems
                and e.fmt_dst.width >= wire_min_bits):
            e.depth = 0
    for e in design.edges:
        e.stages = fifo_stages(e.depth, e.fmt_dst.width, stage_words) if e.depth else []


def converter_clocks_px(e: Edge) -> float | None:
    """Clocks per pixel the edge's down converter needs with its input ready from registers
    (stream_dwc REG_READY: K + 1 clocks per input word), or None where it has none: no
    converter, an up converter or a ratio that is not an integer (those keep the
    combinational ready; why not up: ``registered_ready``)."""
    a, b = e.fmt_src, e.fmt_dst
    if a.elems > b.elems and a.elems % b.elems == 0:
        return (a.elems // b.elems + 1) * a.beats_per_px
    return None


def registered_ready(design: Design, frame_cycles: float, pixels: dict[str, int]) -> None:
    """Give an edge's width converter a registered input ready (``Edge.reg_ready``) where
    the clock it then costs per converted word still leaves a clock per pixel to spare at the
    design's rate: ``frame_cycles`` (FINN's bottleneck cycles per frame) over the edge's
    tensor's ``pixels`` per frame. The producer's output register slice then takes its clock
    enables from a flip-flop instead of the consumer's handshake logic: on the 720p point a
    window's 288-bit slice took them through the converter from the next FIFO's flag, the
    slowest path of the one seed that routed (13.45 ns of routing across the chip).

    Down converters only: an up converter feeding a unit that reads a pixel's synapse folds
    in consecutive clocks (and none while it computes its other neuron folds) met that
    burst one clock late per word once the register slice between them was empty, and the
    average rate does not show it (the default build's 4 -> 36 window edges: 1 024 cycles
    per frame more, 1.0104x; measured). Since such an edge has a FIFO for the burst
    (``burst_depth``) that loss is gone (the default build with up converters too: 98 304
    cycles, 1.000x; measured), but no routed path has pointed at an up converter's ready,
    so the rule stays where it was measured to help. A down converter's clock falls between
    its input words, which at these edges are whole pixels the consumer's other folds hide
    (720p: 2 cycles per frame)."""
    for e in design.edges:
        need = converter_clocks_px(e)
        e.reg_ready = need is not None and need + 1 <= frame_cycles / pixels[e.tensor]


def fifo_stages(depth: int, width: int, stage_words: int | None = None) -> list[int]:
    """The depths of the stream_fifos that hold a FIFO of ``depth`` words of ``width`` bits
    in stream order: one (``[depth]``) when ``stage_words`` is None (the default) or its
    memory fits ``stage_words`` words, else a chain whose stages hold whole block-RAM banks
    at its width (the same banks, so the same block RAMs, as one FIFO; below a bank, units of
    ``stage_words``), spread evenly, the part bank in the last.

    Why a chain: one stream_fifo writes all its banks from one bus and reads them through one
    multiplexer, so a global skip FIFO of 21 banks (10 656 words of 64 bits at the 720p point)
    spans the chip with 64 x 21 read nets converging on one place; a chain's stages each have
    a local bus and a small multiplexer. Each stage holds ``FIFO_OUT_WORDS`` words besides its
    memory, so the chain holds at least ``depth`` words (a join's FIFO may hold more than it
    needs, never less). Not the default: on the LFE5U-85F 720p point, stages of four banks
    left nextpnr's static placer stuck at a 17 % block-RAM overlap on two seeds of three
    (docs/benchmarks.md)."""
    if stage_words is None or depth <= FIFO_OUT_WORDS + 2:
        return [depth]
    n = depth - FIFO_OUT_WORDS                      # memory words of one FIFO
    bd = fifo_bank_words(width)
    cap = int(stage_words)
    if cap < 1:
        raise StitchError(f"stage_words must be at least 1, got {stage_words}")
    if n <= cap:
        return [depth]
    unit = min(bd, cap)             # a stage's memory: whole banks (units of cap below a bank)
    per = max(1, cap // unit)                       # units a stage may hold
    units = math.ceil(n / unit)
    k = math.ceil(units / per)
    counts = [units // k + (1 if i < units % k else 0) for i in range(k)]
    mems = [c * unit for c in counts]
    mems[-1] -= units * unit - n                    # the part unit, in the last stage
    return [m + FIFO_OUT_WORDS for m in mems]


def fifo_bank_words(width: int) -> int:
    """Words per block-RAM bank of a ``width``-bit stream_fifo (its ``BD0``)."""
    for w, d in ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024)):
        if width <= w:
            return d
    return 512


#: most memory banks a stream_fifo reads through its multiplexer before its memory goes to a
#: deeper block RAM configuration (``fifo_deep_banks``)
FIFO_MAX_BANKS = 4


def fifo_slice_bits(bank_words: int) -> int:
    """Bits of one block RAM at ``bank_words`` words (its memory slices with BANK_WORDS)."""
    return max((d, w) for d, w in BLOCK_CONFIGS if d <= bank_words or d == 512)[1]


def fifo_deep_banks(width: int, depth: int) -> int:
    """stream_fifo's ``BANK_WORDS`` for a FIFO of ``depth`` words of ``width`` bits: 0 (banks
    of one block RAM's depth at the full width) where that makes at most ``FIFO_MAX_BANKS``
    banks; else the deepest bank of a configuration with at most that many banks that takes
    the fewest block RAMs (ties: fewer banks), its memory sliced to the block RAM's width;
    0 again where even the deepest configuration takes more banks than that.

    Why: the banks' outputs meet in one multiplexer, and on the LFE5U-85F 720p point the
    global skip's 21 banks of 512 x 64 (1 344 read nets into one place) were the most
    congested instance of every unrouted seed. In 4 096 x 4 blocks the same FIFO is three
    banks of sixteen slices: 48 block RAMs instead of 42, a three-input multiplexer."""
    n = depth - FIFO_OUT_WORDS
    if depth <= FIFO_OUT_WORDS + 2 or math.ceil(n / min(n, fifo_bank_words(width))) <= FIFO_MAX_BANKS:
        return 0
    best = None
    for d, w in reversed(BLOCK_CONFIGS):            # the deepest first
        banks = math.ceil(n / d)
        if banks > FIFO_MAX_BANKS:
            continue
        cost = (math.ceil(width / w) * banks, banks)
        if best is None or cost < best[0]:
            best = (cost, d)
    return best[1] if best else 0                   # none that shallow: the plain banks


def fifo_params(width: int, depth: int) -> dict[str, str]:
    """The parameters of a stream_fifo of ``depth`` words of ``width`` bits as the generator
    instantiates it (and the resource model counts it): BANK_WORDS only where
    ``fifo_deep_banks`` gives one."""
    bank = fifo_deep_banks(width, depth)
    return {"WIDTH": str(width), "DEPTH": str(depth), **({"BANK_WORDS": str(bank)} if bank else {})}


def fifo_bits(design: Design) -> int:
    """Bits held in all FIFOs (words x width at the consumer side)."""
    return sum(e.depth * e.fmt_dst.width for e in design.edges)
