# SPDX-License-Identifier: MIT
"""Each custom export pass on a tiny graph: pattern in, pattern out, execution equal."""
import numpy as np
import pytest
from onnx import TensorProto, helper
from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.transformation.lower_convs_to_matmul import LowerConvsToMatMul
from qonnx.util.basic import qonnx_make_model

from export.errors import UnsupportedGraphError
from export.transforms import (AbsorbConstPadIntoIm2Col, AbsorbPReLUIntoMultiThreshold,
                               DuplicateSharedBipolarThreshold,
                               MoveMultiThresholdBeforeDepthToSpace,
                               MoveTransposeBeforeChannelConstOp)

QDOM = "qonnx.custom_op.general"


def _model(nodes, x_shape, y_shape, inits, x_dt=None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)
    m = ModelWrapper(qonnx_make_model(helper.make_graph(nodes, "g", [x], [y]), producer_name="t"))
    for k, v in inits.items():
        v = np.asarray(v)
        m.set_initializer(k, v if v.dtype == np.int64 else v.astype(np.float32))
    if x_dt:
        m.set_tensor_datatype("x", DataType[x_dt])
    return m.transform(InferShapes())


def _run(m, x):
    return execute_onnx(m, {"x": x.astype(np.float32)})["y"]


def _ops(m):
    return [n.op_type for n in m.graph.node]


def _mt(inp, out, T, **kw):
    kw.setdefault("out_dtype", "UINT8")
    return helper.make_node("MultiThreshold", [inp, T], [out], domain=QDOM, **kw)


def test_absorb_prelu_into_thresholds():
    rng = np.random.default_rng(0)
    C = 4
    T = np.sort(rng.integers(-40, 40, (C, 7)), axis=1) / 4.0
    m = _model([helper.make_node("PRelu", ["x", "a"], ["p"]), _mt("p", "y", "T")],
               [1, C, 3, 3], [1, C, 3, 3],
               {"a": (2.0 ** -rng.integers(0, 5, (C, 1, 1))), "T": T})
    x = rng.integers(-60, 60, (1, C, 3, 3)) / 4.0  # hits the thresholds exactly (ties)
    before = _run(m, x)
    m2 = m.transform(AbsorbPReLUIntoMultiThreshold())
    assert _ops(m2) == ["MultiThreshold"]
    assert np.array_equal(_run(m2, x), before)


def test_absorb_prelu_rejects_non_positive_slopes():
    m = _model([helper.make_node("PRelu", ["x", "a"], ["p"], name="PRelu_7"), _mt("p", "y", "T")],
               [1, 2, 2, 2], [1, 2, 2, 2], {"a": [[[0.25]], [[-0.5]]], "T": [[0.0], [1.0]]})
    with pytest.raises(UnsupportedGraphError, match="PRelu_7.*PRelu.*non-positive"):
        m.transform(AbsorbPReLUIntoMultiThreshold())


def test_absorb_minus_one_pad_into_im2col():
    rng = np.random.default_rng(1)
    W = np.where(rng.random((3, 2, 3, 3)) < 0.5, -1.0, 1.0)
    m = _model([helper.make_node("Pad", ["x", "pads", "v"], ["p"], mode="constant"),
                helper.make_node("Conv", ["p", "W"], ["y"], kernel_shape=[3, 3], strides=[1, 1],
                                 pads=[0, 0, 0, 0], dilations=[1, 1], group=1)],
               [1, 2, 5, 4], [1, 3, 5, 4],
               {"pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64), "v": np.array(-1.0),
                "W": W}, "BIPOLAR")
    m.set_tensor_datatype("W", DataType["BIPOLAR"])
    x = np.where(rng.random((1, 2, 5, 4)) < 0.5, -1.0, 1.0)
    before = _run(m, x)
    lowered = m.transform(LowerConvsToMatMul())
    m2 = lowered.transform(AbsorbConstPadIntoIm2Col())
    assert "Pad" in _ops(lowered) and "Pad" not in _ops(m2)
    i2c = [n for n in m2.graph.node if n.op_type == "Im2Col"][0]
    attrs = {a.name: a for a in i2c.attribute}
    assert attrs["pad_value"].i == -1 and list(attrs["pad_amount"].ints) == [1, 1, 1, 1]
    assert np.array_equal(_run(m2, x), before)


@pytest.mark.parametrize("mode", ["CRD", "DCR"])
def test_thresholds_move_before_depth_to_space(mode):
    rng = np.random.default_rng(2)
    T = np.sort(rng.integers(-10, 10, (2, 5)), axis=1).astype(float)
    m = _model([helper.make_node("DepthToSpace", ["x"], ["d"], blocksize=2, mode=mode),
                _mt("d", "y", "T")], [1, 8, 3, 2], [1, 2, 6, 4], {"T": T})
    x = rng.integers(-12, 12, (1, 8, 3, 2)).astype(float)
    before = _run(m, x)
    m2 = m.transform(MoveMultiThresholdBeforeDepthToSpace())
    assert _ops(m2) == ["MultiThreshold", "DepthToSpace"]
    assert np.array_equal(_run(m2, x), before)


def test_transpose_moves_before_mean_subtraction():
    rng = np.random.default_rng(3)
    m = _model([helper.make_node("Sub", ["x", "c"], ["s"]),
                helper.make_node("Transpose", ["s"], ["y"], perm=[0, 2, 3, 1])],
               [1, 3, 4, 5], [1, 4, 5, 3], {"c": [[[[114.0]], [[111.0]], [[103.0]]]]})
    x = rng.integers(0, 256, (1, 3, 4, 5)).astype(float)
    before = _run(m, x)
    m2 = m.transform(MoveTransposeBeforeChannelConstOp())
    assert _ops(m2) == ["Transpose", "Sub"]
    assert np.array_equal(_run(m2, x), before)


def test_shared_bipolar_threshold_is_duplicated_per_consumer():
    m = _model([_mt("x", "s", "T", out_dtype="BIPOLAR", out_scale=2.0, out_bias=-1.0),
                helper.make_node("Mul", ["s", "k1"], ["a"]), helper.make_node("Mul", ["s", "k2"], ["b"]),
                helper.make_node("Add", ["a", "b"], ["y"])],
               [1, 2, 2, 2], [1, 2, 2, 2], {"T": [[0.0]], "k1": [3.0], "k2": [5.0]})
    x = np.array([-1.0, 0.0, 2.0, -3.0, 0.5, -0.5, 1.0, 0.0]).reshape(1, 2, 2, 2)
    before = _run(m, x)
    m2 = m.transform(DuplicateSharedBipolarThreshold())
    mts = [n for n in m2.graph.node if n.op_type == "MultiThreshold"]
    assert len(mts) == 2 and all(len(m2.find_consumers(n.output[0])) == 1 for n in mts)
    assert np.array_equal(_run(m2, x), before)


def test_lift_mvau_folding_limit_raises_pe_to_the_target_only():
    from qonnx.custom_op.registry import getCustomOp

    from export.transforms import LiftMVAUFoldingLimit
    from hw.sim.golden import mvau_model

    rng = np.random.default_rng(0)
    m = mvau_model(rng.integers(0, 2, (36, 12)), None, simd=36, pe=1, out_dt="UINT8", act_val=0,
                   n_vectors=10)
    inst = getCustomOp(m.graph.node[0])
    assert inst.get_exp_cycles() == 120          # 10 vectors x 12 output folds
    t = LiftMVAUFoldingLimit(40)
    m = m.transform(t)
    inst = getCustomOp(m.graph.node[0])  # transform works on a copy
    assert inst.get_nodeattr("PE") == 3 and inst.get_exp_cycles() == 40
    assert t.lifted == [(m.graph.node[0].name, 1, 3)]
    t2 = LiftMVAUFoldingLimit(1000)              # already met: unchanged
    m = m.transform(t2)
    assert getCustomOp(m.graph.node[0]).get_nodeattr("PE") == 3 and t2.lifted == []
    t3 = LiftMVAUFoldingLimit(1)                 # unreachable: fully parallel, PE = MH
    m = m.transform(t3)
    assert getCustomOp(m.graph.node[0]).get_nodeattr("PE") == 12


def test_xnor_popcount_accumulator_is_unsigned_popcount_width():
    """FINN types a K = 40 XNOR MVAU without activation INT6 (the ±1 dot product); the unit
    outputs the popcount [0, 40], which needs UINT6: a popcount of 40 read as INT6 is −24."""
    from qonnx.custom_op.registry import getCustomOp

    from export.transforms import SetXnorPopcountAccumulator
    from hw.sim.golden import mvau_model

    rng = np.random.default_rng(0)
    m = mvau_model(rng.integers(0, 2, (40, 4)), None, simd=8, pe=2, out_dt="INT6", act_val=0,
                   acc_dt="INT6")
    n = m.graph.node[0]
    assert getCustomOp(n).get_nodeattr("noActivation") == 1
    assert DataType["INT6"].min() <= 40 - 64 and not DataType["INT6"].allowed(40)  # the bug
    m = m.transform(SetXnorPopcountAccumulator())
    inst = getCustomOp(m.graph.node[0])
    assert inst.get_nodeattr("accDataType") == "UINT6" and inst.get_nodeattr("outputDataType") == "UINT6"
    assert m.get_tensor_datatype(m.graph.node[0].output[0]) == DataType["UINT6"]
    assert DataType["UINT6"].allowed(40) and DataType["UINT6"].allowed(0)
    # an integer (non-XNOR) MVAU is left alone
    mi = mvau_model(rng.integers(-8, 8, (9, 4)), None, simd=3, pe=2, out_dt="INT10", act_val=0,
                    in_dt="INT4", w_dt="INT4", acc_dt="INT10")
    mi = mi.transform(SetXnorPopcountAccumulator())
    assert getCustomOp(mi.graph.node[0]).get_nodeattr("accDataType") == "INT10"


def _graph_feed(nodes, inputs, output, inits, vi=()):
    """A tiny float graph: ``inputs`` {name: shape}, ``output`` (name, shape), initializers."""
    g = helper.make_graph(
        nodes, "t", [helper.make_tensor_value_info(k, TensorProto.FLOAT, s) for k, s in inputs.items()],
        [helper.make_tensor_value_info(output[0], TensorProto.FLOAT, output[1])],
        value_info=[helper.make_tensor_value_info(k, TensorProto.FLOAT, s) for k, s in vi])
    m = ModelWrapper(qonnx_make_model(g))
    for k, v in inits.items():
        m.set_initializer(k, np.asarray(v, dtype=np.float32))
    return m


def _run_feed(m, feed):
    return execute_onnx(m, feed)[m.graph.output[0].name]


def test_factor_pot_mul_out_of_add_keeps_the_sum():
    from export.transforms import FactorPoTMulOutOfAdd

    m = _graph_feed([helper.make_node("Mul", ["a", "ca"], ["pa"]), helper.make_node("Mul", ["b", "cb"], ["pb"]),
                helper.make_node("Add", ["pa", "pb"], ["y"])],
               {"a": [1, 4], "b": [1, 4]}, ("y", [1, 4]), {"ca": 0.25, "cb": 2.0},
               vi=[("pa", [1, 4]), ("pb", [1, 4])])
    rng = np.random.default_rng(0)
    feed = {"a": rng.integers(-8, 8, (1, 4)).astype(np.float32),
            "b": rng.integers(-8, 8, (1, 4)).astype(np.float32)}
    ref = _run_feed(m, feed)
    m2 = m.transform(FactorPoTMulOutOfAdd())
    ops = [n.op_type for n in m2.graph.node]
    assert ops.count("Mul") == 2 and ops[-1] == "Mul"          # a * 1 dropped, one factor 8 left
    assert float(m2.get_initializer(m2.graph.node[-1].input[1])) == 0.25
    assert np.array_equal(_run_feed(m2, feed), ref)
    # not powers of two: untouched
    m3 = _graph_feed([helper.make_node("Mul", ["a", "ca"], ["pa"]), helper.make_node("Mul", ["b", "cb"], ["pb"]),
                 helper.make_node("Add", ["pa", "pb"], ["y"])],
                {"a": [1, 4], "b": [1, 4]}, ("y", [1, 4]), {"ca": 0.3, "cb": 2.0},
                vi=[("pa", [1, 4]), ("pb", [1, 4])])
    assert [n.op_type for n in m3.transform(FactorPoTMulOutOfAdd()).graph.node] == ["Mul", "Mul", "Add"]


def test_convert_const_sub_to_add_except_on_the_graph_input():
    from export.transforms import ConvertConstSubToAdd

    m = _graph_feed([helper.make_node("Sub", ["x", "mean"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
                helper.make_node("Sub", ["r", "theta"], ["y"])],
               {"x": [1, 3]}, ("y", [1, 3]), {"mean": [1.0, 2.0, 3.0], "theta": [0.5, -1.0, 2.0]},
               vi=[("h", [1, 3]), ("r", [1, 3])])
    feed = {"x": np.array([[4.0, -2.0, 7.0]], np.float32)}
    ref = _run_feed(m, feed)
    m2 = m.transform(ConvertConstSubToAdd())
    assert [n.op_type for n in m2.graph.node] == ["Sub", "Relu", "Add"]
    assert np.array_equal(_run_feed(m2, feed), ref)


def test_move_scalar_mul_before_transpose():
    from export.transforms import MoveScalarMulBeforeTranspose

    m = _graph_feed([helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),
                helper.make_node("Mul", ["t", "c"], ["y"])],
               {"x": [1, 2, 3, 4]}, ("y", [1, 3, 4, 2]), {"c": 4.0}, vi=[("t", [1, 3, 4, 2])])
    feed = {"x": np.random.default_rng(1).integers(-5, 5, (1, 2, 3, 4)).astype(np.float32)}
    ref = _run_feed(m, feed)
    m2 = m.transform(MoveScalarMulBeforeTranspose())
    assert [n.op_type for n in m2.graph.node] == ["Mul", "Transpose"]
    assert np.array_equal(_run_feed(m2, feed), ref)
    # a per-channel constant does not commute with the permutation: untouched
    m3 = _graph_feed([helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),
                 helper.make_node("Mul", ["t", "c"], ["y"])],
                {"x": [1, 2, 3, 4]}, ("y", [1, 3, 4, 2]), {"c": [1.0, 2.0]}, vi=[("t", [1, 3, 4, 2])])
    assert [n.op_type for n in m3.transform(MoveScalarMulBeforeTranspose()).graph.node] == ["Transpose", "Mul"]


def test_duplicate_forked_pad_and_weight_quant_give_one_copy_per_consumer():
    from export.transforms import DuplicateForkedPad, DuplicateForkedWeightQuant

    # a -1 pad shared by two consumers (ABC: one activation basis, M convs)
    m = _graph_feed([helper.make_node("Pad", ["x", "pads", "v"], ["p"], mode="constant"),
                     helper.make_node("Relu", ["p"], ["r1"]), helper.make_node("Neg", ["p"], ["r2"]),
                     helper.make_node("Add", ["r1", "r2"], ["y"])],
                    {"x": [1, 1, 2, 2]}, ("y", [1, 1, 4, 4]), {"v": -1.0},
                    vi=[("p", [1, 1, 4, 4]), ("r1", [1, 1, 4, 4]), ("r2", [1, 1, 4, 4])])
    m.set_initializer("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64))
    feed = {"x": np.array([[[[1.0, -2.0], [3.0, 0.5]]]], np.float32)}
    ref = _run_feed(m, feed)
    m2 = m.transform(DuplicateForkedPad())
    pads = [n for n in m2.graph.node if n.op_type == "Pad"]
    assert len(pads) == 2 and all(len(m2.find_consumers(p.output[0])) == 1 for p in pads)
    assert np.array_equal(_run_feed(m2, feed), ref)
    # a weight quantizer (all inputs constant) feeding two MatMuls
    q = helper.make_node("BipolarQuant", ["w", "s"], ["wq"], domain=QDOM)
    m = _graph_feed([q, helper.make_node("MatMul", ["x", "wq"], ["a"]),
                     helper.make_node("MatMul", ["x", "wq"], ["b"]), helper.make_node("Add", ["a", "b"], ["y"])],
                    {"x": [1, 3]}, ("y", [1, 2]), {"w": [[0.5, -1.0], [-0.2, 2.0], [1.0, 1.0]], "s": 1.0},
                    vi=[("wq", [3, 2]), ("a", [1, 2]), ("b", [1, 2])])
    feed = {"x": np.array([[1.0, 2.0, -3.0]], np.float32)}
    ref = _run_feed(m, feed)
    m2 = m.transform(DuplicateForkedWeightQuant())
    qs = [n for n in m2.graph.node if n.op_type == "BipolarQuant"]
    assert len(qs) == 2 and len({n.output[0] for n in qs}) == 2
    assert np.array_equal(_run_feed(m2, feed), ref)
    # a quantizer of an activation (not all inputs constant) stays shared
    m3 = _graph_feed([helper.make_node("BipolarQuant", ["x", "s"], ["xq"], domain=QDOM),
                      helper.make_node("Relu", ["xq"], ["a"]), helper.make_node("Neg", ["xq"], ["b"]),
                      helper.make_node("Add", ["a", "b"], ["y"])],
                     {"x": [1, 3]}, ("y", [1, 3]), {"s": 1.0}, vi=[("xq", [1, 3]), ("a", [1, 3]), ("b", [1, 3])])
    assert len([n for n in m3.transform(DuplicateForkedWeightQuant()).graph.node
                if n.op_type == "BipolarQuant"]) == 1


def test_binary_im2col_pad_becomes_bit_zero_only_on_binary_inputs():
    from export.transforms import SetBinaryIm2ColPadBit

    def im2col(dt):
        m = _graph_feed([helper.make_node("Im2Col", ["x"], ["y"], domain=QDOM, stride=[1, 1],
                                          kernel_size=[3, 3], pad_amount=[1, 1, 1, 1],
                                          input_shape="(1, 4, 4, 2)", pad_value=-1)],
                        {"x": [1, 4, 4, 2]}, ("y", [1, 4, 4, 18]), {})
        m.set_tensor_datatype("x", DataType[dt])
        return m

    from qonnx.custom_op.registry import getCustomOp

    m = im2col("BINARY").transform(SetBinaryIm2ColPadBit())
    assert getCustomOp(m.graph.node[0]).get_nodeattr("pad_value") == 0
    # bit 0 is -1 in XNOR form: the padded window of bits equals the bipolar window mapped
    x = np.random.default_rng(0).integers(0, 2, (1, 4, 4, 2)).astype(np.float32)
    bits = _run_feed(m, {"x": x})
    bip = _run_feed(im2col("BIPOLAR"), {"x": 2 * x - 1})
    assert np.array_equal(2 * bits - 1, bip)
    m = im2col("INT8").transform(SetBinaryIm2ColPadBit())
    assert getCustomOp(m.graph.node[0]).get_nodeattr("pad_value") == -1


def test_narrow_elementwise_output_datatype():
    from qonnx.custom_op.registry import getCustomOp

    from export.transforms import NarrowElementwiseOutputDatatype

    def eltwise(op, a, b):
        n = helper.make_node(op, ["a", "b"], ["y"], domain="finn.custom_op.fpgadataflow",
                             backend="fpgadataflow", lhs_shape=[1, 4], rhs_shape=[1, 4],
                             out_shape=[1, 4], lhs_dtype=a, rhs_dtype=b, out_dtype="INT32")
        m = _graph_feed([n], {"a": [1, 4], "b": [1, 4]}, ("y", [1, 4]), {})
        m.set_tensor_datatype("a", DataType[a])
        m.set_tensor_datatype("b", DataType[b])
        m = m.transform(NarrowElementwiseOutputDatatype())
        return getCustomOp(m.graph.node[0]).get_nodeattr("out_dtype"), m.get_tensor_datatype("y").name

    assert eltwise("ElementwiseAdd", "INT8", "INT8") == ("INT9", "INT9")       # -256 .. 254
    assert eltwise("ElementwiseSub", "UINT8", "UINT8") == ("INT9", "INT9")     # -255 .. 255
    assert eltwise("ElementwiseAdd", "UINT4", "UINT4") == ("UINT5", "UINT5")   # 0 .. 30
    assert eltwise("ElementwiseAdd", "INT8", "UINT8") == ("INT10", "INT10")    # -128 .. 382
