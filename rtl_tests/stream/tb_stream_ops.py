# SPDX-License-Identifier: MIT
"""cocotb benches of the stream operators (hw/eltwise_add.sv, hw/eltwise_const.sv,
hw/stream_dup.sv, hw/stream_concat.sv) with random input gaps and output backpressure on every stream;
expected values computed by pytest from hw.golden and passed in TB_DATA."""
import json
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

from hw.sim.host import from_words, to_words
from hw.sim.sim_env import random_pauses


async def _start(dut):
    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    dut.ap_rst_n.value = 0
    await ClockCycles(dut.ap_clk, 3)
    dut.ap_rst_n.value = 1
    await RisingEdge(dut.ap_clk)


def _source(dut, prefix, width, seed):
    s = AxiStreamSource(AxiStreamBus.from_prefix(dut, prefix), dut.ap_clk, dut.ap_rst_n,
                        reset_active_level=False, byte_size=width)
    s.set_pause_generator(random_pauses(seed, 0.4))
    return s


def _sink(dut, prefix, width, seed):
    s = AxiStreamSink(AxiStreamBus.from_prefix(dut, prefix), dut.ap_clk, dut.ap_rst_n,
                      reset_active_level=False, byte_size=width)
    s.set_pause_generator(random_pauses(seed, 0.4))
    return s


async def _collect(sink, n):
    got = []
    while len(got) < n:
        frame = await with_timeout(sink.recv(), 200, "us")
        got.extend(int(w) for w in frame.tdata)
    return got


@cocotb.test()
async def stream_op(dut):
    with open(os.environ["TB_DATA"]) as fh:
        d = json.load(fh)
    op, pe, ew = d["op"], d["pe"], d["ew"]
    await _start(dut)
    if op == "add":
        a, b, exp = (np.array(d[k]) for k in ("a", "b", "expected"))
        sa, sb = _source(dut, "a", pe * ew, 1), _source(dut, "b", pe * ew, 2)
        sink = _sink(dut, "m_axis", pe * d["ow"], 3)
        await sa.send(to_words(a, pe, ew))
        await sb.send(to_words(b, pe, ew))
        got = from_words(await _collect(sink, len(exp) // pe), pe, d["ow"], signed=True)
        assert (got == exp).all(), "sum differs"
    elif op == "mulc":
        x, exp = np.array(d["x"]), np.array(d["expected"])
        src = _source(dut, "s_axis", pe * ew, 1)
        sink = _sink(dut, "m_axis", pe * d["ow"], 3)
        await src.send(to_words(x, pe, ew))
        got = from_words(await _collect(sink, len(exp) // pe), pe, d["ow"], signed=True)
        assert (got == exp).all(), "product differs"
    elif op == "dup":
        x = np.array(d["x"])
        src = _source(dut, "s_axis", pe * ew, 1)
        await src.send(to_words(x, pe, ew))
        # the N outputs share one bus vector: sample each lane's handshake directly
        n = d["n"]
        rng = np.random.default_rng(5)
        got = [[] for _ in range(n)]
        dut.m_axis_tready.value = 0
        while min(len(g) for g in got) < len(x) // pe:
            ready = int("".join("1" if rng.random() < 0.6 else "0" for _ in range(n)), 2)
            dut.m_axis_tready.value = ready
            await RisingEdge(dut.ap_clk)
            valid = int(dut.m_axis_tvalid.value)
            data = int(dut.m_axis_tdata.value)
            for i in range(n):
                if (valid >> i) & 1 and (ready >> i) & 1:
                    got[i].append((data >> (i * pe * ew)) & ((1 << (pe * ew)) - 1))
        for g in got:
            assert (from_words(g, pe, ew, signed=False) == x).all(), "an output lost or reordered data"
    else:  # concat
        parts = [np.array(p) for p in d["parts"]]
        exp = np.array(d["expected"])
        sources = []
        # the N inputs share one bus vector as well: drive them lane by lane
        n = len(parts)
        words = [to_words(p.reshape(-1), pe, ew) for p in parts]
        idx = [0] * n
        sink = _sink(dut, "m_axis", pe * ew, 3)
        rng = np.random.default_rng(6)
        total = sum(len(w) for w in words)

        async def drive():
            while min(i >= len(w) for i, w in zip(idx, words)) is False:
                valid, data = 0, 0
                for i in range(n):
                    if idx[i] < len(words[i]) and rng.random() < 0.6:
                        valid |= 1 << i
                        data |= words[i][idx[i]] << (i * pe * ew)
                dut.s_axis_tvalid.value = valid
                dut.s_axis_tdata.value = data
                await RisingEdge(dut.ap_clk)
                ready = int(dut.s_axis_tready.value)
                for i in range(n):
                    if (valid >> i) & 1 and (ready >> i) & 1:
                        idx[i] += 1
                if all(i >= len(w) for i, w in zip(idx, words)):
                    break
            dut.s_axis_tvalid.value = 0

        del sources
        cocotb.start_soon(drive())
        got = from_words(await _collect(sink, total), pe, ew, signed=False)
        assert (got == exp.reshape(-1)).all(), "concatenation order differs"
