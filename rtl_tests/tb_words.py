# SPDX-License-Identifier: MIT
"""cocotb bench of any one-input, one-output stream core: sends the input words with random
input gaps, takes the output with random backpressure, and compares every output word with
``==`` to the expected words (computed by pytest from FINN's node execution, packed with
``hw.gen.literals``). TB_DATA: an .npz with ``in_words``/``out_words`` (hex strings),
``in_width``, ``out_width``, ``pause_in``, ``pause_out``; optionally ``max_cycles``: the
clocks from the start of reset to the last output word may not exceed it."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

from hw.sim.sim_env import random_pauses


@cocotb.test()
async def words_match(dut):
    d = np.load(os.environ["TB_DATA"])
    words = [int(w, 16) for w in d["in_words"]]
    expected = [int(w, 16) for w in d["out_words"]]
    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    # one stream word per "byte": FINN streams are not byte-aligned
    src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.ap_clk, dut.ap_rst_n,
                          reset_active_level=False, byte_size=int(d["in_width"]))
    sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.ap_clk, dut.ap_rst_n,
                         reset_active_level=False, byte_size=int(d["out_width"]))
    src.log.setLevel("WARNING")
    sink.log.setLevel("WARNING")
    if float(d["pause_in"]):
        src.set_pause_generator(random_pauses(1, float(d["pause_in"])))
    if float(d["pause_out"]):
        sink.set_pause_generator(random_pauses(2, float(d["pause_out"])))
    dut.ap_rst_n.value = 0
    await ClockCycles(dut.ap_clk, 3)
    dut.ap_rst_n.value = 1
    await RisingEdge(dut.ap_clk)
    await src.send(words)
    got = []
    while len(got) < len(expected):
        frame = await with_timeout(sink.recv(), 100 * (len(expected) + 100), "ns")
        got.extend(int(w) for w in frame.tdata)
    bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    dut._log.info(f"{len(got)} words in {cocotb.utils.get_sim_time('ns') / 10:.0f} cycles, "
                  f"{len(bad)} differ")
    assert not bad, (f"{len(bad)} of {len(expected)} output words differ; first at word {bad[0]}: "
                     f"got {got[bad[0]]:x}, expected {expected[bad[0]]:x}")
    cycles = cocotb.utils.get_sim_time("ns") / 10
    max_cycles = int(d["max_cycles"]) if "max_cycles" in d.files else 0
    assert not max_cycles or cycles <= max_cycles, \
        f"{len(got)} words took {cycles:.0f} cycles, more than {max_cycles}"
