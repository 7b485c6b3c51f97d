# SPDX-License-Identifier: MIT
"""One emitter per FINN op type: a node of the folded dataflow partition -> a ``Layer`` of
core instances (``hw/rtl``). ``EMITTERS`` is the registry the generator looks nodes up in.

Requantisation (every MultiThreshold, standalone or embedded in an MVAU) goes through
``requantiser``: an arithmetic core when ``hw.gen.requant`` proves a closed form equal to
the thresholds on every input, else a binary-search threshold memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import literals as L
from .design import Core, Layer, Stream, bundle
from .errors import StitchError
from .passes import WIRE_MIN_BITS
from .requant import ArithForm, fit_arith, int_thresholds


@dataclass
class Context:
    """What emitters share: the graph, the memory-file directory as written into the RTL,
    the generation options and the FINN nodes a pass decided to fuse."""

    model: object
    mem_prefix: str                   # directory of memory files as the RTL names them
    sliding_window: str = "ours"      # "ours" (hw/rtl/swg.sv) or "finn" (finn-rtllib)
    target: str = "generic"           # synthesis target (memory styles): generic, xilinx, ecp5
    pads: dict = field(default_factory=dict)   # SWG node name -> the FMPadding node it absorbs
    dsp_left: int | None = None       # multiplier blocks still free for int8 layers (None: any)
    wire_min_bits: int = WIRE_MIN_BITS  # edges this wide after a registered output: wires
    fifo_stage_words: int | None = None  # memory words of one FIFO stage (passes.fifo_stages)
    dsp_sums: bool = False            # int8 products summed in pairs where made (mul_add_reg)

    def mem(self, name: str) -> str:
        return L.sv_string(f"{self.mem_prefix}/{name}" if self.mem_prefix else name)


def _inst(node):
    from qonnx.custom_op.registry import getCustomOp

    return getCustomOp(node)


def in_stream(node, i: int = 0) -> Stream:
    inst = _inst(node)
    dt = inst.get_input_datatype(i)
    return Stream(int(inst.get_folded_input_shape(i)[-1]), dt.bitwidth(), bool(dt.signed()),
                  int(inst.get_normal_input_shape(i)[-1]))


def out_stream(node) -> Stream:
    inst = _inst(node)
    dt = inst.get_output_datatype()
    return Stream(int(inst.get_folded_output_shape()[-1]), dt.bitwidth(), bool(dt.signed()),
                  int(inst.get_normal_output_shape()[-1]))


def _layer(node, ins: list[Stream], outs: list[Stream], **kw) -> Layer:
    return Layer(node.name, node.op_type, ins, outs, list(node.input[:len(ins)]),
                 list(node.output[:len(outs)]), nodes=[node.name], **kw)


# ---------------------------------------------------------------- requantisers
def requantiser(ctx: Context, name: str, T: np.ndarray, act: int, s_in: Stream,
                out_bits: int, ranges: list[tuple[int, int]], src: str, dst: str,
                layer: Layer) -> Core:
    """The core that computes ``act + #(x >= T[c])`` on stream ``src`` into ``dst``: an
    arithmetic form when one is proven equal on every input of ``ranges``, else a
    threshold memory searched in log2(NT + 1) pipelined compares. Records the choice."""
    pe, nf = s_in.elems, s_in.channels // s_in.elems
    t = int_thresholds(T)
    nt = t.shape[1]
    form, why = fit_arith(T, act, ranges)
    rec = {"thresholds": int(nt), "rows": int(t.shape[0]), "channels": s_in.channels,
           "input_range": [int(min(r[0] for r in ranges)), int(max(r[1] for r in ranges))],
           "why": why}
    common = dict(PE=str(pe), NF=str(nf), IN_W=str(s_in.bits), IN_SIGNED=str(int(s_in.signed)),
                  OUT_W=str(out_bits))
    conns = dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n", **bundle("s_axis", src),
                 **bundle("m_axis", dst))
    if form is not None:
        rec.update(requantiser="arithmetic", kind=form.kind, form=form.to_json(), memory_bits=0)
        layer.record.setdefault("requantisers", []).append(rec)
        return Core("requant_arith", f"u_{name}", {**common, **arith_params(form, s_in, ranges)},
                    conns)
    # threshold memory: clip to what the input can reach, pad to 2^B - 1 per channel
    lo = int(min(r[0] for r in ranges))
    hi = int(max(r[1] for r in ranges))
    tc = np.clip(t, lo, hi + 1)
    b = max(2, int(np.ceil(np.log2(nt + 1))))
    tc = np.concatenate([tc, np.full((tc.shape[0], (1 << b) - 1 - nt), hi + 1)], axis=1)
    t_w, _ = L.bits_for(min(lo, int(tc.min())), hi + 1)
    t_w = max(t_w + (0 if lo < 0 else 1), 2)   # signed compare
    shared = tc.shape[0] == 1 or all(np.array_equal(tc[0], r) for r in tc)
    nc = 1 if shared else nf
    prefix = f"{name}_t"
    for p in range(pe):
        for k in range(b):
            words = []
            for cl in range(nc):
                row = tc[0 if shared else cl * pe + p]
                for q in range(1 << k):
                    words.append(L.check(row[(2 * q + 1) * (1 << (b - 1 - k)) - 1], t_w, True,
                                         f"threshold of {name}"))
            layer.mems[f"{prefix}_{p:02x}_{k:x}.mem"] = L.mem_text(words)
    bits = pe * nc * ((1 << b) - 1) * t_w
    rec.update(requantiser="threshold memory", kind=f"binary search, {b} stages",
               memory_bits=int(bits))
    layer.record.setdefault("requantisers", []).append(rec)
    params = {**common, "NC": str(nc), "T_W": str(t_w), "B": str(b), "OBIAS": L.sv_int(act),
              "THRESH_PREFIX": ctx.mem(prefix)}
    return Core("thresh_bsearch", f"u_{name}", params, conns)


def arith_params(form: ArithForm, s_in: Stream, ranges) -> dict[str, str]:
    chans = form.channels
    vals = [form.lo, form.hi]
    for f, (xa, xb) in zip(chans * (len(ranges) if len(chans) == 1 else 1), ranges):
        vals += [f.pivot, xa, xb]
        for p in (f.pos, f.neg):
            vals += [xa * p.mul, xb * p.mul,
                     ((xa * p.mul) << p.shl) + p.bias, ((xb * p.mul) << p.shl) + p.bias]
    z_w, _ = L.bits_for(min(vals), max(vals))
    z_w = max(z_w + 1, s_in.bits + 1)
    sh = max([max(f.pos.shl, f.pos.shr, f.neg.shl, f.neg.shr) for f in chans] + [1])
    sh_w = max(1, int(sh).bit_length())

    def vec(get, width, signed):
        return L.sv_vector([get(f) for f in chans], width, signed, "requantiser parameter")

    return {"NP": str(len(chans)), "LO": L.sv_int(form.lo), "HI": L.sv_int(form.hi),
            "Z_W": str(z_w), "SH_W": str(sh_w),
            "PIVOT": vec(lambda f: f.pivot, z_w, True),
            "SHL_P": vec(lambda f: f.pos.shl, sh_w, False),
            "SHR_P": vec(lambda f: f.pos.shr, sh_w, False),
            "B_P": vec(lambda f: f.pos.bias, z_w, True),
            "SHL_N": vec(lambda f: f.neg.shl, sh_w, False),
            "SHR_N": vec(lambda f: f.neg.shr, sh_w, False),
            "B_N": vec(lambda f: f.neg.bias, z_w, True),
            # the odd factors (3x/5x/7x) only where a form has one: other designs unchanged
            **({"MUL_P": vec(lambda f: f.pos.mul, 3, False),
                "MUL_N": vec(lambda f: f.neg.mul, 3, False), "HAS_MUL": "1"}
               if any(p.mul != 1 for f in chans for p in (f.pos, f.neg)) else {})}


# ---------------------------------------------------------------- emitters
def emit_mvau(ctx: Context, node) -> Layer:
    """MVAU (XNOR-popcount or integer) -> xnor_mvtu / mvtu_int, then its requantiser."""
    from qonnx.core.datatype import DataType

    m, inst = ctx.model, _inst(node)
    s_in, s_out = in_stream(node), out_stream(node)
    lay = _layer(node, [s_in], [s_out])
    W = m.get_initializer(node.input[1]).astype(np.int64)
    T = m.get_initializer(node.input[2]) if len(node.input) > 2 else None
    mw, mh = W.shape
    simd, pe = inst.get_nodeattr("SIMD"), inst.get_nodeattr("PE")
    sf, nf = mw // simd, mh // pe
    # weights in logic (a ROM of at most SHALLOW_ROM words): one operand stage (mvtu_fetch)
    lean = str(int(sf * nf <= SHALLOW_ROM))
    wname = f"{node.name}_w.mem"
    if inst.get_nodeattr("binaryXnorMode"):
        acc_w, acc_signed = max(1, int(mw).bit_length()), False
        ranges = [(0, mw)] * mh
        lay.mems[wname] = L.mem_text(L.weight_words(W, simd, pe))
        style = _weight_style(ctx, sf * nf, simd * pe)
        core = Core("xnor_mvtu", "u_mvu", dict(MW=str(mw), MH=str(mh), SIMD=str(simd), PE=str(pe),
                                               CNT_W=str(acc_w), WEIGHT_FILE=ctx.mem(wname),
                                               WEIGHT_RAM=L.sv_string(style),
                                               IBUF_RAM=L.sv_string(_ibuf_style(ctx)),
                                               PAIRS=_pairs(ctx),
                                               LEAN=lean,
                                               **_carry_count(ctx, lean, sf * nf)), {})
    else:
        idt = inst.get_input_datatype()
        wdt = DataType[inst.get_nodeattr("weightDataType")]
        # binary weights (the binary-weight upsampler): one bit per weight, terms x or ~x =
        # -x - 1, so the unit's sum is the dot product minus the neuron's count of -1
        # weights; that constant moves into the thresholds (exact: integers throughout)
        bipolar = wdt == DataType["BIPOLAR"] or bool(np.isin(W, (-1, 1)).all())
        if bipolar and T is None:
            raise StitchError(f"node {node.name} (MVAU): binary weights over integer inputs need "
                              "thresholds after the unit (the -1 count is folded into them)")
        nneg = (W == -1).sum(0) if bipolar else np.zeros(mh, dtype=np.int64)
        lo = np.minimum(W * int(idt.min()), W * int(idt.max())).sum(0) - nneg
        hi = np.maximum(W * int(idt.min()), W * int(idt.max())).sum(0) - nneg
        ranges = list(zip(lo.tolist(), hi.tolist()))
        acc_w, acc_signed = L.bits_for(min(int(lo.min()), 0), max(int(hi.max()), 0))
        if not acc_signed:
            acc_w, acc_signed = acc_w + 1, True
        if bipolar:
            T = np.broadcast_to(T, (mh, T.shape[-1])) - nneg[:, None]
            lay.mems[wname] = L.mem_text(L.weight_words((W > 0).astype(np.int64), simd, pe))
            w_w = 1
        else:
            lay.mems[wname] = L.mem_text(L.weight_words(W, simd, pe, wdt.bitwidth(), True))
            w_w = wdt.bitwidth()
        style = _weight_style(ctx, sf * nf, simd * pe * w_w)
        ndsp = -1 if bipolar else multipliers(ctx, lay, pe * simd)
        # pairs of a lane's products summed where they are made (on ECP5 a DSP slice's ALU54B):
        # only where every product is on a multiplier block
        sums = ctx.dsp_sums and not bipolar and ndsp == -1 and simd >= 2
        if ctx.dsp_sums and not bipolar:
            lay.record["multipliers"]["sums"] = pe * (simd // 2) if sums else 0
            lay.record["multipliers"]["sums_why"] = (
                "two products a sum, an odd SIMD's last alone" if sums else
                "one product per lane" if simd < 2 else "products in logic")
        core = Core("mvtu_int", "u_mvu", dict(
            MW=str(mw), MH=str(mh), SIMD=str(simd), PE=str(pe), IN_W=str(idt.bitwidth()),
            IN_SIGNED=str(int(idt.signed())), W_W=str(w_w), W_BIPOLAR=str(int(bipolar)),
            NDSP=str(ndsp), ACC_W=str(acc_w), WEIGHT_FILE=ctx.mem(wname),
            WEIGHT_RAM=L.sv_string(style), IBUF_RAM=L.sv_string(_ibuf_style(ctx)),
            PAIRS=_pairs(ctx), LEAN=lean, **({"DSP_SUMS": "1"} if sums else {}),
            **(_carry_sel(ctx, simd) if bipolar else {})), {})
        if ndsp >= 0:
            core.stats["booth_rows"] = live_booth_rows(W, simd, pe, w_w, ndsp, style)
    core.conns = dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n", **bundle("s_axis", "s0"))
    lay.cores.append(core)
    kind = "xnor" if inst.get_nodeattr("binaryXnorMode") else \
        "binary-weight" if core.params.get("W_BIPOLAR") == "1" else "int"
    lay.record.update(kind=kind,
                      MW=mw, MH=mh, SIMD=simd, PE=pe, acc_bits=acc_w, weight_ram=style)
    if T is None:  # no activation: the raw popcount / dot product is the output
        if s_out.bits != acc_w:
            raise StitchError(f"node {node.name} (MVAU): output type {s_out.bits} bits, but its "
                              f"accumulator needs {acc_w}")
        core.conns.update(bundle("m_axis", "m0"))
        return lay
    acc = Stream(pe, acc_w, acc_signed, mh)
    lay.wires.append(("acc", acc.width))
    core.conns.update(bundle("m_axis", "acc"))
    lay.cores.append(requantiser(ctx, "rq", T, inst.get_nodeattr("ActVal"), acc, s_out.bits,
                                 ranges, "acc", "m0", lay))
    return lay


def live_booth_rows(W: np.ndarray, simd: int, pe: int, w_w: int, ndsp: int, style: str) -> int:
    """Radix-4 Booth rows the logic products (``p*SIMD + i >= NDSP``) of an int unit keep
    after synthesis: with weights in logic, a row whose digit is 0 in every word of the ROM
    is a constant and Yosys removes it (weights of small magnitude leave their upper rows
    zero); other ROM styles keep every row."""
    nd = (w_w + 1) // 2
    mw, mh = W.shape
    # words x products: element (p, i) of word (nf, sf) is W[sf*SIMD + i, nf*PE + p]
    Wb = W.reshape(mw // simd, simd, mh // pe, pe).transpose(2, 0, 3, 1).reshape(-1, pe * simd)
    logic = Wb[:, ndsp:].astype(np.int64) & ((1 << w_w) - 1)
    if logic.size == 0:
        return 0
    if style != "logic":
        return nd * logic.shape[1]
    # bits below 0 are 0, above the sign bit its copies (two's complement)
    bit = lambda k: (logic >> min(k, w_w - 1)) & 1 if k >= 0 else np.zeros_like(logic)  # noqa: E731
    live = 0
    for k in range(nd):
        digit = -2 * bit(2 * k + 1) + bit(2 * k) + bit(2 * k - 1)
        live += int((digit != 0).any(0).sum())
    return live


def multipliers(ctx: Context, lay: Layer, n: int) -> int:
    """How many of an int8 layer's ``n`` products go to multiplier blocks: all while the
    device's budget lasts (layers in graph order), the rest in logic (mul_reg LUT = 1: radix-4
    Booth rows on carry chains, about 110 LUT4 and 36 FF per 10x8 product on ECP5, measured
    with synth_ecp5 in a head unit: only where the blocks run out). Returns
    the unit's NDSP (-1: all) and records the choice and why."""
    if ctx.dsp_left is None:
        lay.record["multipliers"] = {"products": n, "dsp": n, "logic": 0,
                                     "why": "no multiplier budget given"}
        return -1
    dsp = min(n, ctx.dsp_left)
    ctx.dsp_left -= dsp
    why = (f"all {n} products on multiplier blocks ({ctx.dsp_left} left)" if dsp == n else
           f"{dsp} blocks left of the device's budget; {n - dsp} products in logic")
    lay.record["multipliers"] = {"products": n, "dsp": dsp, "logic": n - dsp, "why": why}
    return -1 if dsp == n else dsp


def _weight_style(ctx: Context, depth: int, width: int) -> str:
    """Memory style of a weight ROM (depth words of width bits) for the synthesis target.
    A ROM that would take 64 or more LUTs (64-deep slices) goes to block RAM: LUTs are what
    a small FPGA runs out of. On ECP5 a block RAM's unregistered output (5.8 ns; Yosys does
    not use its output register) bounds the clock near 140 MHz, so there only small ROMs (up
    to 64 words of up to 32 bits) stay logic: a wide LUT ROM (an XNOR unit's 144-bit words)
    routed its address fan-out at 9.2 ns in the whole network (108.5 MHz). A ROM of at most
    ``SHALLOW_ROM`` words is logic on every target."""
    if depth <= SHALLOW_ROM:
        return "logic"
    if ctx.target == "ecp5" and depth <= 64 and width <= 32:
        return "logic"
    return "block" if width * -(-depth // 64) >= 64 else "auto"


#: a weight ROM of at most this many words (a video-rate folding: a few fold steps) is
#: logic: each weight bit a function of 3 registered address bits (Yosys turns the ROM read
#: register into an address register), instead of a block RAM per 36 bits of a
#: PE*SIMD-bit word (an XNOR layer at the 1080p folding: 56 EBR -> 0; synth_ecp5 of the
#: unit alone, MW 288, MH 32, SIMD 96, PE 32: 6 469 LUT4, 5 146 FF, no EBR)
SHALLOW_ROM = 8


def _pairs(ctx: Context) -> str:
    """Adder trees of two-input adders on ECP5 (Yosys' synth_ecp5 maps a four-input sum to
    LUT4 full adders, two-input ones to carry chains); four-input sums elsewhere."""
    return "1" if ctx.target == "ecp5" else "0"


def _carry_count(ctx: Context, lean: str, words: int) -> dict[str, str]:
    """XNOR group counts in ECP5 carry chains (hw/rtl/carry_count.sv: one CCU2C per three
    synapse bits) where they pay: a LEAN unit (weights in logic) of more than four weight
    words, whose LUT form needs each count as a function of six or more inputs (synth_ecp5
    of the unit alone, MW 288, MH 32, SIMD 96, benchmarks/carry_forms.py: PE 16 with 3 x 2
    folds (720p) LUT4 3 774 -> 1 966, CCU2C 464 -> 1 040, 4 798 -> 4 142 LUT sites). With
    three words (PE 32, 1080p) the LUT form merges the weights into the count (five inputs)
    and the carry form costs 3 % more sites, so it keeps the LUTs; so do other units (the
    default build keeps its netlist and its measured clock)."""
    return {"CARRY_COUNT": "1"} if ctx.target == "ecp5" and lean == "1" and words > 4 else {}


def _carry_sel(ctx: Context, simd: int) -> dict[str, str]:
    """Binary-weight terms selected inside the first adder level's carry chains on ECP5
    (mvtu_int CARRY_SEL, hw/rtl/carry_count.sv xsel_add): the 1080p tail alone (MW 288,
    MH 12, SIMD 288, PE 4), synth_ecp5: LUT4 8 094 -> 374, CCU2C and FF equal (21 582 -> 13 862
    LUT sites; the 720p tail, PE 2: 11 833 -> 7 308)."""
    return {"CARRY_SEL": "1"} if ctx.target == "ecp5" and simd >= 2 else {}


def _ibuf_style(ctx: Context) -> str:
    """The input vector buffer is read asynchronously: distributed RAM on ECP5 (a block RAM
    there would put its 5.8 ns clock-to-out before the operand register)."""
    return "distributed" if ctx.target == "ecp5" else "auto"


def emit_thresholding(ctx: Context, node) -> Layer:
    """A standalone MultiThreshold (FINN Thresholding) -> a requantiser core."""
    inst = _inst(node)
    s_in, s_out = in_stream(node), out_stream(node)
    lay = _layer(node, [s_in], [s_out])
    T = ctx.model.get_initializer(node.input[1])
    idt = inst.get_input_datatype()
    ranges = [(int(idt.min()), int(idt.max()))] * s_in.channels
    lay.cores.append(requantiser(ctx, "rq", T, inst.get_nodeattr("ActVal"), s_in, s_out.bits,
                                 ranges, "s0", "m0", lay))
    return lay


def emit_eltwise(ctx: Context, node) -> Layer:
    """ElementwiseAdd of two streams -> eltwise_add; Sub/Add/Mul by a constant (one per
    channel or a scalar) -> eltwise_const."""
    m, s_out = ctx.model, out_stream(node)
    c = m.get_initializer(node.input[1])
    op = node.op_type
    clk = dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n")
    if c is None:
        if not op.startswith("ElementwiseAdd"):
            raise StitchError(f"node {node.name} ({op}): only a constant right-hand side is "
                              "supported for Sub/Mul")
        a, b = in_stream(node, 0), in_stream(node, 1)
        lay = _layer(node, [a, b], [s_out])
        lay.cores.append(Core("eltwise_add", "u_add", dict(
            PE=str(s_out.elems), A_W=str(a.bits), B_W=str(b.bits), OUT_W=str(s_out.bits),
            A_SIGNED=str(int(a.signed)), B_SIGNED=str(int(b.signed))),
            {**clk, "a_tdata": "s0_tdata", "a_tvalid": "s0_tvalid", "a_tready": "s0_tready",
             "b_tdata": "s1_tdata", "b_tvalid": "s1_tvalid", "b_tready": "s1_tready",
             **bundle("m_axis", "m0")}))
        return lay
    s_in = in_stream(node)
    lay = _layer(node, [s_in], [s_out])
    ch = s_in.channels
    c = c.reshape(-1)
    if c.size not in (1, ch) or not np.array_equal(c, np.round(c)):
        raise StitchError(f"node {node.name} ({op}): the constant must be an integer scalar or "
                          f"one per channel ({ch}), got shape {c.shape}")
    k = np.broadcast_to(c.astype(np.int64), (ch,)) * (-1 if op.startswith("ElementwiseSub") else 1)
    k_w, _ = L.bits_for(min(int(k.min()), -1), max(int(k.max()), 0))
    lay.cores.append(Core("eltwise_const", "u_const", dict(
        MUL=str(int(op.startswith("ElementwiseMul"))), C=str(ch), PE=str(s_in.elems),
        IN_W=str(s_in.bits), IN_SIGNED=str(int(s_in.signed)), OUT_W=str(s_out.bits),
        K_W=str(k_w), K=L.sv_vector(k, k_w, True, f"constant of {node.name}")),
        {**clk, **bundle("s_axis", "s0"), **bundle("m_axis", "m0")}))
    return lay


def emit_dup(ctx: Context, node) -> Layer:
    """DuplicateStreams -> stream_dup: every beat to all N outputs."""
    s_in = in_stream(node)
    n = len(node.output)
    lay = Layer(node.name, node.op_type, [s_in], [s_in] * n, [node.input[0]], list(node.output),
                nodes=[node.name])
    rev = range(n - 1, -1, -1)
    lay.cores.append(Core("stream_dup", "u_dup", dict(WIDTH=str(s_in.width), N=str(n)), dict(
        ap_clk="ap_clk", ap_rst_n="ap_rst_n", **bundle("s_axis", "s0"),
        m_axis_tdata="{" + ", ".join(f"m{k}_tdata" for k in rev) + "}",
        m_axis_tvalid="{" + ", ".join(f"m{k}_tvalid" for k in rev) + "}",
        m_axis_tready="{" + ", ".join(f"m{k}_tready" for k in rev) + "}")))
    return lay


def emit_concat(ctx: Context, node) -> Layer:
    """StreamingConcat -> stream_concat: per pixel, the channels of input 0, then 1, ..."""
    inst = _inst(node)
    ins = [in_stream(node, k) for k in range(len(node.input))]
    s_out = out_stream(node)
    lay = _layer(node, ins, [s_out])
    simd = inst.get_nodeattr("SIMD")
    folds = [c // simd for c in inst.get_nodeattr("ChannelsPerStream")]
    rev = range(len(ins) - 1, -1, -1)
    lay.cores.append(Core("stream_concat", "u_concat", dict(
        N=str(len(ins)), SIMD=str(simd), EW=str(s_out.bits),
        FOLDS=L.sv_vector(folds, 16, False, "concat folds")), dict(
        ap_clk="ap_clk", ap_rst_n="ap_rst_n",
        s_axis_tdata="{" + ", ".join(f"s{k}_tdata" for k in rev) + "}",
        s_axis_tvalid="{" + ", ".join(f"s{k}_tvalid" for k in rev) + "}",
        s_axis_tready="{" + ", ".join(f"s{k}_tready" for k in rev) + "}",
        **bundle("m_axis", "m0"))))
    return lay


def swg_geometry(ctx: Context, node) -> dict:
    """The window of a ConvolutionInputGenerator with the padding of the FMPadding it
    absorbs (FINN's Padding attribute: [top, left, bottom, right])."""
    inst = _inst(node)
    kh, kw = inst.get_nodeattr("ConvKernelDim")
    dh, dw = inst.get_nodeattr("Dilation")
    sh, sw = inst.get_nodeattr("Stride")
    if (sh, sw) != (1, 1):
        raise StitchError(f"node {node.name} ({node.op_type}): stride {sh}x{sw}; the sliding "
                          "window core supports stride 1")
    ih, iw = inst.get_nodeattr("IFMDim")
    oh, ow = inst.get_nodeattr("OFMDim")
    pt = pl = 0
    pad = ctx.pads.get(node.name)
    if pad is not None:
        pt, pl, pb, pr = _inst(pad).get_nodeattr("Padding")
        ih, iw = ih - pt - pb, iw - pl - pr
    return dict(H=ih, W=iw, KH=kh, KW=kw, DH=dh, DW=dw, PT=pt, PL=pl, OH=oh, OW=ow)


def swg_lag(g: dict) -> int:
    """Input pixels a window needs beyond its output pixel's own index (row-major), in the
    frame's interior: (KH-1)*DH - PT rows and (KW-1)*DW - PL columns ahead."""
    return ((g["KH"] - 1) * g["DH"] - g["PT"]) * g["W"] + (g["KW"] - 1) * g["DW"] - g["PL"]


def emit_swg(ctx: Context, node) -> Layer:
    """ConvolutionInputGenerator (with the FMPadding before it) -> swg.sv, or FINN's own
    generated sliding window when ``ctx.sliding_window == "finn"``."""
    if ctx.sliding_window == "finn":
        lay = emit_finn_rtl(ctx, node)
    else:
        inst = _inst(node)
        s_out = out_stream(node)
        pad = ctx.pads.get(node.name)
        s_in = in_stream(node)  # SIMD elements; a converter before it widens the padding's input
        g = swg_geometry(ctx, node)
        simd = inst.get_nodeattr("SIMD")
        par = int(inst.get_nodeattr("parallel_window"))
        taps = g["KH"] * g["KW"] if par else 1
        if s_in.elems != simd or s_out.elems != simd * taps or (par and simd != s_in.channels):
            raise StitchError(f"node {node.name}: input {s_in.elems} / output {s_out.elems} "
                              f"elements per beat, SIMD {simd}, parallel_window {par}")
        lay = Layer(node.name, node.op_type, [s_in], [s_out],
                    [pad.input[0] if pad is not None else node.input[0]], [node.output[0]],
                    nodes=([pad.name] if pad is not None else []) + [node.name])
        conns = dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n", **bundle("s_axis", "s0"),
                     **bundle("m_axis", "m0"))
        if par:
            # the whole window per beat from line buffers shared by every tap (swg_lb.sv)
            credits = window_credits(_window_clocks(ctx, node))
            lay.cores.append(Core("swg_lb", "u_swg", dict(
                C=str(s_in.channels), EW=str(s_in.bits),
                **{k: str(v) for k, v in g.items()}, M="1", CREDITS=str(credits)), conns))
            lc = (g["KW"] - 1) * g["DW"] - g["PL"]   # scan columns beyond the output's
            lay.out_registered = True     # credit_fifo -> stream_fifo output slice
            lay.record.update(window=g, parallel_window=par, core="swg_lb", credits=credits,
                              buffer_bits=(g["KH"] - 1) * g["DH"] * (g["OW"] + lc)
                              * s_in.channels * s_in.bits)
        else:
            lay.cores.append(Core("swg", "u_swg", dict(
                C=str(s_in.channels), SIMD=str(simd), EW=str(s_in.bits),
                **{k: str(v) for k, v in g.items()}), conns))
            lay.record.update(window=g, parallel_window=par, core="swg", buffer_bits=(
                (g["KH"] - 1) * g["DH"] + 2) * g["W"] * s_in.channels * s_in.bits)
    lay.lag_px = swg_lag(swg_geometry(ctx, node))
    return lay


def window_credits(clocks: int) -> int:
    """Windows ``swg_lb`` may have in flight (its ``credit_fifo`` DEPTH, ``CREDITS``) so that
    it emits one every ``clocks`` clocks inside a network: two (the register slice, no FIFO
    memory) for a consumer that takes a window every 4 or more clocks, else ceil(11 / clocks)
    (a promise's round trip through the FIFO memory is at most 11 clocks). Two credits keep a
    window every 3 clocks for the core alone (a paced bench keeps up), but not against its
    producer's and consumer's jitter in a network: the 1080p point at 3 clocks per pixel ran
    3.5 (1.17x its cycles, measured); ``rtl_tests/network/test_network.py``
    ``test_three_clock_folding_keeps_its_pace`` times it."""
    return 2 if clocks >= 4 else -(-11 // max(clocks, 1))


def _window_clocks(ctx: Context, node) -> int:
    """Clocks the consumers of a sliding window take per window (an MVAU: SF x NF fold
    steps); 1 when unknown."""
    out = []
    for c in ctx.model.find_consumers(node.output[0]) or []:
        if c.op_type.startswith("MVAU"):
            i = _inst(c)
            out.append((i.get_nodeattr("MW") // i.get_nodeattr("SIMD"))
                       * (i.get_nodeattr("MH") // i.get_nodeattr("PE")))
        else:
            out.append(1)
    return min(out) if out else 1


def emit_finn_rtl(ctx: Context, node) -> Layer:
    """A layer FINN generated as RTL (finn-rtllib's padding or sliding window via FINN's
    code generation): its wrapper instantiated as it is, the AXI-lite port tied off."""
    inst = _inst(node)
    s_in, s_out = in_stream(node), out_stream(node)
    lay = _layer(node, [s_in], [s_out])
    lay.files += [Path(f) for f in inst.get_rtl_file_list(abspath=True)]
    pi, po = inst.get_instream_width_padded(), inst.get_outstream_width_padded()
    conns = dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n", in0_V_TDATA=f"{pi}'(s0_tdata)",
                 in0_V_TVALID="s0_tvalid", in0_V_TREADY="s0_tready", out0_V_TDATA="opad_tdata",
                 out0_V_TVALID="m0_tvalid", out0_V_TREADY="m0_tready")
    if node.op_type == "FMPadding_rtl":
        # an idle AXI-lite port: floating inputs would write random dimensions
        for p in ("AWVALID", "AWADDR", "WVALID", "WDATA", "WSTRB", "BREADY", "ARVALID",
                  "ARADDR", "RREADY"):
            conns[f"s_axilite_{p}"] = "'0"
    lay.wires.append(("opad", po))
    lay.assigns.append(f"assign m0_tdata = opad_tdata[{s_out.width}-1:0];")
    lay.cores.append(Core(node.name, "u_finn", {}, conns))
    return lay


def emit_padding(ctx: Context, node) -> Layer:
    """FMPadding not absorbed by a sliding window: FINN's RTL."""
    return emit_finn_rtl(ctx, node)


EMITTERS: dict[str, Callable[[Context, object], Layer]] = {
    "MVAU": emit_mvau, "MVAU_hls": emit_mvau, "MVAU_rtl": emit_mvau,
    "Thresholding": emit_thresholding, "Thresholding_rtl": emit_thresholding,
    "Thresholding_hls": emit_thresholding,
    "ElementwiseAdd_hls": emit_eltwise, "ElementwiseSub_hls": emit_eltwise,
    "ElementwiseMul_hls": emit_eltwise,
    "DuplicateStreams_hls": emit_dup,
    "StreamingConcat_hls": emit_concat,
    "ConvolutionInputGenerator_rtl": emit_swg,
    "FMPadding_rtl": emit_padding,
}
