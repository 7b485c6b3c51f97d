# SPDX-License-Identifier: MIT
"""Export of the binarization family: ABC-Net through ``export/to_finn.py`` bit-exactly as
M x N XNOR-popcount layers; the non-exportable options rejected with the reason."""
import json

import numpy as np
import pytest
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp

from export import to_finn
from export.flow import step_names
from model import train
from tests.family_ckpt import abc_checkpoint

EXECUTABLE = ["qonnx_export", "convert_to_finn", "streamline", "lower_convs", "xnor", "hw_layers",
              "partition"]
M, N = 2, 3


def _train(out, *extra):
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--steps", "3", "--batch", "2", "--patch",
                       "12", "--val-every", "3", "--out", str(out), "--quiet", *extra]) == 0
    return out / "ckpt.pt"


def _export(ckpt, out):
    return to_finn.main(["--ckpt", str(ckpt), "--out", str(out), "--input-hw", "12", "12",
                         "--golden-real", "1", "--golden-random", "2", "--no-cppsim"])


@pytest.fixture(scope="module")
def abc_build(tmp_path_factory):
    ck = abc_checkpoint(tmp_path_factory.mktemp("abc"), M, N)
    out = tmp_path_factory.mktemp("build_abc")
    assert _export(ck, out) == 0
    return out


def test_abc_export_zero_mismatches_at_every_executable_step(abc_build):
    rec = json.loads((abc_build / "verify.json").read_text())
    assert [r["step"] for r in rec] == step_names()
    for r in rec:
        if r["step"] in EXECUTABLE:
            assert r["compared"] == 3 * 3 * 24 * 24 and r["mismatches"] == 0, r
    assert (abc_build / "DONE").is_file()


def test_abc_maps_to_m_times_n_xnor_popcount_units(abc_build):
    df = ModelWrapper(str(next((abc_build / "partitions").glob("*.onnx"))))
    xnor = [n for n in df.graph.node if n.op_type.startswith("MVAU")
            and getCustomOp(n).get_nodeattr("binaryXnorMode") == 1]
    assert len(xnor) == M * N
    ops = [n.op_type for n in df.graph.node]
    # unequal coefficients: integer power-of-two multipliers and an adder tree of M*N inputs
    assert sum(o.startswith("ElementwiseMul") for o in ops) >= 1
    assert sum(o.startswith("ElementwiseAdd") for o in ops) == (M * N - 1) + 2  # + residual adds
    est = json.loads((abc_build / "estimates.json").read_text())
    assert est["totals"]["binary_macs_per_frame"] == M * N * 12 * 12 * 8 * 72
    # the module-level count (used for variants that cannot be exported) agrees with FINN's
    from model import model_from_checkpoint
    from model.cost import ops_per_frame

    cfg = json.loads((abc_build / "config.json").read_text())
    ops = ops_per_frame(model_from_checkpoint(cfg["ckpt"])[0], 12, 12)
    assert ops["binary_macs"] == est["totals"]["binary_macs_per_frame"]
    assert ops["int_macs"] == est["totals"]["int_macs_per_frame"]


def test_abc_negative_control_flipped_weight_bit(abc_build):
    from export.config import ExportConfig
    from export.errors import VerificationError
    from export.flow import Context, verify_step
    from model import model_from_checkpoint

    cfg = json.loads((abc_build / "config.json").read_text())
    ctx = Context(ExportConfig(ckpt=cfg["ckpt"], out=abc_build))
    ctx.net, _ = model_from_checkpoint(cfg["ckpt"])
    ctx.golden_in = np.load(abc_build / "golden" / "input.npy")
    ctx.golden_out = np.load(abc_build / "golden" / "expected_output.npy").astype(np.float32)
    m = ModelWrapper(str(abc_build / "steps" / "04_xnor.onnx"))
    assert verify_step(m, ctx, "xnor")["mismatches"] == 0
    xnor = [n for n in m.graph.node if n.op_type == "XnorPopcountMatMul"][-1]
    w = m.get_initializer(xnor.input[1]).copy()
    w[7, 2] = 1 - w[7, 2]
    m.set_initializer(xnor.input[1], w)
    with pytest.raises(VerificationError, match="outputs differ"):
        verify_step(m, ctx, "xnor")


@pytest.mark.parametrize("opts,words", [
    (["--rescale", "data"], ["data-driven channel re-scaling", "input frame", "rescale='none'"]),
    (["--binarize", "act"], ["real-valued weights", "--init-from"]),
    (["--binarize", "none"], ["clip(x)", "--init-from"]),
])
def test_non_exportable_options_are_rejected_with_the_reason(tmp_path, capsys, opts, words):
    ck = _train(tmp_path / "run", *opts)
    out = tmp_path / "build"
    assert _export(ck, out) == 2
    err = capsys.readouterr().err
    assert str(ck) in err and "cannot be exported" in err
    for w in words:
        assert w in err, (w, err)
    assert not (out / "DONE").exists() and not (out / "golden").exists()
