# SPDX-License-Identifier: MIT
"""The fast whole-network simulation (C++ harness, hw.sim.fast) equals the cocotb bench on
the same frames with the same kind of stalls, and ``hw.upscale`` tiles a picture larger than
the build's frame so that every output pixel equals PyTorch on the whole picture."""
import json

import numpy as np
import pytest

from hw import upscale
from hw.sim.network import run_network
from hw.sim.network_words import pack_words, unpack_words
from hw.sim.host import from_words, to_words
from tests.builds import tiny_build


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("fast"))


def test_word_packing_matches_the_host_packing():
    rng = np.random.default_rng(0)
    for elems, bits, signed in ((1, 8, False), (12, 8, False), (5, 9, True), (40, 1, False)):
        lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
        x = rng.integers(lo, hi, 7 * elems)
        packed = pack_words(x, elems, bits)
        ref = to_words(x, elems, bits)
        got = [sum(int(c) << (32 * k) for k, c in enumerate(row)) for row in packed]
        assert got == ref
        assert np.array_equal(unpack_words(packed, elems, bits, signed), from_words(ref, elems, bits, signed))


@pytest.mark.rtlsim
def test_fast_harness_equals_cocotb_bench(build, tmp_path):
    x = np.load(build / "golden" / "input.npy")
    ref = np.load(build / "golden" / "expected_output.npy").astype(np.int64)
    fast = run_network(build, x, tmp_path / "fast", 0.3, 0.3, engine="verilator")
    slow = run_network(build, x, tmp_path / "cocotb", 0.3, 0.3)
    assert np.array_equal(fast["outputs"], slow["outputs"])
    assert int((fast["outputs"] != ref).sum()) == 0
    steady = run_network(build, x, tmp_path / "fast0", 0.0, 0.0, engine="verilator")
    est = json.loads((build / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert steady["cycles_per_frame"] <= 1.02 * est
    assert fast["cycles_per_s"] > 0


@pytest.mark.rtlsim
def test_fast_harness_negative_control(build, tmp_path):
    x = np.load(build / "golden" / "input.npy")
    ref = np.load(build / "golden" / "expected_output.npy").astype(np.int64)

    def flip(rtl):
        mem = rtl / "MVAU_hls_1_w.mem"
        words = mem.read_text().split()
        words[0] = f"{int(words[0], 16) ^ 1:x}"
        mem.write_text("\n".join(words) + "\n")

    r = run_network(build, x, tmp_path / "neg", 0.0, 0.0, engine="verilator", after_stitch=flip)
    assert int((r["outputs"] != ref).sum()) > 0


@pytest.mark.rtlsim
def test_tiled_upscale_equals_pytorch_on_the_whole_picture(build, tmp_path, monkeypatch):
    from model.data import load_pairs

    lr = load_pairs(None, 2)[0].lr  # a built-in photograph
    img = np.ascontiguousarray(lr[:29, :41])   # 29x41: tiles of 12x12 overlapping, odd sizes
    rec = upscale.upscale(build, img, tmp_path / "up", pause=0.2)
    assert rec["tiles"] > 4 and rec["output"].shape == (3, 58, 82)
    assert rec["mismatches"] == 0 and rec["compared"] == rec["output"].size
    # without the overlap the tile borders differ from the whole picture
    monkeypatch.setattr(upscale, "receptive_radius", lambda net: 0)
    bad = upscale.upscale(build, img, tmp_path / "up0")
    assert bad["mismatches"] > 0


def test_upscale_refuses_a_picture_smaller_than_the_frame(build, tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((8, 9, 3), np.uint8)).save(tmp_path / "small.png")
    assert upscale.main(["--build", str(build), str(tmp_path / "small.png"), str(tmp_path / "o.png")]) == 2
    assert not (tmp_path / "o.png").exists()
