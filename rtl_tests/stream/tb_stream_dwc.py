# SPDX-License-Identifier: MIT
"""cocotb bench of hw/stream_dwc.sv: the element sequence must come out unchanged at any
width ratio, with random input gaps and output backpressure."""
import json
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

from hw.sim.host import from_words, to_words
from hw.sim.sim_env import random_pauses



@cocotb.test()
async def elements_pass_unchanged(dut):
    with open(os.environ["TB_DATA"]) as fh:
        d = json.load(fh)
    import numpy as np

    ew, ie, oe = d["elem_w"], d["in_elems"], d["out_elems"]
    elems = np.array(d["elems"])
    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.ap_clk, dut.ap_rst_n,
                          reset_active_level=False, byte_size=ie * ew)
    sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.ap_clk, dut.ap_rst_n,
                         reset_active_level=False, byte_size=oe * ew)
    src.set_pause_generator(random_pauses(1, 0.4))
    sink.set_pause_generator(random_pauses(2, 0.4))
    dut.ap_rst_n.value = 0
    await ClockCycles(dut.ap_clk, 3)
    dut.ap_rst_n.value = 1
    await RisingEdge(dut.ap_clk)
    await src.send(to_words(elems, ie, ew))
    got = []
    while len(got) < len(elems) // oe:
        frame = await with_timeout(sink.recv(), 100, "us")
        got.extend(int(w) for w in frame.tdata)
    out = from_words(got, oe, ew, signed=False)
    assert (out == elems).all(), "element order or values changed"
