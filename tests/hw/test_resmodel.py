# SPDX-License-Identifier: MIT
"""The resource model of our RTL against Yosys on a tiny network (within the error it states
from its calibration), and a folding the search chooses for a small device: it fits that
device in Yosys, and the next faster folding was predicted not to."""
import json

import pytest

from hw import synth
from hw.devices import device, fits, need
from hw.fold import fold_for, search
from hw.gen import design_of, load_partition
from hw.gen.emit import Context
from hw.resmodel import ResourceModel, blocks
from tests.builds import tiny_build

#: the model's stated error on a whole network (benchmarks/resource_model.py, docs)
TOTAL_LUT_ERROR = 0.20
TOTAL_FF_ERROR = 0.20


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("rm"), fps=20000)


def test_block_counts_follow_the_widest_configuration():
    assert blocks(512, 36) == 1 and blocks(513, 36) == 2 and blocks(1024, 18) == 1
    assert blocks(961, 256) == 15 and blocks(3, 2304) == 64 and blocks(0, 8) == 0


def test_model_within_its_stated_error_of_yosys(build, tmp_path):
    dev = device("LFE5U-85F")
    r = synth.synth_network(build, tmp_path, "ecp5", per_layer=True, jobs=2, device=dev.name,
                            progress=lambda m: None)
    model, _ = load_partition(build)
    d = design_of(model, Context(model, "", "ours", "ecp5", dsp_left=dev.multipliers))
    rm = ResourceModel.load("ecp5")
    pred = rm.predict_design(d)
    meas = need(r["total"], "ecp5")
    err_lut = abs(pred["need"]["LUT4"] - meas["LUT4"]) / meas["LUT4"]
    err_ff = abs(pred["need"]["FF"] - meas["FF"]) / meas["FF"]
    assert err_lut <= TOTAL_LUT_ERROR, (pred["need"], meas)
    assert err_ff <= TOTAL_FF_ERROR, (pred["need"], meas)
    # block RAM and multipliers are counted, not fitted: equal
    assert pred["need"]["EBR"] == meas["EBR"] and pred["need"]["MULT18"] == meas["MULT18"]
    # the model's own record states errors no smaller than what this network shows it
    stated = rm.meta.get("error", {}).get("lut", {})
    assert stated.get("median") is not None


def test_folding_for_a_small_device_fits_it_in_yosys(build, tmp_path):
    """hw.fold for an LFE5U-25F (28 multipliers): the chosen folding's design, synthesised
    per layer by Yosys, fits the device; the faster foldings before it were predicted not to."""
    from export import to_finn

    dev = device("LFE5U-25F")
    model, _ = load_partition(build)
    rec = search(model, dev, 100.0, progress=lambda m: None)
    assert rec["fits"], rec
    assert all(not t["fits"] for t in rec["tried"][:-1]) and rec["tried"][-1]["fits"]
    fold_file = tmp_path / "folding.json"
    fold_file.write_text(json.dumps(rec["folding"]))
    cfg = json.loads((build / "config.json").read_text())
    b = tmp_path / "b"
    assert to_finn.main(["--ckpt", cfg["ckpt"], "--out", str(b), "--input-hw", "12", "12",
                         "--golden-real", "1", "--golden-random", "1", "--folding", str(fold_file),
                         "--no-cppsim"]) == 0
    r = synth.synth_network(b, tmp_path / "syn", "ecp5", per_layer=True, jobs=2, device=dev.name,
                            progress=lambda m: None)
    ok, why = fits(r["total"], dev)
    assert ok, why
    assert r["fit"]["fits"]
    # the folding meets the clocks per pixel the search promised
    from hw.fold import apply_folding, pixel_cycles

    m = apply_folding(model, rec["folding"])
    assert max(pixel_cycles(m, n) or 0 for n in m.graph.node) <= rec["cycles_per_pixel"]
    assert fold_for(model, rec["cycles_per_pixel"]) == rec["folding"]


def test_fps_target_takes_the_cheapest_folding_that_reaches_it(build):
    """With a frame rate to reach, the search folds for the most clocks per pixel that still
    reach it (the cheapest hardware), not the fastest; a rate no folding reaches says so."""
    dev = device("LFE5U-85F")
    model, _ = load_partition(build)
    h, w = 12, 12
    fast = search(model, dev, 100.0, progress=lambda m: None)
    fps = 100e6 / (10 * h * w)              # needs at most 10 clocks per pixel
    rec = search(model, dev, 100.0, fps=fps, progress=lambda m: None)
    assert rec["fits"] and rec["cycles_per_pixel"] <= 10 and rec["fps"] >= fps
    assert rec["cycles_per_pixel"] >= fast["cycles_per_pixel"]
    pred = lambda r: r["predicted"]["need"]["LUT4"]  # noqa: E731
    assert pred(rec) <= pred(fast)
    too_fast = search(model, dev, 100.0, fps=1e12, progress=lambda m: None)
    assert not too_fast["fits"] and "clocks per pixel" in too_fast["why"]
