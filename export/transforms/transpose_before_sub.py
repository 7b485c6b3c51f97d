# SPDX-License-Identifier: MIT
"""Move the NCHW->NHWC ``Transpose`` above a per-channel constant ``Sub``/``Add`` (the input
mean subtraction), so the transpose sits at the graph input outside the dataflow."""
from __future__ import annotations

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation
from qonnx.transformation.infer_datatypes import InferDataTypes
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.util.basic import get_by_name


class MoveTransposeBeforeChannelConstOp(Transformation):
    """Match ``Sub|Add(x, c[1,C,1,1]) -> Transpose(perm 0,2,3,1)`` with the op used only by
    the transpose, and leave ``Transpose(x) -> Sub|Add(., c[1,1,1,C])``.

    Lowering puts the transpose after the mean subtraction; with it moved up, the
    subtraction joins the NHWC dataflow (an ElementwiseSub layer) and the transpose is the
    host's input reorder. FINN's transpose passes move transposes downstream only.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type not in ("Sub", "Add"):
                continue
            c = model.get_initializer(n.input[1])
            if c is None or c.ndim != 4 or c.shape[0] != 1 or c.shape[2:] != (1, 1):
                continue
            cons = model.find_consumers(n.output[0])
            if cons is None or len(cons) != 1 or cons[0].op_type != "Transpose":
                continue
            tr = cons[0]
            if list(get_by_name(tr.attribute, "perm").ints) != [0, 2, 3, 1]:
                continue
            x, mid, y = n.input[0], n.output[0], tr.output[0]
            dt = model.get_tensor_datatype(n.input[1])
            model.set_initializer(n.input[1], np.ascontiguousarray(c.transpose(0, 2, 3, 1)))
            model.set_tensor_datatype(n.input[1], dt)
            tr.input[0], tr.output[0] = x, mid
            n.input[0], n.output[0] = mid, y
            nodes = list(model.graph.node)
            model.graph.node.remove(tr)
            model.graph.node.insert(nodes.index(n), tr)
            for vi in list(model.graph.value_info):
                if vi.name == mid:
                    model.graph.value_info.remove(vi)
            model = model.transform(InferShapes()).transform(InferDataTypes())
            return model, True
        return model, False
