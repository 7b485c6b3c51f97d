# SPDX-License-Identifier: MIT
"""``export/to_finn.py`` end to end on tiny checkpoints, and its error cases."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp

from export import to_finn
from export.flow import step_names
from model import train

REPO = Path(__file__).resolve().parents[2]
EXECUTABLE = ["qonnx_export", "convert_to_finn", "streamline", "lower_convs", "xnor", "hw_layers",
              "partition"]


def _ckpt(tmp_path_factory, arch, steps=6):
    out = tmp_path_factory.mktemp(arch)
    assert train.main(["--arch", arch, "--steps", str(steps), "--batch", "2", "--patch", "12",
                       "--val-every", str(steps), "--out", str(out), "--quiet"]) == 0
    return out / "ckpt.pt"


def _export(ckpt, out, *extra):
    return to_finn.main(["--ckpt", str(ckpt), "--out", str(out), "--input-hw", "12", "12",
                         "--golden-real", "1", "--golden-random", "1", "--no-cppsim",
                         *map(str, extra)])


@pytest.fixture(scope="module")
def btm_build(tmp_path_factory):
    ck = _ckpt(tmp_path_factory, "edsr_btm_x2_c8_b1")
    out = tmp_path_factory.mktemp("build_btm")
    assert _export(ck, out, "--target-fps", 50000) == 0
    return out


@pytest.fixture(scope="module")
def mrb_build(tmp_path_factory):
    ck = _ckpt(tmp_path_factory, "edsr_mrb_x2_c8_b1")
    out = tmp_path_factory.mktemp("build_mrb")
    assert _export(ck, out) == 0
    return out


def _check_verify(out: Path):
    rec = json.loads((out / "verify.json").read_text())
    assert [r["step"] for r in rec] == step_names()
    for r in rec:
        if r["step"] in EXECUTABLE:
            assert r["compared"] == 2 * 3 * 24 * 24, r
            assert r["mismatches"] == 0, r
        elif r["step"] == "cppsim":  # tests/export/test_cppsim.py runs it
            assert r["mismatches"] is None and r["reason"] == "skipped (--no-cppsim)", r
        else:
            assert r["mismatches"] is None and r["reason"]
    assert (out / "DONE").is_file() and not (out / "FAILED.txt").exists()


def _dataflow(out: Path) -> ModelWrapper:
    """The partition graph with its build-relative paths ($BUILD/...) made absolute."""
    from export import paths

    return paths.load(next((out / "partitions").glob("*.onnx")), out)


def test_default_arch_zero_mismatches_at_every_step(btm_build):
    _check_verify(btm_build)
    x = np.load(btm_build / "golden" / "input.npy")
    y = np.load(btm_build / "golden" / "expected_output.npy")
    assert x.dtype == np.uint8 and y.dtype == np.uint8 and y.shape == (2, 3, 24, 24)
    cfg = json.loads((btm_build / "config.json").read_text())
    assert cfg["target_fps"] == 50000
    for i in range(len(step_names())):
        assert (btm_build / "steps" / f"{i:02d}_{step_names()[i]}.onnx").is_file()


def test_generated_hls_uses_xnor_popcount(btm_build):
    df = _dataflow(btm_build)
    xnor = [n for n in df.graph.node if n.op_type == "MVAU_hls"
            and getCustomOp(n).get_nodeattr("binaryXnorMode") == 1]
    assert len(xnor) == 1
    inst = getCustomOp(xnor[0])
    # popcount of K = 8 * 9 = 72 needs 7 unsigned bits, not FINN's signed INT8-of-±1 width
    assert inst.get_nodeattr("MW") == 72 and inst.get_nodeattr("accDataType") == "UINT7"
    code = Path(inst.get_nodeattr("code_gen_dir_ipgen"))
    src = "".join(p.read_text() for p in code.glob("*.cpp"))
    assert "Recast<XnorMul>" in src
    assert (code / "thresh.h").is_file() or list(code.glob("*.dat"))


def test_estimates_json(btm_build):
    est = json.loads((btm_build / "estimates.json").read_text())
    t = est["totals"]
    assert t["LUT"] > 0 and t["bottleneck_cycles"] > 0 and t["fps"] > 0
    assert t["binary_macs_per_frame"] == 12 * 12 * 72 * 8  # one 3x3 binary conv, 8 ch
    assert any(l["xnor"] for l in est["layers"])
    for l in est["layers"]:
        assert {"LUT", "BRAM_18K", "URAM", "DSP", "cycles", "folding"} <= set(l)
    assert (btm_build / "folding.json").is_file()


def test_mrb_zero_mismatches_and_concat(mrb_build):
    _check_verify(mrb_build)
    df = _dataflow(mrb_build)
    ops = [n.op_type for n in df.graph.node]
    # the branch MVAUs output raw popcounts in [0, K]: unsigned, not FINN's INT of the ±1 sum
    for n in df.graph.node:
        if n.op_type == "MVAU_hls" and getCustomOp(n).get_nodeattr("noActivation") == 1:
            k = getCustomOp(n).get_nodeattr("MW")
            assert getCustomOp(n).get_nodeattr("outputDataType") == f"UINT{k.bit_length()}"
    assert sum(o == "MVAU_hls" for o in ops) == 2 + 5  # head, tail, 4 branches + 3x3
    assert any(o.startswith("StreamingConcat") for o in ops)


def test_bn_baseline_goes_through_and_is_reported(tmp_path_factory):
    ck = _ckpt(tmp_path_factory, "edsr_bn_x2_c8_b1")
    out = tmp_path_factory.mktemp("build_bn")
    assert _export(ck, out) == 0
    rec = json.loads((out / "verify.json").read_text())
    assert all(r["compared"] > 0 for r in rec if r["step"] in EXECUTABLE)


# ---------------------------------------------------------------- errors
def test_missing_and_wrong_checkpoint(tmp_path, capsys):
    assert _export(tmp_path / "nope.pt", tmp_path / "o1") == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "notes.txt"
    bad.write_text("not a checkpoint")
    assert _export(bad, tmp_path / "o2") == 2
    assert "notes.txt" in capsys.readouterr().err
    assert not (tmp_path / "o2" / "DONE").exists()


def test_unsupported_layer_names_node_op_and_step(tmp_path_factory, capsys):
    ck = _ckpt(tmp_path_factory, "edsr_fp_x2_c8_b1", steps=2)
    out = tmp_path_factory.mktemp("build_fp")
    assert _export(ck, out) == 2
    err = capsys.readouterr().err
    assert re.search(r"node '\w+' \((Conv|Mul|Add|Sub|MatMul)\) in step streamline: .*floating", err)
    assert "cannot be exported" in err
    assert (out / "FAILED.txt").is_file() and not (out / "DONE").exists()


def test_cli_as_a_script_runs(tmp_path):
    r = subprocess.run([sys.executable, str(REPO / "export" / "to_finn.py"), "--help"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--target-fps" in r.stdout


def test_negative_control_flipped_weight_bit_fails_verification(btm_build):
    from export.config import ExportConfig
    from export.errors import VerificationError
    from export.flow import Context, verify_step
    from model import model_from_checkpoint

    cfg = json.loads((btm_build / "config.json").read_text())
    ctx = Context(ExportConfig(ckpt=Path(cfg["ckpt"]), out=btm_build))
    ctx.net, _ = model_from_checkpoint(Path(cfg["ckpt"]))
    ctx.golden_in = np.load(btm_build / "golden" / "input.npy")
    ctx.golden_out = np.load(btm_build / "golden" / "expected_output.npy").astype(np.float32)
    m = ModelWrapper(str(btm_build / "steps" / "04_xnor.onnx"))
    assert verify_step(m, ctx, "xnor")["mismatches"] == 0
    xnor = [n for n in m.graph.node if n.op_type == "XnorPopcountMatMul"][0]
    w = m.get_initializer(xnor.input[1]).copy()
    w[5, 3] = 1 - w[5, 3]  # flip one weight bit
    m.set_initializer(xnor.input[1], w)
    with pytest.raises(VerificationError, match=r"step xnor: \d+ of \d+ outputs differ.*first mismatch"):
        verify_step(m, ctx, "xnor")
