# SPDX-License-Identifier: MIT
"""The whole network in RTL (hw/stitch.py + Verilator) on a real Set5 crop and a random image,
with random input gaps and output backpressure, against the PyTorch model: zero mismatches;
one flipped weight bit must be caught."""
import json
from pathlib import Path

import numpy as np
import pytest

from export import to_finn
from hw.run_network import run_network
from model import train


def _build(tmp_path_factory, arch):
    run = tmp_path_factory.mktemp("run")
    assert train.main(["--arch", arch, "--steps", "10", "--batch", "2", "--patch",
                       "12", "--val-every", "10", "--out", str(run), "--quiet"]) == 0
    out = tmp_path_factory.mktemp("build")
    assert to_finn.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(out), "--input-hw", "12",
                         "12", "--golden-real", "1", "--golden-random", "1",
                         "--target-fps", "50000"]) == 0
    return out


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return _build(tmp_path_factory, "edsr_btm_x2_c8_b1")


@pytest.mark.rtlsim
def test_mrb_network_bit_exact_with_stalls(tmp_path_factory, tmp_path):
    """The improved block: four dilated 1x5/5x1 XNOR branches, popcount outputs, the
    StreamingConcat core, thresholds after the concat."""
    b = _build(tmp_path_factory, "edsr_mrb_x2_c8_b1")
    x = np.load(b / "golden" / "input.npy")
    expected = np.load(b / "golden" / "expected_output.npy").astype(np.int64)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3)
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.mark.rtlsim
def test_abc_network_bit_exact_with_stalls(tmp_path_factory, tmp_path):
    """ABC-Net, 2 weight x 3 activation bases: six XNOR units on shifted signs, integer
    power-of-two multipliers (eltwise_const, MUL=1) and an adder tree of raw popcounts."""
    from tests.family_ckpt import abc_checkpoint

    ck = abc_checkpoint(tmp_path_factory.mktemp("abc"), 2, 3)
    b = tmp_path_factory.mktemp("build_abc")
    assert to_finn.main(["--ckpt", str(ck), "--out", str(b), "--input-hw", "12", "12",
                         "--golden-real", "1", "--golden-random", "1", "--target-fps", "50000"]) == 0
    top = None

    def keep(rtl: Path):
        nonlocal top
        top = (rtl / "sr_top.sv").read_text()

    x = np.load(b / "golden" / "input.npy")
    expected = np.load(b / "golden" / "expected_output.npy").astype(np.int64)
    r = run_network(b, x, tmp_path / "run", pause_in=0.3, pause_out=0.3, after_stitch=keep)
    assert top.count("xnor_mvtu #") == 6 and "eltwise_const #(.MUL(1)" in top
    assert int((r["outputs"] != expected).sum()) == 0


@pytest.mark.rtlsim
def test_whole_network_bit_exact_with_stalls(build, tmp_path):
    x = np.load(build / "golden" / "input.npy")
    expected = np.load(build / "golden" / "expected_output.npy").astype(np.int64)
    r = run_network(build, x, tmp_path / "run", pause_in=0.3, pause_out=0.3)
    y = r["outputs"]
    assert y.shape == expected.shape == (2, 3, 24, 24)
    mism = int((y != expected).sum())
    assert mism == 0, f"{mism} of {y.size} outputs differ from PyTorch"
    assert len(r["frame_done_cycles"]) == 2 and r["cycles_per_frame"] > 0
    est = json.loads((build / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert r["cycles_per_frame"] >= est  # stalls only add cycles


@pytest.mark.rtlsim
def test_negative_control_flipped_weight_bit(build, tmp_path):
    x = np.load(build / "golden" / "input.npy")
    expected = np.load(build / "golden" / "expected_output.npy").astype(np.int64)

    def flip(rtl: Path):
        mem = rtl / "MVAU_hls_1_w.mem"  # the XNOR body conv
        words = mem.read_text().split()
        words[0] = f"{int(words[0], 16) ^ 1:x}"
        mem.write_text("\n".join(words) + "\n")

    r = run_network(build, x, tmp_path / "run", pause_in=0.0, pause_out=0.0, after_stitch=flip)
    assert int((r["outputs"] != expected).sum()) > 0


@pytest.mark.slow
@pytest.mark.rtlsim
@pytest.mark.parametrize("arch,hw,fps", [("edsr_btm_x2_c32_b4", 32, 1000),
                                         ("edsr_btm_x3_c16_b2", 16, 5000),
                                         ("vdsr_btm_x2_c16_b2", 24, 2000)])
def test_whole_network_sweep(tmp_path, arch, hw, fps):
    """Heavier sweep (``bash test.sh -m slow``): default-size and other archs, with stalls,
    and the measured cycles per frame within 5% of FINN's bottleneck estimate without."""
    run = tmp_path / "run"
    assert train.main(["--arch", arch, "--steps", "10", "--batch", "2", "--patch", "12",
                       "--val-every", "10", "--out", str(run), "--quiet"]) == 0
    out = tmp_path / "build"
    assert to_finn.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(out), "--input-hw", str(hw),
                         str(hw), "--golden-real", "1", "--golden-random", "1",
                         "--target-fps", str(fps)]) == 0
    x = np.load(out / "golden" / "input.npy")
    expected = np.load(out / "golden" / "expected_output.npy").astype(np.int64)
    r = run_network(out, x, tmp_path / "sim_stalls", pause_in=0.3, pause_out=0.3)
    assert int((r["outputs"] != expected).sum()) == 0
    r = run_network(out, x, tmp_path / "sim_free", pause_in=0.0, pause_out=0.0)
    assert int((r["outputs"] != expected).sum()) == 0
    est = json.loads((out / "estimates.json").read_text())["totals"]["bottleneck_cycles"]
    assert r["cycles_per_frame"] <= 1.05 * est
