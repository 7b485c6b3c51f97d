# SPDX-License-Identifier: MIT
"""Give FINN element-wise add/sub layers the exact integer output width of their inputs."""
from __future__ import annotations

from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


def _range(model, t):
    c = model.get_initializer(t)
    if c is not None:
        return float(c.min()), float(c.max())
    dt = model.get_tensor_datatype(t)
    return dt.min(), dt.max()


class NarrowElementwiseOutputDatatype(Transformation):
    """Match ``ElementwiseAdd``/``ElementwiseSub`` with integer inputs whose ``out_dtype`` is
    wider than needed (FINN infers INT32) and leave the smallest signed/unsigned integer type
    that holds every possible result (INT8 + INT8 -> INT9; UINT8 - UINT8 -> INT9).

    The residual add then feeds a 9-bit, not a 32-bit, threshold comparator.
    """

    def apply(self, model: ModelWrapper):
        changed = False
        for n in model.graph.node:
            if n.op_type not in ("ElementwiseAdd", "ElementwiseSub"):
                continue
            (a0, a1), (b0, b1) = _range(model, n.input[0]), _range(model, n.input[1])
            lo, hi = (a0 + b0, a1 + b1) if n.op_type == "ElementwiseAdd" else (a0 - b1, a1 - b0)
            dt = DataType.get_smallest_possible(lo)
            if not dt.allowed(hi):
                dt = DataType.get_smallest_possible(hi if hi > -lo else lo)
                while not (dt.allowed(lo) and dt.allowed(hi)):
                    dt = DataType[f"INT{dt.bitwidth() + 1}"]
            inst = getCustomOp(n)
            if inst.get_nodeattr("out_dtype") != dt.name:
                inst.set_nodeattr("out_dtype", dt.name)
                model.set_tensor_datatype(n.output[0], dt)
                changed = True
        return model, changed
