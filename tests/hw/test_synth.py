# SPDX-License-Identifier: MIT
"""hw.synth on a tiny network: every source accepted by Yosys' slang frontend (ours and,
optionally, FINN's generated sliding windows and padding), per-layer figures that add up to
the total, the requantisers the generator chose, FINN's estimate beside; ECP5 place and
route (slow)."""
import json

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
    assert synth.main(["--build", str(build), "--target", "ecp5", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "synth.json").read_text())
    assert r["fits"] and r["device"].startswith("LFE5U") and r["fmax_mhz"] > 50
