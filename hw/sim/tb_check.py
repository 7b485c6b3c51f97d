# SPDX-License-Identifier: MIT
"""cocotb bench around hw/sim/stream_check.sv: clock (in the simulator, no Python per
cycle), reset, wait for ``done``, then every output word must have matched."""
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout


@cocotb.test()
async def all_words_match(dut):
    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    dut.ap_rst_n.value = 0
    await ClockCycles(dut.ap_clk, 3)
    dut.ap_rst_n.value = 1
    await with_timeout(RisingEdge(dut.done), int(os.environ["TB_CYCLES"]) * 10, "ns")
    bad, first, cycles = (int(dut.mismatches.value), int(dut.first_bad.value),
                          int(dut.cycles.value))
    dut._log.info(f"{cycles} cycles, {bad} words differ")
    assert bad == 0, f"{bad} output words differ from FINN's execution; first at word {first}"
