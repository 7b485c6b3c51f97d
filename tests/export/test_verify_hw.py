# SPDX-License-Identifier: MIT
"""Frame size apart from verification (``--verify-hw``): the big build is verified through a
small one with the same folding, every layer's parameters compared."""
import json

import pytest
from qonnx.core.modelwrapper import ModelWrapper

from export.flow import compare_parameters
from tests.builds import tiny_build


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return tiny_build(tmp_path_factory.mktemp("vhw"), hw=20, fps=20000,
                      export_args=("--verify-hw", "12", "12"))


def _partition(build):
    return ModelWrapper(str(next((build / "partitions").glob("*.onnx"))))


def test_big_build_verified_on_small_frames_with_equal_parameters(big):
    rec = json.loads((big / "parameters.json").read_text())
    assert rec["differences"] == [] and rec["big_hw"] == [20, 20] and rec["verified_hw"] == [12, 12]
    assert rec["nodes"] >= 10 and rec["parameters_compared"] >= 3 and rec["attributes_compared"] > 50
    verify = json.loads((big / "verify.json").read_text())
    checked = [r for r in verify if r.get("at") == [12, 12]]
    assert len(checked) >= 6 and all(r["mismatches"] == 0 and r["compared"] > 0 for r in checked)
    assert (big / "DONE").is_file() and (big / "verify" / "DONE").is_file()
    # the big build's graph is built for its own frame, folded as the verified one
    assert _partition(big).get_tensor_shape(_partition(big).graph.input[0].name)[1:3] == [20, 20]
    assert json.loads((big / "folding.json").read_text()) == \
        json.loads((big / "verify" / "folding.json").read_text())


def test_compare_parameters_catches_a_changed_weight_and_attribute(big):
    a, b = _partition(big), _partition(big / "verify")
    assert compare_parameters(a, b)["differences"] == []
    n = next(n for n in b.graph.node if n.op_type.startswith("MVAU"))
    w = b.get_initializer(n.input[1]).copy()
    w.flat[0] = -w.flat[0] if w.flat[0] != 0 else 1
    b.set_initializer(n.input[1], w)
    d = compare_parameters(a, b)["differences"]
    assert len(d) == 1 and n.name in d[0] and "parameter" in d[0]
    b = _partition(big / "verify")
    from qonnx.custom_op.registry import getCustomOp

    inst = getCustomOp(n2 := next(n for n in b.graph.node if n.op_type.startswith("MVAU")))
    inst.set_nodeattr("PE", 1 if inst.get_nodeattr("PE") != 1 else 2)
    d = compare_parameters(a, b)["differences"]
    assert any(n2.name in x and "PE" in x for x in d)
