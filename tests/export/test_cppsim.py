# SPDX-License-Identifier: MIT
"""FINN's own HLS code compiled with g++ against open headers and executed (cppsim), checked
with ``==`` per node against FINN's Python execution and for the network against PyTorch;
a weight bit flipped in FINN's generated parameters must fail the check, naming the node."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from export import cppsim
from tests.builds import tiny_build

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(cppsim.find_headers()[0] is None,
                                reason=f"cppsim headers missing: {cppsim.find_headers()[1]}")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """A tiny default-arch build exported with cppsim on (the default of to_finn)."""
    root = tmp_path_factory.mktemp("cppsim")
    return tiny_build(root, cppsim=True)


def test_cppsim_step_zero_mismatches_per_node_and_network(build):
    rows = {r["step"]: r for r in json.loads((build / "verify.json").read_text())}
    r = rows["cppsim"]
    y = np.load(build / "golden" / "expected_output.npy")
    assert r["compared"] == y.size and r["mismatches"] == 0, r
    assert r["nodes_compared"] > 0 and r["node_mismatches"] == 0, r
    rec = json.loads((build / "cppsim" / "cppsim.json").read_text())
    kinds = set(rec["by_type"])
    # every HLS node type of the network, and the HLS variant of the RTL thresholding
    for k in ("MVAU_hls (XNOR)", "MVAU_hls (int8 head)", "MVAU_hls (int8 tail)",
              "ElementwiseAdd_hls", "ElementwiseSub_hls", "DuplicateStreams_hls",
              "Thresholding_hls (variant of Thresholding_rtl)"):
        assert k in kinds and rec["by_type"][k]["compared"] > 0, (k, kinds)
    assert all(v["mismatches"] == 0 for v in rec["nodes"].values())
    assert set(rec["hls_variants_not_checked"]) == {"ConvolutionInputGenerator_rtl", "FMPadding_rtl"}
    # the network's cppsim output is the PyTorch output, value for value
    assert np.array_equal(np.load(build / "cppsim" / "output.npy").astype(np.int64),
                          y.astype(np.int64))
    # generated sources name their npy files relative to their folder (no absolute paths)
    src = next((build / "cppsim").glob("MVAU_hls_*/execute_MVAU_hls.cpp")).read_text()
    assert str(build) not in src and '"input_0.npy"' in src


def _xnor_node(build):
    rec = json.loads((build / "cppsim" / "cppsim.json").read_text())
    return next(n for n, v in rec["nodes"].items() if v["kind"] == "MVAU_hls (XNOR)")


def test_flipped_weight_bit_in_finn_parameters_fails_naming_the_node(build, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(build, b)
    node = _xnor_node(b)
    wfile = b / "cppsim" / node / "input_1.npy"
    w = np.load(wfile)
    flat = w.reshape(-1)
    flat[0] = 1 - flat[0] if set(np.unique(flat)) <= {0, 1} else -flat[0]
    np.save(wfile, w)
    r = subprocess.run([sys.executable, "-m", "export.cppsim", "--build", str(b), "--reuse"],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and node in err[0] and "differ" in err[0], r.stderr
    rec = json.loads((b / "cppsim" / "cppsim.json").read_text())
    assert rec["nodes"][node]["mismatches"] > 0
    # a constant FINN compiles into the code (the mean subtraction's, params.hpp) moved by one
    c = tmp_path / "c"
    shutil.copytree(build, c)
    hpp = c / "cppsim" / "ElementwiseSub_hls_0" / "params.hpp"
    text = hpp.read_text()
    import re
    m = re.search(r"\{(\d+)\}", text)
    hpp.write_text(text[:m.start(1)] + str(int(m.group(1)) + 1) + text[m.end(1):])
    r = subprocess.run([sys.executable, "-m", "export.cppsim", "--build", str(c), "--reuse"],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 2 and "ElementwiseSub_hls_0" in r.stderr, r.stdout + r.stderr
    # the unmodified copy of the same build passes
    ok = subprocess.run([sys.executable, "-m", "export.cppsim", "--build", str(build), "--reuse"],
                        cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_narrow_threshold_type_in_hls_thresholding_is_caught(build, tmp_path):
    """The HLS thresholding compares in its threshold type: the variant widens it to the
    input's range; with the RTL node's own narrow type the same check reports mismatches."""
    from qonnx.core.datatype import DataType
    from qonnx.custom_op.registry import getCustomOp

    parent, child, gin, gout = cppsim.load_build(build)
    vm, names = cppsim._variant_model(child)
    for v in names:
        inst = getCustomOp(vm.get_node_from_name(v))
        idt = inst.get_input_datatype(0)
        tdt = DataType[inst.get_nodeattr("weightDataType")]
        assert tdt.min() <= idt.min() and tdt.max() >= idt.max()
    orig = cppsim._variant_model

    def narrow(df):
        m, nm = orig(df)
        for v, o in nm.items():
            rtl = getCustomOp(df.get_node_from_name(o))
            getCustomOp(m.get_node_from_name(v)).set_nodeattr(
                "weightDataType", rtl.get_nodeattr("weightDataType"))
        return m, nm

    b = tmp_path / "b"
    shutil.copytree(build, b)
    cppsim._variant_model = narrow
    try:
        headers, _ = cppsim.find_headers()
        rec = cppsim.run_cppsim(parent, child, b, gin, gout, headers, progress=lambda m: None)
    finally:
        cppsim._variant_model = orig
    bad = {n: v for n, v in rec["nodes"].items() if v["mismatches"]}
    assert bad and all(n.endswith("_hlsvariant") for n in bad), bad
    assert rec["mismatches"] == 0  # the network itself uses the RTL thresholds


def test_missing_headers_skip_with_a_line_not_a_failure(tmp_path, build):
    from tests.builds import tiny_build as tb

    hollow = tmp_path / "hlslib"
    hollow.mkdir()
    (hollow / "bnn-library.h").write_text("")
    h, why = cppsim.find_headers(finn_hlslib=hollow)
    assert h is None and "dup.hpp" in why and str(hollow) in why
    ck = Path(json.loads((build / "config.json").read_text())["ckpt"])
    out = tb(tmp_path, ckpt=ck, export_args=("--finn-hlslib", str(hollow)), cppsim=True)
    row = next(r for r in json.loads((out / "verify.json").read_text()) if r["step"] == "cppsim")
    assert row["mismatches"] is None and row["reason"].startswith("skipped:") and "dup.hpp" in row["reason"]
    assert (out / "DONE").is_file()


@pytest.mark.rtlsim
def test_three_way_per_node_and_network(build, tmp_path):
    """PyTorch = FINN's HLS in cppsim = our RTL: on the network's golden frames, and per
    layer on the streams the cppsim step kept; one value of a kept stream changed must show."""
    from hw import run_network

    out = tmp_path / "run"
    assert run_network.main(["--build", str(build), "--out", str(out), "--per-node"]) == 0
    rec = json.loads((out / "rtl_run.json").read_text())
    t = rec["three_way"]
    assert t["pytorch_vs_cppsim"] == t["cppsim_vs_rtl"] == t["pytorch_vs_rtl"] == 0
    pn = rec["per_node"]
    alone = [r for r in pn["layers"] if "compared_words" in r]
    assert len(alone) >= 6 and pn["mismatches"] == 0 and pn["compared_words"] > 0
    assert {"MVAU_hls_1", "Thresholding_rtl_0"} <= {r["layer"] for r in alone}
    # negative control: the XNOR layer's expected output stream altered in one value
    b = tmp_path / "b"
    shutil.copytree(build, b)
    t = dict(np.load(b / "cppsim" / "tensors.npz"))
    from hw.gen import load_partition

    m, _ = load_partition(b)
    node = m.get_node_from_name("MVAU_hls_1")
    y = t[node.output[0]]
    y.reshape(-1)[5] = 0 if y.reshape(-1)[5] != 0 else 1
    np.savez_compressed(b / "cppsim" / "tensors.npz", **t)
    assert run_network.main(["--build", str(b), "--out", str(tmp_path / "bad"), "--per-node"]) == 1
    bad = json.loads((tmp_path / "bad" / "rtl_run.json").read_text())["per_node"]
    assert next(r for r in bad["layers"] if r["layer"] == "MVAU_hls_1")["mismatches"] > 0
