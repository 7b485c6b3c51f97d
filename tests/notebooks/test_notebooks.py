# SPDX-License-Identifier: MIT
"""The report notebooks run headless on a small build (two foldings, one RTL run) without a
cell error, and save their figures as PNG."""
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from export import to_finn
from hw import run_network
from model import train

NB = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--steps", "4", "--batch", "2", "--patch",
                       "12", "--val-every", "4", "--out", str(run), "--quiet"]) == 0
    out = []
    for fps in (20000, 50000):
        b = tmp_path_factory.mktemp(f"fps{fps}")
        assert to_finn.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(b), "--input-hw", "12",
                             "12", "--golden-real", "1", "--golden-random", "0",
                             "--target-fps", str(fps), "--no-cppsim"]) == 0
        out.append(b)
    assert run_network.main(["--build", str(out[-1])]) == 0
    return out


@pytest.fixture(scope="module")
def video_points(builds, tmp_path_factory):
    """A small run of the video design-point benchmark (two LR sizes of the tiny model)."""
    import json
    import sys

    sys.path.insert(0, str(NB.parent / "benchmarks"))
    import video_points as vp

    out = tmp_path_factory.mktemp("video_points")
    ckpt = json.loads((builds[0] / "config.json").read_text())["ckpt"]
    assert vp.main(["--ckpt", ckpt, "--points", "16x24,24x40", "--fps", "2000", "--device",
                    "LFE5U-25F", "--clock-mhz", "100", "--verify-hw", "12", "12", "--stages",
                    "fold,export,synth", "--jobs", "2", "--out", str(out)]) == 0
    rec = json.loads((out / "points.json").read_text())
    assert [p["lr_hw"] for p in rec["points"]] == [[16, 24], [24, 40]]
    for p in rec["points"]:
        # the folding the model chose fits the device in Yosys, and reaches its frame rate
        assert p["yosys"]["fit"]["fits"], p["yosys"]["fit"]
        c = p["fold"]["cycles_per_pixel"]
        assert abs(p["fold"]["fps"] - 100e6 / c / (p["lr_hw"][0] * p["lr_hw"][1])) < 1e-6
        assert json.loads((out / p["point"] / "build" / "parameters.json").read_text())["differences"] == []
        assert p["arch"] == "edsr_btm_x2_c8_b1"        # the network each point is made of
    # the same --out for another speed grade: refused (its figures are the first device's),
    # every record untouched
    before = {f: f.read_bytes() for f in out.rglob("*.json")}
    assert vp.main(["--ckpt", ckpt, "--points", "16x24", "--fps", "2000", "--device", "LFE5U-25F-8",
                    "--clock-mhz", "100", "--stages", "fold", "--out", str(out)]) == 2
    assert {f: f.read_bytes() for f in out.rglob("*.json")} == before
    # ... and for FIFOs as chains (the netlist and the photograph would be other RTL)
    assert vp.main(["--ckpt", ckpt, "--points", "16x24", "--fps", "2000", "--device", "LFE5U-25F",
                    "--clock-mhz", "100", "--stages", "fold", "--fifo-stage-words", "512",
                    "--out", str(out)]) == 2
    assert {f: f.read_bytes() for f in out.rglob("*.json")} == before
    # ... and for the products summed in the DSP slices
    assert vp.main(["--ckpt", ckpt, "--points", "16x24", "--fps", "2000", "--device", "LFE5U-25F",
                    "--clock-mhz", "100", "--stages", "fold", "--dsp-sums", "--out", str(out)]) == 2
    assert {f: f.read_bytes() for f in out.rglob("*.json")} == before
    # ... and for a checkpoint of another width (its folding and netlist would be another net's)
    narrow = tmp_path_factory.mktemp("narrow")
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--channels", "4", "--steps", "1", "--batch",
                       "2", "--patch", "12", "--val-every", "1", "--out", str(narrow), "--quiet"]) == 0
    assert vp.main(["--ckpt", str(narrow / "ckpt.pt"), "--points", "16x24", "--fps", "2000",
                    "--device", "LFE5U-25F", "--clock-mhz", "100", "--stages", "fold",
                    "--out", str(out)]) == 2
    assert {f: f.read_bytes() for f in out.rglob("*.json")} == before
    return out / "points.json"


@pytest.fixture(scope="module")
def synthesised(builds):
    """The whole network of the last build synthesised by Yosys (hw.synth, Xilinx)."""
    from hw import synth

    assert synth.main(["--build", str(builds[-1]), "--target", "xilinx"]) == 0
    return builds


@pytest.mark.notebooks
@pytest.mark.parametrize("name", ["resources", "latency"])
def test_notebook_executes(builds, tmp_path, monkeypatch, name, request):
    if name == "resources":
        request.getfixturevalue("synthesised")
    else:
        monkeypatch.setenv("REPORT_VIDEO_POINTS", str(request.getfixturevalue("video_points")))
    monkeypatch.setenv("REPORT_BUILDS", os.pathsep.join(map(str, builds)))
    monkeypatch.setenv("REPORT_OUT", str(tmp_path))
    nb = nbformat.read(NB / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NB)}}).execute()  # raises on a cell error
    pngs = list(tmp_path.glob("*.png"))
    assert pngs, "the notebook saved no figure"
    if name == "resources":
        assert (tmp_path / "resources_yosys_vs_finn.png").is_file()
    else:
        assert (tmp_path / "video_points.png").is_file()


@pytest.fixture(scope="module")
def bn_vs_btm(tmp_path_factory):
    """A tiny run of the BN vs BN-free experiment script (the full run is documented)."""
    import sys

    sys.path.insert(0, str(NB.parent / "benchmarks"))
    import bn_vs_btm as exp

    out = tmp_path_factory.mktemp("bn_vs_btm")
    assert exp.main(["--steps", "3", "--widths", "8,4", "--channels", "8", "--blocks", "1",
                     "--batch", "2", "--patch", "12", "--data", "builtin", "--val", "builtin",
                     "--out", str(out), "--hw", "xilinx", "--hw-size", "12",
                     "--hw-fps", "50000"]) == 0
    return out / "results.json"


@pytest.mark.notebooks
def test_bn_vs_btm_notebook_executes(bn_vs_btm, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_BN_VS_BTM", str(bn_vs_btm))
    monkeypatch.setenv("REPORT_OUT", str(tmp_path))
    nb = nbformat.read(NB / "bn_vs_btm.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NB)}}).execute()
    assert len(list(tmp_path.glob("bn_vs_btm_*.png"))) == 3
    conclusion = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "PSNR" in conclusion and "whole network threshold_memory_bits" in conclusion
    # the generator gave BN threshold memories and BTM none: the conclusion says so
    assert "whole network threshold_memory_bits: BTM 0 vs BN" in conclusion


def test_recorded_video_points_are_found_and_consistent(tmp_path, monkeypatch):
    """Without a run of benchmarks/video_points.py in the checkout, the latency notebook
    shows the recorded run (docs/video_points.json): it is found, marked as recorded, and its
    figures agree with each other (the photograph compared on every output value with 0
    mismatches, the median over seeds by hw.synth's rule, frames/s from that median and the
    folding). A run named by REPORT_VIDEO_POINTS wins over the record, even when absent."""
    import reports.data as data
    from hw.synth import median_over_seeds

    monkeypatch.delenv("REPORT_VIDEO_POINTS", raising=False)
    monkeypatch.setattr(data, "ROOT", tmp_path)          # no build/video_points there
    vp = data.video_points()
    assert vp["recorded"] and vp["provenance"]["commit"] and vp["points"]
    for p in vp["points"]:
        h, w = p["lr_hw"]
        ph = p["photo"]
        assert ph["mismatches"] == 0 and ph["compared"] == h * w * vp["scale"] ** 2 * 3
        assert ph["cycles_per_frame"] <= 1.02 * ph["estimate_cycles_per_frame"]
        pnr = p.get("pnr") or {}
        if pnr.get("fmax_by_seed"):
            assert pnr["fmax_median"] == median_over_seeds(list(pnr["fmax_by_seed"].values()))
            routed = [f for f in pnr["fmax_by_seed"].values() if f is not None]
            assert pnr["seeds_routed"] == f"{len(routed)} of {len(pnr['fmax_by_seed'])}"
            med = pnr["fmax_median"]
            assert pnr.get("fps_at_median") == (med and med * 1e6 / p["fold"]["cycles_per_pixel"] / (h * w))
    monkeypatch.setenv("REPORT_VIDEO_POINTS", str(tmp_path / "absent.json"))
    assert data.video_points() is None
