# SPDX-License-Identifier: MIT
"""A resource model of this toolkit's RTL, per core type, calibrated on Yosys.

The generator builds a design as core instances with parameters (``hw.gen``); this model
predicts each core's cells from them, per resource class of the target (ECP5: LUT4, CARRY,
FF, LUTRAM, EBR, MULT18; Xilinx: LUT, CARRY, FF, LUTRAM, BRAM, DSP):

- block RAM and multiplier blocks are counted, not fitted: a memory's words and width give
  its blocks by the widest configuration that holds them (18 kb blocks of 512 x 36 ..
  16384 x 1, as Yosys maps them); a memory left to the tool (``auto``) goes to LUT RAM
  when its 16 x 4 LUT RAM cells number fewer than ``LUTRAM_PER_BLOCK`` per block it would
  take (the choice Yosys' ``memory_libmap`` made on every calibration memory), one declared
  ``block`` always to blocks, ``logic`` or ``distributed`` never; an int8 unit takes one
  multiplier per product on a block (its NDSP);
- LUTs, carries, flip-flops and LUT RAM are linear in a few features of each core type
  (``features``: XNOR bits, products in logic, adder-tree term bits, lanes, operand bits
  with one register stage or three, a logic ROM's output bits per 16 words, window bits,
  FIFO width and its banks, ...), with non-negative coefficients fitted by weighted least
  squares over the layer and buffer modules of synthesised builds
  (``benchmarks/resource_model.py`` writes ``hw/resmodel_<family>.json`` and reports the
  error per layer).

``ResourceModel.predict_design`` gives per layer, per buffer and in total, and ``need`` in
the device's budget classes (``hw.devices.need``).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLASSES = {"ecp5": ("LUT4", "CARRY", "FF", "LUTRAM"), "xilinx": ("LUT", "CARRY", "FF", "LUTRAM")}
BRAM = {"ecp5": "EBR", "xilinx": "BRAM"}
MULT = {"ecp5": "MULT18", "xilinx": "DSP"}
#: 18 kb block configurations (words, bits), as ECP5 DP16KD and Xilinx RAMB18 offer them
BLOCK_CONFIGS = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
#: Yosys (synth_ecp5) put an ``auto`` memory in LUT RAM when it needed fewer than this many
#: 16 x 4 cells per block RAM: measured on the calibration builds' 40 memories, LUT RAM at
#: 21 cells per block (48 x 27) and below, blocks at 24 (48 x 64, two blocks) and above
LUTRAM_PER_BLOCK = 22.5


def blocks(words: int, width: int) -> int:
    """18 kb blocks for a memory of ``words`` x ``width`` bits (the cheapest configuration)."""
    if words <= 0 or width <= 0:
        return 0
    return min(math.ceil(width / w) * math.ceil(words / d) for d, w in BLOCK_CONFIGS)


def _p(core, k, default=0) -> int:
    v = core.params.get(k, default)
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _s(core, k) -> str:
    return str(core.params.get(k, "")).strip('"')


def _depth_bits_rom(core) -> tuple[int, int, str]:
    """(words, width, style) of an MVAU's weight ROM."""
    mw, mh, simd, pe = (_p(core, k) for k in ("MW", "MH", "SIMD", "PE"))
    ww = pe * simd * max(_p(core, "W_W", 1), 1) if core.module == "mvtu_int" else pe * simd
    return (mw // simd) * (mh // pe), ww, _s(core, "WEIGHT_RAM") or "auto"


def memories(core) -> list[tuple[int, int, str]]:
    """The memories of a core: (words, width, style)."""
    m = core.module
    if m in ("xnor_mvtu", "mvtu_int"):
        words, width, style = _depth_bits_rom(core)
        sf, nf = _p(core, "MW") // _p(core, "SIMD"), _p(core, "MH") // _p(core, "PE")
        xw = _p(core, "SIMD") * (_p(core, "IN_W") if m == "mvtu_int" else 1)
        # the input buffer is read only by later neuron folds, and not kept at all when the
        # input is held at the producer (mvtu_fetch HOLD: LEAN with one synapse fold)
        ibuf = nf > 1 and not (_p(core, "LEAN") and sf == 1)
        return [(words, width, style)] + ([(sf, xw, _s(core, "IBUF_RAM") or "auto")] if ibuf else [])
    if m == "swg":
        c, simd, ew = _p(core, "C"), _p(core, "SIMD"), _p(core, "EW")
        rb = (_p(core, "KH") - 1) * _p(core, "DH") + 2
        return [(rb * _p(core, "W") * (c // simd), simd * ew, "auto")]
    if m == "swg_lb":
        kh, dh, kw, dw, pl = (_p(core, k) for k in ("KH", "DH", "KW", "DW", "PL"))
        mm = max(_p(core, "M", 1), 1)
        gl = math.ceil(((kw - 1) * dw - pl) / mm)
        dlb = dh * (_p(core, "OW") // mm + gl)
        return [(dlb, mm * _p(core, "C") * _p(core, "EW"), "auto")] * (kh - 1)
    if m == "stream_fifo":
        from hw.gen.passes import fifo_slice_bits
        w, bank = _p(core, "WIDTH"), _p(core, "BANK_WORDS")
        if not bank:
            return [(bd, w, "auto") for bd in fifo_banks(core)]
        sl = fifo_slice_bits(bank)          # each bank in slices of a block RAM's width
        return [(bd, min(sl, w - o), "auto") for bd in fifo_banks(core) for o in range(0, w, sl)]
    return []


def fifo_banks(core) -> list[int]:
    """Words of each memory bank of a stream_fifo, as the RTL builds it: banks of one block
    RAM's depth at its width (``BD0``) or of ``BANK_WORDS``, the last holding the rest; none
    for a register slice or a FIFO of at most eight words."""
    from hw.gen.passes import FIFO_OUT_WORDS, fifo_bank_words

    d, w = _p(core, "DEPTH"), _p(core, "WIDTH")
    if d <= FIFO_OUT_WORDS + 2:
        return []
    n = d - FIFO_OUT_WORDS
    bd = min(n, _p(core, "BANK_WORDS") or fifo_bank_words(w))
    return [bd] * (n // bd) + ([n % bd] if n % bd else [])


def lutram_cells(words: int, width: int) -> int:
    """16 x 4 LUT RAM cells (ECP5 DPR16X4) of a memory of ``words`` x ``width`` bits."""
    return math.ceil(words / 16) * math.ceil(width / 4) if words > 0 and width > 0 else 0


def in_blocks(words: int, width: int, style: str) -> bool:
    """Whether a memory takes block RAM (see ``LUTRAM_PER_BLOCK``)."""
    if words <= 0 or width <= 0 or style in ("logic", "distributed"):
        return False
    if style == "block":
        return True
    return lutram_cells(words, width) >= LUTRAM_PER_BLOCK * blocks(words, width)


def block_count(core) -> int:
    """Block RAMs of a core: its memories that go to blocks."""
    return sum(blocks(w, b) for w, b, s in memories(core) if in_blocks(w, b, s))


def lutram_count(core) -> int:
    """LUT RAM cells of a core's memories that go to LUT RAM (not logic ROMs)."""
    return sum(lutram_cells(w, b) for w, b, s in memories(core)
               if s != "logic" and not in_blocks(w, b, s))


def multipliers(core) -> int:
    if core.module != "mvtu_int" or _p(core, "W_BIPOLAR"):
        return 0
    prod = _p(core, "PE") * _p(core, "SIMD")
    nd = _p(core, "NDSP", -1)
    return prod if nd < 0 else min(nd, prod)


def features(core) -> dict[str, float]:
    """The features the fitted classes are linear in, per core type (``1``: a constant)."""
    m = core.module
    f = {"1": 1.0}
    cells = lutram_count(core)
    if cells:
        f["lutram"] = cells
    if m in ("xnor_mvtu", "mvtu_int"):
        words, width, style = _depth_bits_rom(core)
        # a logic ROM: one LUT4 per output bit and 16 words (its address decoded in the LUT)
        f.update(rom_lut=width * math.ceil(words / 16) if style == "logic" else 0,
                 rom_small=width * words if style != "logic" and words <= 16 else 0)
        # operand bits: three register stages, or one where the unit is LEAN (mvtu_fetch)
        xw = _p(core, "SIMD") * (_p(core, "IN_W") if m == "mvtu_int" else 1)
        f.update(xw=0 if _p(core, "LEAN") else xw, xw_lean=xw if _p(core, "LEAN") else 0)
    if m == "xnor_mvtu":
        # the group counts in LUTs (bits) or in carry chains (cbits: CARRY_COUNT)
        b = _p(core, "PE") * _p(core, "SIMD")
        cc = _p(core, "CARRY_COUNT", 0)
        f.update(bits=0 if cc else b, cbits=b if cc else 0,
                 lanes=_p(core, "PE") * _p(core, "CNT_W"))
    elif m == "mvtu_int":
        prod = _p(core, "PE") * _p(core, "SIMD")
        xb = _p(core, "IN_W") + 1
        bip = _p(core, "W_BIPOLAR")
        logic = 0 if bip else prod - multipliers(core)
        # the Booth rows the logic products keep (hw.gen.emit.live_booth_rows), else all
        rows = getattr(core, "stats", {}).get("booth_rows", logic * ((_p(core, "W_W") + 1) // 2))
        # a Booth row's partial-product bit is a function of two input bits and its digit,
        # and the digit of the ROM's address bits: one weight word folds it to a constant,
        # each address bit more is one more LUT input (t_small6, 6 words, took about three
        # times the LUT4 per row bit of par16, 2 words)
        sel = math.ceil(math.log2(max(words, 1)))
        f.update(terms=0 if bip else prod * (xb + _p(core, "W_W")),
                 logic_mults=rows * xb, logic_mults_sel=rows * xb * sel,
                 logic_products=logic * (xb + _p(core, "W_W")),
                 # the selects in LUTs (binw) or inside the carry chains (binw_cs: CARRY_SEL)
                 binw=prod * xb if bip and not _p(core, "CARRY_SEL", 0) else 0,
                 binw_cs=prod * xb if bip and _p(core, "CARRY_SEL", 0) else 0,
                 lanes=_p(core, "PE") * _p(core, "ACC_W"))
    elif m == "requant_arith":
        # a factor 3/5/7 (HAS_MUL) is one more Z_W-wide add per lane: counted as a second z
        f.update(inb=_p(core, "PE") * _p(core, "IN_W"),
                 z=_p(core, "PE") * _p(core, "Z_W") * (1 + _p(core, "HAS_MUL", 0)),
                 outb=_p(core, "PE") * _p(core, "OUT_W"), forms=_p(core, "NP") * _p(core, "Z_W"))
    elif m == "thresh_bsearch":
        f.update(cmp=_p(core, "PE") * _p(core, "B") * _p(core, "T_W"),
                 mem=_p(core, "PE") * _p(core, "NC") * ((1 << _p(core, "B")) - 1) * _p(core, "T_W"))
    elif m == "swg":
        f.update(dw=_p(core, "SIMD") * _p(core, "EW"),
                 ctr=math.log2(max(_p(core, "H") * _p(core, "W"), 2)))
    elif m == "swg_lb":
        kh, kw, dw, pl = (_p(core, k) for k in ("KH", "KW", "DW", "PL"))
        mm = max(_p(core, "M", 1), 1)
        px = _p(core, "C") * _p(core, "EW")
        ncol = math.ceil(((kw - 1) * dw - pl) / mm) * mm + mm + pl
        owd = mm * kh * kw * px
        slow = _p(core, "CREDITS") <= 2
        f.update(win=ncol * kh * px, lines=(kh - 1) * mm * px, inb=mm * px,
                 out_slice=owd if slow else 0, out_fifo=0 if slow else owd,
                 ctr=math.log2(max(_p(core, "H") * _p(core, "W"), 2)))
    elif m == "eltwise_add":
        f.update(w=_p(core, "PE") * (_p(core, "A_W") + _p(core, "B_W") + _p(core, "OUT_W")))
    elif m == "eltwise_const":
        f.update(w=_p(core, "PE") * (_p(core, "IN_W") + _p(core, "OUT_W")))
    elif m == "stream_dup":
        f.update(w=_p(core, "WIDTH") * _p(core, "N"))
    elif m == "stream_concat":
        f.update(w=_p(core, "SIMD") * _p(core, "EW") * _p(core, "N"))
    elif m == "stream_dwc":
        f.update(w=_p(core, "IN_W") + _p(core, "OUT_W"))
    elif m == "stream_fifo":
        d, w = _p(core, "DEPTH"), _p(core, "WIDTH")
        nbk = len(fifo_banks(core))
        # banks past the first: each a read-data multiplexer input and a write select
        f.update(slice=w if d <= 2 else 0, ram=w if d > 2 else 0,
                 small_mem=w * (d - 6) if 2 < d and d - 6 <= 16 else 0,
                 bank_mux=w * (nbk - 1) if nbk > 1 else 0)
    return f


class _Pseudo:
    """A buffer's converter or FIFO in the shape of a ``hw.gen.design.Core``."""

    def __init__(self, module: str, params: dict):
        self.module, self.params = module, {k: str(v) for k, v in params.items()}


def edge_cores(edge) -> list:
    """The cores of an edge's buffer module (a width converter when the formats differ, and
    a FIFO of ``depth`` words, or its chain of stages)."""
    out = []
    if edge.fmt_src.elems != edge.fmt_dst.elems:
        out.append(_Pseudo("stream_dwc", {"IN_W": edge.fmt_src.width, "OUT_W": edge.fmt_dst.width}))
    if edge.depth:          # 0: a wire (hw.gen.passes.WIRE_MIN_BITS); a chain: each stage
        from hw.gen.passes import fifo_params

        for d in edge.fifo_depths:
            out.append(_Pseudo("stream_fifo", fifo_params(edge.fmt_dst.width, d)))
    return out


class ResourceModel:
    """Coefficients per (core type, class, feature); see the module docstring."""

    def __init__(self, family: str, coef: dict | None = None, meta: dict | None = None):
        self.family, self.coef, self.meta = family, coef or {}, meta or {}

    @classmethod
    def path(cls, family: str) -> Path:
        return HERE / f"resmodel_{family}.json"

    @classmethod
    def load(cls, family: str) -> "ResourceModel":
        p = cls.path(family)
        if not p.is_file():
            from model.errors import ToolkitError

            raise ToolkitError(f"{p}: no resource model for {family}; run "
                               "benchmarks/resource_model.py to calibrate one")
        d = json.loads(p.read_text())
        return cls(family, d["coef"], d.get("meta"))

    def save(self) -> Path:
        p = self.path(self.family)
        p.write_text(json.dumps({"family": self.family, "coef": self.coef, "meta": self.meta},
                                indent=1, sort_keys=True) + "\n")
        return p

    def predict_cores(self, cores) -> dict:
        out = {k: 0.0 for k in CLASSES[self.family]}
        out[BRAM[self.family]] = 0
        out[MULT[self.family]] = 0
        for c in cores:
            f = features(c)
            for cls in CLASSES[self.family]:
                w = self.coef.get(c.module, {}).get(cls, {})
                out[cls] += sum(w.get(k, 0.0) * v for k, v in f.items())
            out[BRAM[self.family]] += block_count(c)
            out[MULT[self.family]] += multipliers(c)
        return out

    def predict_design(self, design) -> dict:
        from hw.devices import need

        layers = {l.name: self.predict_cores(l.cores) for l in design.layers}
        bufs = [self.predict_cores(edge_cores(e)) for e in design.edges]
        total: dict = {}
        for v in list(layers.values()) + bufs:
            for k, x in v.items():
                total[k] = total.get(k, 0) + x
        return {"layers": layers, "buffers": bufs, "total": total,
                "need": need(total, self.family)}


def design_cores(design) -> dict[str, list]:
    """Per layer module ``u_<name>`` and buffer ``u_b<i>``, its cores (the units the
    per-layer synthesis reports)."""
    out = {f"u_{l.name}": l.cores for l in design.layers}
    out.update({f"u_b{i}": edge_cores(e) for i, e in enumerate(design.edges)})
    return out


#: the smallest count a module's fitting weight assumes (``fit``)
FIT_FLOOR = 100.0


def fit(samples: list[tuple[list, dict]], family: str) -> ResourceModel:
    """Least squares with non-negative coefficients: for every class, the measured count of
    each module (a list of cores) against the sum of its cores' features, one coefficient
    block per core type. Each module's row is weighted by one over the square root of its
    count (at least ``FIT_FLOOR``): unweighted, the video networks' modules of tens of
    thousands of cells set every coefficient and the tiny calibration builds were left
    10-20 % over (measured on the calibration builds)."""
    import numpy as np
    from scipy.optimize import nnls

    cols = sorted({(c.module, k) for cores, _ in samples for c in cores for k in features(c)})
    idx = {c: i for i, c in enumerate(cols)}
    A = np.zeros((len(samples), len(cols)))
    for r, (cores, _) in enumerate(samples):
        for c in cores:
            for k, v in features(c).items():
                A[r, idx[(c.module, k)]] += v
    coef: dict = {}
    scale = np.maximum(np.abs(A).max(0), 1e-9)
    for cls in CLASSES[family]:
        y = np.array([m.get(cls, 0) for _, m in samples], dtype=float)
        w = 1.0 / np.sqrt(np.maximum(y, FIT_FLOOR))
        x, _ = nnls(A / scale * w[:, None], y * w)
        x = x / scale
        for (mod, k), v in zip(cols, x):
            if v > 0:
                coef.setdefault(mod, {}).setdefault(cls, {})[k] = float(v)
    return ResourceModel(family, coef)
