# SPDX-License-Identifier: MIT
"""The whole network in RTL (hw.gen + Verilator) on a real Set5 crop and a random image,
with random input gaps and output backpressure, against the PyTorch model: zero
mismatches; one flipped weight bit must be caught. BTM requantises arithmetically, BN
keeps threshold memories; FIFOs are sized by branch latency (checked at two frame sizes)."""
import json

import numpy as np
import pytest

from hw.run_network import run_network
from tests.builds import tiny_build


def golden(build):
    return (np.load(build / "golden" / "input.npy"),
            np.load(build / "golden" / "expected_output.npy").astype(np.int64))


def requantisers(r):
    return [q["requantiser"] for l in r["stitch"]["layers"] for q in l.get("requantisers", [])]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("btm"))


@pytest.mark.rtlsim
def test_btm_network_arithmetic_requantisers_bit_exact_with_stalls(build, tmp_path):
    x, expected = golden(build)
    r = run_network(build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3)
    rq = requantisers(r)
    assert len(rq) >= 5 and set(rq) == {"arithmetic"}  # head, sign, body, clamps, tail
    assert "thresh_bsearch" not in (tmp_path / "run" / "rtl" / "sr_top.sv").read_text()
    y = r["outputs"]
    assert y.shape == expected.shape == (2, 3, 24, 24)
    mism = int((y != expected).sum())
    assert mism == 0, f"{mism} of {y.size} outputs differ from PyTorch"
    assert len(r["frame_done_cycles"]) == 2 and r["cycles_per_frame"] > 0
    est = json.loads((build / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert r["cycles_per_frame"] >= 0.99 * est  # stalls only add cycles (1 cycle of phase)


def _flip_weight_bit(rtl, layer, word, mask):
    """Negative control: XOR ``mask`` into weight word ``word`` of ``layer``'s ROM file."""
    mem = rtl / f"{layer}_w.mem"
    words = mem.read_text().split()
    words[word] = f"{int(words[word], 16) ^ mask:x}"
    mem.write_text("\n".join(words) + "\n")


@pytest.mark.rtlsim
def test_negative_control_flipped_weight_bit(build, tmp_path):
    x, expected = golden(build)
    flip = lambda rtl: _flip_weight_bit(rtl, "MVAU_hls_1", 0, 1)   # the XNOR body conv  # noqa: E731
    r = run_network(build, x, tmp_path / "run", pause_in=0.0, pause_out=0.0, after_stitch=flip)
    assert int((r["outputs"] != expected).sum()) > 0


@pytest.mark.rtlsim
def test_fifos_as_chains_bit_exact_with_stalls(build, tmp_path):
    """Every FIFO deeper than 8 memory words as a chain of stream_fifos (``fifo_stage_words``;
    the default is one FIFO per edge): bit-exact with stalls, no stage overfilled."""
    x, expected = golden(build)
    r = run_network(build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, fifo_stage_words=8)
    chains = [e for e in r["stitch"]["edges"] if len(e["stages"]) > 1]
    assert len(chains) >= 2 and max(len(e["stages"]) for e in chains) >= 3, r["stitch"]["edges"]
    top = (tmp_path / "run" / "rtl" / "sr_top.sv").read_text()
    assert top.count("stream_fifo #") == sum(len(e["stages"]) for e in r["stitch"]["edges"])
    assert int((r["outputs"] != expected).sum()) == 0
    for i, e in enumerate(r["stitch"]["edges"]):
        assert sum(e["stages"]) >= e["depth"] and r["fifo_max"].get(i, 0) <= sum(e["stages"])


@pytest.mark.rtlsim
def test_products_summed_in_pairs_bit_exact_with_stalls(build, tmp_path):
    """``dsp_sums``: the int8 head and tail sum their products two by two (mul_add_reg, on
    ECP5 a DSP slice's ALU54B), with the ECP5 adder trees: bit-exact with stalls; and a
    changed head weight that sits in a pair's second product is caught."""
    x, expected = golden(build)
    r = run_network(build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, target="ecp5",
                    dsp_sums=True)
    summed = [l for l in r["stitch"]["layers"] if l.get("multipliers", {}).get("sums")]
    assert summed and r["stitch"]["dsp_sums"], r["stitch"]["layers"]
    assert (tmp_path / "run" / "rtl" / "sr_top.sv").read_text().count(".DSP_SUMS(1)") == len(summed)
    assert int((r["outputs"] != expected).sum()) == 0

    head = summed[0]

    def change(rtl):   # weight word 0, the first lane's second product: one more
        mem = rtl / f"{head['name']}_w.mem"
        words = mem.read_text().split()
        v = int(words[0], 16)
        b = (v >> 8) & 0xFF
        words[0] = f"{(v & ~(0xFF << 8)) | (((b + 1) & 0xFF) << 8):x}"
        mem.write_text("\n".join(words) + "\n")

    r = run_network(build, x, tmp_path / "neg", pause_in=0.0, pause_out=0.0, target="ecp5",
                    dsp_sums=True, after_stitch=change)
    assert int((r["outputs"] != expected).sum()) > 0


@pytest.mark.rtlsim
def test_bn_network_threshold_memories_bit_exact_with_stalls(tmp_path_factory, tmp_path):
    """The BN baseline: its body conv's thresholds have no closed form, so the layer keeps
    a binary-search threshold memory; the rest stays arithmetic."""
    b = tiny_build(tmp_path_factory.mktemp("bn"), arch="edsr_bn_x2_c8_b1")
    x, expected = golden(b)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3)
    assert "threshold memory" in requantisers(r)
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.mark.rtlsim
def test_mrb_network_bit_exact_with_stalls(tmp_path_factory, tmp_path):
    """The improved block: four dilated 1x5/5x1 XNOR branches, popcount outputs, the
    StreamingConcat core, thresholds after the concat."""
    b = tiny_build(tmp_path_factory.mktemp("mrb"), arch="edsr_mrb_x2_c8_b1")
    x, expected = golden(b)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3)
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.mark.rtlsim
def test_multipliers_in_logic_beyond_the_budget_bit_exact_with_stalls(build, tmp_path):
    """A multiplier budget of 3 blocks: the head keeps 3 products on blocks, the rest of its
    products and every product of the tail are logic multipliers (mul_reg LUT = 1); the
    choice per layer is recorded with its reason."""
    x, expected = golden(build)
    r = run_network(build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, dsp_budget=3,
                    target="ecp5")   # and the ECP5 choices: adder trees, memory styles
    mults = [l["multipliers"] for l in r["stitch"]["layers"] if "multipliers" in l]
    assert len(mults) == 2 and mults[0]["dsp"] == 3 and mults[1]["dsp"] == 0
    assert all(m["logic"] == m["products"] - m["dsp"] > 0 and m["why"] for m in mults)
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.fixture(scope="module")
def bintail_build(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("bintail"), arch="edsr_btm_x2_c8_b1_bintail",
                      fps=20000)


@pytest.mark.rtlsim
def test_binary_weight_upsampler_bit_exact_with_stalls(bintail_build, tmp_path):
    """The paper's binary-weight upsampler: the tail as an adder tree of x / ~x (mvtu_int,
    W_BIPOLAR = 1: no multiplier), the -1 counts folded into its thresholds."""
    top = None

    def keep(rtl):
        nonlocal top
        top = (rtl / "sr_top.sv").read_text()

    x, expected = golden(bintail_build)
    r = run_network(bintail_build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3,
                    after_stitch=keep, target="ecp5")
    kinds = [l.get("kind") for l in r["stitch"]["layers"]]
    assert kinds.count("binary-weight") == 1 and ".W_BIPOLAR(1)" in top
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.mark.rtlsim
def test_binary_weight_upsampler_negative_control(bintail_build, tmp_path):
    """One weight bit of the binary tail flipped in its memory file: the outputs differ."""
    x, expected = golden(bintail_build)

    def flip(rtl):
        info = json.loads((rtl / "stitch.json").read_text())
        tail = next(l for l in info["layers"] if l.get("kind") == "binary-weight")
        _flip_weight_bit(rtl, tail["name"], 0, 1)

    r = run_network(bintail_build, x, tmp_path / "run", pause_in=0.0, pause_out=0.0,
                    after_stitch=flip)
    assert int((r["outputs"] != expected).sum()) > 0


@pytest.mark.rtlsim
def test_abc_network_bit_exact_with_stalls(tmp_path_factory, tmp_path):
    """ABC-Net, 2 weight x 3 activation bases: six XNOR units on shifted signs, integer
    power-of-two multipliers (eltwise_const, MUL=1) and an adder tree of raw popcounts."""
    from export import to_finn
    from tests.family_ckpt import abc_checkpoint

    ck = abc_checkpoint(tmp_path_factory.mktemp("abc"), 2, 3)
    b = tmp_path_factory.mktemp("build_abc")
    assert to_finn.main(["--ckpt", str(ck), "--out", str(b), "--input-hw", "12", "12",
                         "--golden-real", "1", "--golden-random", "1", "--target-fps", "50000",
                         "--no-cppsim"]) == 0
    top = None

    def keep(rtl):
        nonlocal top
        top = (rtl / "sr_top.sv").read_text()

    x, expected = golden(b)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, after_stitch=keep)
    assert top.count("xnor_mvtu #") == 6 and "eltwise_const #(.MUL(1)" in top
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.fixture(scope="module")
def mrb_sizes(tmp_path_factory):
    """The same tiny MRB network exported for 32x32 and 128x128 frames."""
    ck = None
    out = {}
    for hw, fps in ((32, 20000), (128, 1500)):
        root = tmp_path_factory.mktemp(f"mrb{hw}")
        out[hw] = tiny_build(root, arch="edsr_mrb_x2_c8_b1", hw=hw, fps=fps, golden_real=0,
                             golden_random=1, ckpt=ck)
        ck = root / "run" / "ckpt.pt"
    return out


@pytest.mark.rtlsim
@pytest.mark.parametrize("hw", [32, 128])
def test_mrb_buffers_sized_by_latency(mrb_sizes, tmp_path, hw):
    """FIFOs from the branch latencies, the MRB's four branches included: no deadlock with
    random stalls, one fold per clock without (at most 1.02 x FINN's cycles per frame),
    no FIFO overfilled."""
    b = mrb_sizes[hw]
    x, expected = golden(b)
    r = run_network(b, x, tmp_path / "stalls", pause_in=0.3, pause_out=0.3)
    assert int((r["outputs"] != expected).sum()) == 0
    free = run_network(b, np.concatenate([x, x]), tmp_path / "free", pause_in=0.0, pause_out=0.0)
    assert int((free["outputs"][:1] != expected).sum()) == 0
    est = free["finn_bottleneck_cycles"]
    assert free["cycles_per_frame"] <= 1.02 * est, (free["cycles_per_frame"], est)
    for i, e in enumerate(free["stitch"]["edges"]):
        assert free["fifo_max"][i] <= e["depth"]


def test_fifo_memory_grows_with_width_not_area(mrb_sizes, tmp_path):
    """Whole-frame FIFOs would hold 16x more at 128x128 than at 32x32; FIFOs sized by
    latency (lines of the sliding windows) hold about 4x (the width ratio)."""
    from hw.gen import generate

    bits = {hw: generate(b, tmp_path / str(hw))["fifo_bits"] for hw, b in mrb_sizes.items()}
    ratio = bits[128] / bits[32]
    assert 3.0 < ratio < 5.0, bits
    assert bits[128] < 128 * 128 * 8 * 8, bits  # less than one 8-channel int8 feature map


@pytest.mark.slow
@pytest.mark.rtlsim
@pytest.mark.parametrize("arch,hw,fps", [("edsr_btm_x2_c32_b4", 32, 1000),
                                         ("edsr_btm_x3_c16_b2", 16, 5000),
                                         ("vdsr_btm_x2_c16_b2", 24, 2000)])
def test_whole_network_sweep(tmp_path, arch, hw, fps):
    """Heavier sweep (``bash test.sh -m slow``): default-size and other archs, with stalls,
    and the measured cycles per frame within 2% of FINN's bottleneck estimate without."""
    out = tiny_build(tmp_path, arch=arch, hw=hw, fps=fps)
    x, expected = golden(out)
    r = run_network(out, x, tmp_path / "sim_stalls", pause_in=0.3, pause_out=0.3)
    assert int((r["outputs"] != expected).sum()) == 0
    r = run_network(out, x, tmp_path / "sim_free", pause_in=0.0, pause_out=0.0)
    assert int((r["outputs"] != expected).sum()) == 0
    est = json.loads((out / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert r["cycles_per_frame"] <= 1.02 * est


@pytest.mark.rtlsim
def test_burst_reader_behind_an_up_converter_keeps_finns_rate(build, tmp_path_factory, tmp_path,
                                                              monkeypatch):
    """An XNOR unit with several synapse and neuron folds (SF 9, NF 8: SIMD 8, PE 1) reads a
    pixel's nine words in its first neuron fold, one per clock, and none in the other seven;
    its window delivers 2 channels per beat, so the 2 -> 8 converter makes a wide word only
    every 4 clocks. Its FIFO gathers a pixel's words while the unit reuses the last one
    (hw.gen.passes ``burst_depth``): without stalls the frame takes FINN's cycles (at most
    0.5 % more; bit-exact with stalls too). Negative control: the same edge with a register
    slice only took 1.21x (measured), so the bound must fail."""
    from hw.gen import passes

    fold = json.loads((build / "folding.json").read_text())
    fold["ConvolutionInputGenerator_rtl_1"]["SIMD"] = 2
    fold["MVAU_hls_1"].update(SIMD=8, PE=1)
    root = tmp_path_factory.mktemp("burst")
    (root / "folding.json").write_text(json.dumps(fold))
    b = tiny_build(root, ckpt=build.parent / "run" / "ckpt.pt",
                   export_args=("--folding", str(root / "folding.json")))
    x, expected = golden(b)
    est = json.loads((b / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    r = run_network(b, x, tmp_path / "stalls", pause_in=0.3, pause_out=0.3, engine="verilator")
    assert int((r["outputs"] != expected).sum()) == 0
    r = run_network(b, x, tmp_path / "free", pause_in=0.0, pause_out=0.0, engine="verilator")
    assert int((r["outputs"] != expected).sum()) == 0
    into = [e for e in r["stitch"]["edges"] if e["dst"] == "MVAU_hls_1"]
    assert len(into) == 1 and into[0]["converter"] == [2, 8] and into[0]["depth"] == 9 + 2
    assert r["cycles_per_frame"] <= 1.005 * est, (r["cycles_per_frame"], est)
    monkeypatch.setattr(passes, "burst_depth", lambda e, burst: passes.SLICE)
    neg = run_network(b, x, tmp_path / "neg", pause_in=0.0, pause_out=0.0, engine="verilator")
    assert int((neg["outputs"] != expected).sum()) == 0
    assert neg["cycles_per_frame"] > 1.1 * est, (neg["cycles_per_frame"], est)


def _refolded_bintail(bintail_build, root, mvau_folds, window=None):
    """The binary-tail build exported again into ``root`` with its three MVAUs (head, XNOR
    body, binary tail) at ``mvau_folds`` [(SIMD, PE)] and, with ``window``, its last sliding
    window's folding updated; returns the build and the MVAU node names."""
    fold = json.loads((bintail_build / "folding.json").read_text())
    mvaus = sorted(k for k in fold if k.startswith("MVAU"))
    assert len(mvaus) == 3
    for k, (simd, pe) in zip(mvaus, mvau_folds):
        fold[k].update(SIMD=simd, PE=pe)
    if window:
        swgs = sorted(k for k in fold if k.startswith("ConvolutionInputGenerator"))
        fold[swgs[-1]].update(window)
    (root / "folding.json").write_text(json.dumps(fold))
    b = tiny_build(root, ckpt=bintail_build.parent / "run" / "ckpt.pt",
                   export_args=("--folding", str(root / "folding.json")))
    return b, mvaus


@pytest.mark.rtlsim
def test_lean_operand_stage_bit_exact_with_stalls(bintail_build, tmp_path_factory, tmp_path):
    """Video-rate foldings: weights in logic (SF x NF <= 8) keep one operand stage (LEAN);
    with one synapse fold and several neuron folds (HOLD: head, XNOR body and binary tail) the
    input beat stays at the producer until the last neuron fold takes it. Bit-exact with
    stalls; one weight bit flipped in the XNOR layer's logic ROM must be caught. The tail's
    576-bit window edge has no FIFO of its own here (``wire_min_bits`` lowered from the
    default 1 024 so that a tiny network has one): the window's output FIFO feeds the
    tail directly, under the same stalls."""
    # SF 1, NF 2, 2, 3; the tail's window whole per beat (swg_lb; one window per 3 clocks:
    # four credits, hw.gen.emit.window_credits)
    b, mvaus = _refolded_bintail(bintail_build, tmp_path_factory.mktemp("lean"),
                                 [(27, 4), (72, 4), (72, 4)], dict(SIMD=8, parallel_window=1))
    x, expected = golden(b)
    top = {}
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, target="ecp5",
                    wire_min_bits=512,
                    after_stitch=lambda rtl: top.update(sv=(rtl / "sr_top.sv").read_text()))
    assert top["sv"].count(".LEAN(1)") == 3
    wired = [e for e in r["stitch"]["edges"] if e["depth"] == 0]
    assert [(e["width"], e["src"].startswith("ConvolutionInputGenerator")) for e in wired] == \
        [(576, True)] and top["sv"].count("no FIFO") == 1
    assert int((r["outputs"] != expected).sum()) == 0

    r = run_network(b, x, tmp_path / "neg", pause_in=0.0, pause_out=0.0, target="ecp5",
                    wire_min_bits=512,
                    after_stitch=lambda rtl: _flip_weight_bit(rtl, mvaus[1], 0, 1))
    assert int((r["outputs"] != expected).sum()) > 0
    # at this rate (a few clocks per pixel) only some converters may take a registered ready
    # (hw.gen.passes.registered_ready), and those that do cost no throughput: without stalls
    # the frame takes at most 2 % more than FINN's bottleneck estimate
    rr = [e["reg_ready"] for e in r["stitch"]["edges"] if e["converter"]]
    assert True in rr and False in rr, rr
    est = json.loads((b / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert r["cycles_per_frame"] <= 1.02 * est, (r["cycles_per_frame"], est)


@pytest.mark.rtlsim
def test_carry_chain_forms_bit_exact_with_stalls(bintail_build, tmp_path_factory, tmp_path):
    """The ECP5 carry-chain forms in a whole network: the XNOR layer with six weight words
    (3 synapse x 2 neuron folds, LEAN: its group counts in carry chains, CARRY_COUNT) and the
    binary-weight tail (its selects inside the first adder level, CARRY_SEL), both
    simulated with the INIT values synthesis gives the CCU2C cells. Bit-exact with stalls;
    one weight bit flipped in either layer's logic ROM must be caught."""
    b, mvaus = _refolded_bintail(bintail_build, tmp_path_factory.mktemp("carry"),
                                 [(27, 4), (24, 4), (24, 6)])   # weight words 2, 6, 6
    x, expected = golden(b)
    top = {}
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, target="ecp5",
                    after_stitch=lambda rtl: top.update(sv=(rtl / "sr_top.sv").read_text()))
    assert top["sv"].count(".CARRY_COUNT(1)") == 1 and top["sv"].count(".CARRY_SEL(1)") == 1
    assert int((r["outputs"] != expected).sum()) == 0

    for layer in (mvaus[1], mvaus[2]):
        r = run_network(b, x, tmp_path / f"neg_{layer}", pause_in=0.0, pause_out=0.0,
                        target="ecp5",
                        after_stitch=lambda rtl, layer=layer: _flip_weight_bit(rtl, layer, 1, 2))
        assert int((r["outputs"] != expected).sum()) > 0, layer


@pytest.mark.rtlsim
@pytest.mark.parametrize("suffix", ["_bintailm3", "_bintailm3c"])
def test_short_mantissa_binary_upsampler_bit_exact_with_stalls(tmp_path_factory, tmp_path, suffix):
    """The binary-weight upsampler with α = m·2^-e (3-bit m, ``_bintailm3``; one α per
    colour: ``_bintailm3c``): the same adder tree of x / ~x; α is no power of two, so its
    requantiser multiplies by the odd factor (one shift-and-add) before the shift. The
    trained α must include a non-power-of-two (else the test would not test that path)."""
    import torch

    from model.registry import model_from_checkpoint

    b = tiny_build(tmp_path_factory.mktemp(suffix), arch=f"edsr_btm_x2_c8_b1{suffix}",
                   fps=20000, steps=30)
    net, _ = model_from_checkpoint(b.parent / "run" / "ckpt.pt")
    lg = torch.log2(net.tail.quant_weight().scale.flatten())
    assert not torch.equal(lg, torch.round(lg))
    x, expected = golden(b)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, target="ecp5")
    assert [l.get("kind") for l in r["stitch"]["layers"]].count("binary-weight") == 1
    assert set(requantisers(r)) == {"arithmetic"}
    kinds = [q["kind"] for l in r["stitch"]["layers"] for q in l.get("requantisers", [])]
    assert any("3x/5x/7x" in k for k in kinds)
    assert int((r["outputs"] != expected).sum()) == 0


def _three_clock_build(root):
    """The 1080p point's network shape (16 channels, four blocks, the binary tail) exported at
    24x64 with ``hw.fold``'s folding for 3 clocks per pixel (that point's pace): every layer
    at 3 clocks or less, every window whole per beat (``swg_lb``) with its consumer taking one
    window per 3 clocks. (At 8 channels two credits kept the pace: measured.)"""
    from hw.fold import fold_for
    from hw.gen import load_partition

    frame = ("--input-hw", "24", "64")
    shape = tiny_build(root, arch="edsr_btm_x2_c16_b2_bintailm3", hw=24, name="shape",
                       train_args=("--blocks", "4"), export_args=frame)
    model, _ = load_partition(shape)
    fold = fold_for(model, 3)
    assert all(v.get("parallel_window") == 1 for k, v in fold.items()
               if k.startswith("ConvolutionInputGenerator"))
    (root / "folding.json").write_text(json.dumps(fold))
    return tiny_build(root, ckpt=root / "run" / "ckpt.pt", hw=24,
                      export_args=("--folding", str(root / "folding.json"), *frame))


@pytest.fixture(scope="module")
def three_clock_build(tmp_path_factory):
    return _three_clock_build(tmp_path_factory.mktemp("pace3"))


def _frame_interval(b, tmp):
    x, expected = golden(b)
    r = run_network(b, x, tmp, pause_in=0.0, pause_out=0.0, target="ecp5")
    assert int((r["outputs"] != expected).sum()) == 0
    est = json.loads((b / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    return r["cycles_per_frame"], est, r


@pytest.mark.rtlsim
def test_three_clock_folding_keeps_its_pace(three_clock_build, tmp_path):
    """Frames back to back without stalls: the steady frame interval stays within 1.02x of
    FINN's bottleneck estimate. The windows' credits (``hw.gen.emit.window_credits``) let
    each emit a window every 3 clocks against its producer's and consumer's jitter; with the
    register slice's two credits the 1080p point ran 1.17x (negative control below)."""
    cycles, est, r = _frame_interval(three_clock_build, tmp_path / "run")
    credits = [l["credits"] for l in r["stitch"]["layers"] if l.get("core") == "swg_lb"]
    assert credits and set(credits) == {4}
    assert cycles <= 1.02 * est, (cycles, est)


@pytest.mark.rtlsim
def test_three_clock_folding_negative_control_two_credits(three_clock_build, tmp_path,
                                                         monkeypatch):
    """The same build with every window at two credits (the earlier rule for windows every 3+
    clocks): the frame interval must exceed 1.02x the estimate."""
    import hw.gen.emit as emit

    monkeypatch.setattr(emit, "window_credits", lambda clocks: 2)
    cycles, est, r = _frame_interval(three_clock_build, tmp_path / "run")
    assert {l["credits"] for l in r["stitch"]["layers"] if l.get("core") == "swg_lb"} == {2}
    assert cycles > 1.02 * est, (cycles, est)
