# SPDX-License-Identifier: MIT
"""cocotb bench of the matrix-vector-threshold cores (hw/xnor_mvtu.sv, hw/mvtu_int.sv):
random input gaps and output backpressure, every output compared with ``==`` to FINN's
Python execution of the same MVAU node (computed by pytest, passed in TB_DATA)."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

from hw.golden import pack_bits, unpack_lanes
from hw.sim_env import random_pauses



class TB:
    def __init__(self, dut, data):
        self.dut = dut
        self.simd, self.pe, self.in_w = int(data["simd"]), int(data["pe"]), int(data["in_w"])
        self.out_w, self.signed = int(data["out_w"]), bool(data["signed"])
        cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
        # one stream word per "byte": FINN streams are not byte-aligned (SIMD bits, PE lanes)
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.ap_clk,
                                      dut.ap_rst_n, reset_active_level=False,
                                      byte_size=self.simd * self.in_w)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.ap_clk,
                                  dut.ap_rst_n, reset_active_level=False,
                                  byte_size=self.pe * self.out_w)

    async def reset(self):
        self.dut.ap_rst_n.value = 0
        await ClockCycles(self.dut.ap_clk, 3)
        self.dut.ap_rst_n.value = 1
        await RisingEdge(self.dut.ap_clk)


@cocotb.test()
async def stream_matches_finn_node(dut):
    data = np.load(os.environ["TB_DATA"])
    tb = TB(dut, data)
    p_in, p_out = float(data["pause_in"]), float(data["pause_out"])
    if p_in:
        tb.source.set_pause_generator(random_pauses(1, p_in))
    if p_out:
        tb.sink.set_pause_generator(random_pauses(2, p_out))
    await tb.reset()
    x, expected = data["x"], data["expected"]
    words = [w for vec in x for w in pack_bits(vec, tb.simd, tb.in_w)]
    await tb.source.send(words)
    nf = expected.shape[1] // tb.pe
    got = []
    while len(got) < len(x) * nf * tb.pe:
        frame = await tb.sink.recv()
        for word in frame.tdata:
            got.extend(unpack_lanes(int(word), tb.pe, tb.out_w, tb.signed))
    got = np.array(got).reshape(expected.shape)
    bad = np.argwhere(got != expected)
    cycles = cocotb.utils.get_sim_time("ns") / 10
    dut._log.info(f"{len(x)} vectors in {cycles:.0f} cycles")
    assert len(bad) == 0, (f"{len(bad)} of {got.size} outputs differ; first at {bad[0].tolist()}: "
                           f"got {got[tuple(bad[0])]}, expected {expected[tuple(bad[0])]}")
