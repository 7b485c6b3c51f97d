# SPDX-License-Identifier: MIT
"""The requantiser cores against FINN's execution of the same thresholds (a Thresholding
node), every output compared with ``==``, random input gaps and output backpressure:

- hw/rtl/requant_arith.sv with the form hw.gen proved for each requantiser of a tiny BTM
  export, driven over the node's whole input range on every channel (lanes replicate the
  channels and split the range), and at a real node's folding;
- hw/rtl/thresh_bsearch.sv with a BN export's irregular thresholds, whole range;
- negative controls: one threshold moved by one in the golden node must fail the bench.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from qonnx.custom_op.registry import getCustomOp

from hw.gen import load_partition
from hw.gen.design import Layer, Stream
from hw.gen.emit import Context, arith_params, requantiser
from hw.gen.literals import write_text
from hw.gen.requant import ArithForm, fit_arith, int_thresholds
from hw.sim.golden import execute, thresholding_model
from hw.gen.render import CORE_FILES
from rtl_tests.simrun import HW
from rtl_tests.words import run_checked, run_words
from tests.builds import tiny_build


def requant_nodes(build):
    """Every requantiser of a build: (name, thresholds, ActVal, per-channel input range,
    input bits/signed, output bits/signed, PE)."""
    m, _ = load_partition(build)
    out = []
    for n in m.graph.node:
        inst = getCustomOp(n)
        if n.op_type.startswith("MVAU") and len(n.input) > 2:
            W = m.get_initializer(n.input[1]).astype(np.int64)
            if inst.get_nodeattr("binaryXnorMode"):
                ranges = [(0, W.shape[0])] * W.shape[1]
                bits, signed = max(1, W.shape[0].bit_length()), False
            else:
                idt = inst.get_input_datatype()
                lo = np.minimum(W * int(idt.min()), W * int(idt.max())).sum(0)
                hi = np.maximum(W * int(idt.min()), W * int(idt.max())).sum(0)
                ranges = list(zip(lo.tolist(), hi.tolist()))
                bits = max(int(-lo.min()).bit_length(), int(hi.max()).bit_length()) + 1
                signed = True
            T = m.get_initializer(n.input[2])
        elif n.op_type.startswith("Thresholding"):
            idt = inst.get_input_datatype()
            T = m.get_initializer(n.input[1])
            ranges = [(int(idt.min()), int(idt.max()))] * inst.get_nodeattr("NumChannels")
            bits, signed = idt.bitwidth(), bool(idt.signed())
        else:
            continue
        odt = inst.get_output_datatype()
        out.append(dict(name=n.name, T=T, act=inst.get_nodeattr("ActVal"), ranges=ranges,
                        in_bits=bits, in_signed=signed, out_bits=odt.bitwidth(),
                        out_signed=bool(odt.signed()), pe=inst.get_nodeattr("PE")))
    return out


def dt(bits, signed):
    return f"{'INT' if signed else 'UINT'}{bits}" if bits > 1 or signed else "BINARY"


def golden(T, lanes, x, node, chunk=4096):
    """FINN's execution of a Thresholding node with thresholds T on x (n, lanes), in chunks
    (the node compares every input with every threshold at once)."""
    m = thresholding_model(T, lanes, lanes, dt(node["in_bits"], node["in_signed"]),
                           dt(node["out_bits"], node["out_signed"]), node["act"], chunk)
    pad = -len(x) % chunk
    xp = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)])
    return np.concatenate([execute(m, xp[i:i + chunk]) for i in range(0, len(xp), chunk)])[:len(x)]


@pytest.fixture(scope="module")
def btm(tmp_path_factory):
    return requant_nodes(tiny_build(tmp_path_factory.mktemp("btm")))


@pytest.fixture(scope="module")
def bn(tmp_path_factory):
    return requant_nodes(tiny_build(tmp_path_factory.mktemp("bn"), arch="edsr_bn_x2_c8_b1"))


def full_range_case(node, max_lanes=32, beats=4096):
    """Lanes = channels x slices of the range: beat i of lane (slice r, channel c) carries
    x = lo_c + r * n + i (clipped to hi_c), so n beats cover every input of every channel."""
    T = node["T"]
    rows = T.shape[0]
    ranges = node["ranges"] if rows > 1 else [(min(r[0] for r in node["ranges"]),
                                               max(r[1] for r in node["ranges"]))]
    span = max(b - a + 1 for a, b in ranges)
    slices = max(1, min(max_lanes // rows, math.ceil(span / beats)))
    n = math.ceil(span / slices)
    lanes = slices * rows
    x = np.empty((n, lanes), dtype=np.int64)
    for j in range(lanes):
        r, c = divmod(j, rows)
        a, b = ranges[c]
        x[:, j] = np.minimum(a + r * n + np.arange(n), b)
    return x, np.concatenate([T] * slices), [ranges[j % rows] for j in range(lanes)], lanes


def run_arith(tmp, node, form, x, lanes, ranges, T_golden, nf=1):
    s_in = Stream(lanes // nf if nf > 1 else lanes, node["in_bits"], node["in_signed"], lanes)
    params = arith_params(form, s_in, ranges)
    params.update(PE=str(s_in.elems), NF=str(nf), IN_W=str(node["in_bits"]),
                  IN_SIGNED=str(int(node["in_signed"])), OUT_W=str(node["out_bits"]))
    y = golden(T_golden, lanes, x, node)
    pe = s_in.elems
    return run_checked("requant_arith", [HW / f for f in CORE_FILES["requant_arith"]], params, tmp,
                       x.reshape(-1, pe), node["in_bits"], node["in_signed"],
                       y.reshape(-1, pe), node["out_bits"], node["out_signed"])


@pytest.mark.rtlsim
def test_every_arithmetic_requantiser_over_its_whole_range(btm, tmp_path):
    """One bench per requantiser of the export (the head's and tail's accumulators included),
    each over every input of every channel's range."""
    assert len(btm) >= 5
    for k, node in enumerate(btm):
        form, why = fit_arith(node["T"], node["act"], node["ranges"])
        assert form is not None, f"{node['name']}: {why}"
        x, T_lanes, ranges, lanes = full_range_case(node)
        rep = ArithForm(form.lo, form.hi, [form.channels[j % len(form.channels)] for j in range(lanes)])
        d = tmp_path / f"n{k}"
        d.mkdir()
        assert run_arith(d, node, rep, x, lanes, ranges, T_lanes) == (1, 0), node["name"]


@pytest.mark.rtlsim
def test_arithmetic_requantiser_at_a_real_folding(btm, tmp_path):
    """The body conv's requantiser as the layer has it: PE lanes, channels folded, one
    parameter set per channel, whole popcount range."""
    node = next(n for n in btm if n["T"].shape[0] > 1 and not n["in_signed"])
    c = node["T"].shape[0]
    form, _ = fit_arith(node["T"], node["act"], node["ranges"])
    a, b = node["ranges"][0]
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)  # every input on every channel
    assert run_arith(tmp_path, node, form, x, c, node["ranges"], node["T"],
                     nf=c // node["pe"]) == (1, 0)


@pytest.mark.rtlsim
def test_arithmetic_negative_control_threshold_moved_by_one(btm, tmp_path):
    node = next(n for n in btm if n["T"].shape[0] > 1 and not n["in_signed"])
    c = node["T"].shape[0]
    form, _ = fit_arith(node["T"], node["act"], node["ranges"])
    a, b = node["ranges"][0]
    t = int_thresholds(node["T"])[0]
    k = int(np.flatnonzero((t > a) & (t <= b) & (np.diff(t, append=b + 2) > 0))[0])
    moved = node["T"].copy()
    moved[0, k] += 1
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)
    assert run_arith(tmp_path, node, form, x, c, node["ranges"], moved, nf=c // node["pe"]) == (1, 1)


def run_bsearch(tmp, node, T_golden, pe):
    c = node["T"].shape[0]
    a, b = node["ranges"][0]
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)
    lay = Layer("t", "test", [], [], [], [])
    core = requantiser(Context(None, str(tmp)), "rq", node["T"], node["act"],
                       Stream(pe, node["in_bits"], node["in_signed"], c), node["out_bits"],
                       node["ranges"], "s", "m", lay)
    assert core.module == "thresh_bsearch", lay.record
    for name, text in lay.mems.items():
        write_text(tmp / name, text)
    y = golden(T_golden, c, x, node)
    return run_words("thresh_bsearch", [HW / f for f in CORE_FILES["thresh_bsearch"]], core.params, tmp,
                     x.reshape(-1, pe), node["in_bits"], node["in_signed"], y.reshape(-1, pe),
                     node["out_bits"], node["out_signed"])


@pytest.mark.rtlsim
@pytest.mark.parametrize("pe", [1, 2, 8])
def test_threshold_memory_matches_finn_on_bn_thresholds(bn, tmp_path, pe):
    """A folded BN's thresholds have no closed form: binary search over a threshold memory,
    every popcount on every channel, at several foldings."""
    node = next(n for n in bn if n["T"].shape[0] > 1 and not n["in_signed"])
    assert fit_arith(node["T"], node["act"], node["ranges"])[0] is None
    assert run_bsearch(tmp_path, node, node["T"], pe) == (1, 0)


@pytest.mark.rtlsim
def test_threshold_memory_negative_control(bn, tmp_path):
    node = next(n for n in bn if n["T"].shape[0] > 1 and not n["in_signed"])
    a, b = node["ranges"][0]
    t = int_thresholds(node["T"])[3]
    k = int(np.flatnonzero((t > a) & (t <= b) & (np.diff(t, append=b + 2) > 0))[0])
    moved = node["T"].copy()
    moved[3, k] += 1
    assert run_bsearch(tmp_path, node, moved, 2) == (1, 1)


@pytest.mark.rtlsim
def test_arithmetic_negative_control_lean_path(btm, tmp_path):
    """The two-stage form (one fold: every lane's parameters constant), a threshold moved by
    one: the bench must fail."""
    node = next(n for n in btm if n["T"].shape[0] > 1 and not n["in_signed"])
    c = node["T"].shape[0]
    form, _ = fit_arith(node["T"], node["act"], node["ranges"])
    a, b = node["ranges"][0]
    t = int_thresholds(node["T"])[0]
    k = int(np.flatnonzero((t > a) & (t <= b) & (np.diff(t, append=b + 2) > 0))[0])
    moved = node["T"].copy()
    moved[0, k] += 1
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)
    assert run_arith(tmp_path, node, form, x, c, node["ranges"], moved, nf=1) == (1, 1)


@pytest.fixture(scope="module")
def m3_tail(tmp_path_factory):
    """The tail requantiser of a binary-weight upsampler whose α has a 3-bit significand
    (``_bintailm3``), its form proven on the union of its channels' ranges (a form with
    factor 3, 5 or 7 on some channel), and that range."""
    b = tiny_build(tmp_path_factory.mktemp("m3"), arch="edsr_btm_x2_c8_b1_bintailm3", steps=30)
    for node in requant_nodes(b):
        ab = (min(r[0] for r in node["ranges"]), max(r[1] for r in node["ranges"]))
        form, _ = fit_arith(node["T"], node["act"], [ab] * node["T"].shape[0])
        if form is not None and any(p.mul != 1 for c in form.channels for p in (c.pos, c.neg)):
            return node, form, ab
    raise AssertionError("no requantiser of the _bintailm3 build needs a factor")


@pytest.mark.rtlsim
@pytest.mark.parametrize("nf", [1, 3])
def test_arithmetic_requantiser_with_odd_factors_over_its_whole_range(m3_tail, tmp_path, nf):
    """Every accumulator value on every channel, constant parameters (one fold) and looked-up
    tables (three folds)."""
    node, form, (a, b) = m3_tail
    c = node["T"].shape[0]
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)
    assert run_arith(tmp_path, node, form, x, c, [(a, b)] * c, node["T"], nf=nf) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("nf", [1, 3])
def test_arithmetic_requantiser_with_odd_factors_negative_control(m3_tail, tmp_path, nf):
    """A threshold of a channel with a factor moved by one: the bench must fail."""
    node, form, (a, b) = m3_tail
    c = node["T"].shape[0]
    ch = next(i for i, f in enumerate(form.channels) if f.pos.mul != 1)
    t = int_thresholds(node["T"])[ch]
    k = int(np.flatnonzero((t > a) & (t <= b) & (np.diff(t, append=b + 2) > 0))[0])
    moved = node["T"].copy()
    moved[ch, k] += 1
    x = np.repeat(np.arange(a, b + 1)[:, None], c, axis=1)
    assert run_arith(tmp_path, node, form, x, c, [(a, b)] * c, moved, nf=nf) == (1, 1)
