# SPDX-License-Identifier: MIT
"""Per FINN node: every MVAU of a real export as the generator builds its layer (the matrix-
vector unit and its requantiser), against the Python execution of the same unspecialised
node (weights, thresholds, attributes), random inputs, input gaps and output backpressure."""
import numpy as np
import pytest
from qonnx.custom_op.registry import getCustomOp

from export import to_finn
from hw.gen import layer_top
from hw.gen.emit import Context, emit_mvau
from hw.sim.golden import mvau_execute, mvau_model
from model import train
from rtl_tests.words import run_words


@pytest.fixture(scope="module")
def hw_graph(tmp_path_factory):
    """The ``hw_layers`` graph of a tiny default-arch export (MVAU nodes unspecialised)."""
    from qonnx.core.modelwrapper import ModelWrapper

    run = tmp_path_factory.mktemp("run")
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--steps", "4", "--batch", "2", "--patch",
                       "12", "--val-every", "4", "--out", str(run), "--quiet"]) == 0
    out = tmp_path_factory.mktemp("build")
    assert to_finn.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(out), "--input-hw", "8", "8",
                         "--golden-real", "0", "--stop-step", "hw_layers"]) == 0
    return ModelWrapper(str(next((out / "steps").glob("*_hw_layers.onnx"))))


FOLDING = {0: (3, 2), 1: (8, 2), 2: (4, 3)}  # node index -> (SIMD, PE), divisors of MW/MH


@pytest.mark.rtlsim
@pytest.mark.parametrize("idx", [0, 1, 2])
def test_mvau_layer_rtl_equals_node_execution(hw_graph, idx, tmp_path):
    node = [n for n in hw_graph.graph.node if n.op_type == "MVAU"][idx]
    inst = getCustomOp(node)
    simd, pe = FOLDING[idx]
    inst.set_nodeattr("SIMD", simd)
    inst.set_nodeattr("PE", pe)
    mw = inst.get_nodeattr("MW")
    idt, odt = inst.get_input_datatype(), inst.get_output_datatype()
    rng = np.random.default_rng(idx)
    x = rng.integers(int(idt.min()), int(idt.max()) + 1, (6, mw))
    # the node itself (its weights, thresholds and attributes), executed by FINN in Python
    W = hw_graph.get_initializer(node.input[1])
    T = hw_graph.get_initializer(node.input[2])
    golden = mvau_model(W, T, simd, pe, odt.name, inst.get_nodeattr("ActVal"), len(x),
                        in_dt=idt.name, w_dt=inst.get_nodeattr("weightDataType"),
                        acc_dt=inst.get_nodeattr("accDataType"))
    expected = mvau_execute(golden, x)
    lay = emit_mvau(Context(hw_graph, str(tmp_path)), node)
    assert lay.record["requantisers"][0]["requantiser"] == "arithmetic"
    files = layer_top(lay, tmp_path)
    assert run_words("sr_top", files, {}, tmp_path, x.reshape(-1, simd), idt.bitwidth(),
                     bool(idt.signed()), expected.reshape(-1, pe), odt.bitwidth(),
                     bool(odt.signed())) == (1, 0)
