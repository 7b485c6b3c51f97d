# SPDX-License-Identifier: MIT
"""cocotb bench of the stitched network (hw.gen's sr_top): frames in back to back with random
input gaps and output backpressure; writes the output words, the cycle at which each frame
was complete and the highest fill of every FIFO (``hw.sim.network`` compares the images
with the PyTorch golden output)."""
import json
import logging
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

from hw.sim.sim_env import random_pauses


@cocotb.test()
async def network_frames(dut):
    with open(os.environ["TB_DATA"]) as fh:
        data = json.load(fh)  # stream words may be wider than 64 bits: hex strings
    in_w, out_w = int(data["in_width"]), int(data["out_width"])
    per_frame = int(data["out_words_per_frame"])
    frames = [[int(w, 16) for w in f] for f in data["in_words"]]
    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.ap_clk, dut.ap_rst_n,
                          reset_active_level=False, byte_size=in_w)
    sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.ap_clk, dut.ap_rst_n,
                         reset_active_level=False, byte_size=out_w)
    # one log line per stream word would bury the result (tens of thousands per frame)
    src.log.setLevel(logging.WARNING)
    sink.log.setLevel(logging.WARNING)
    if float(data["pause_in"]):
        src.set_pause_generator(random_pauses(1, float(data["pause_in"])))
    if float(data["pause_out"]):
        sink.set_pause_generator(random_pauses(2, float(data["pause_out"])))
    counts = {}
    if os.environ.get("TB_COUNT"):
        edges = [h._name[:-7] for h in dut if h._name.endswith("_tvalid")]
        sigs = [(e, getattr(dut, e + "_tvalid"), getattr(dut, e + "_tready")) for e in edges]

        async def monitor():
            while True:
                await RisingEdge(dut.ap_clk)
                for e, v, r in sigs:
                    if int(v.value) and int(r.value):
                        counts[e] = counts.get(e, 0) + 1
        cocotb.start_soon(monitor())
    dut.ap_rst_n.value = 0
    await ClockCycles(dut.ap_clk, 4)
    dut.ap_rst_n.value = 1
    await RisingEdge(dut.ap_clk)
    t0 = cocotb.utils.get_sim_time("ns")
    for f in frames:
        await src.send(f)
    got, done_at = [], []
    limit = int(data["cycle_limit"])
    while len(got) < per_frame * len(frames):
        try:
            frame = await with_timeout(sink.recv(), limit * 10, "ns")  # a stall fails, not hangs
        except Exception:
            state = {h._name: int(h.value) for h in dut if h._name.endswith(("_tvalid", "_tready"))}
            dut._log.error(f"stalled after {len(got)} output words; handshakes: {state}; "
                           f"beats per edge: {counts}")
            raise
        got.extend(int(w) for w in frame.tdata)
        if len(got) % per_frame == 0:
            done_at.append((cocotb.utils.get_sim_time("ns") - t0) / 10)
        assert (cocotb.utils.get_sim_time("ns") - t0) / 10 < limit, "network stalled"
    fifo_max = {}
    for b, stages in data.get("buffers", {}).items():   # a chain: its stages' fills summed
        fifo_max[b] = sum(int(getattr(getattr(dut, b), s).max_level.value) for s in stages)
    with open(os.environ["TB_OUT"], "w") as fh:
        json.dump({"words": [f"{w:x}" for w in got], "frame_done_cycles": done_at,
                   "fifo_max": fifo_max}, fh)
