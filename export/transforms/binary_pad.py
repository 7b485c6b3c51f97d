# SPDX-License-Identifier: MIT
"""After the XNOR conversion, the −1 pad of a binary conv is the bit 0."""
from __future__ import annotations

from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


class SetBinaryIm2ColPadBit(Transformation):
    """Match ``Im2Col(pad_value=-1)`` whose input is BINARY (XNOR bits) and leave
    ``pad_value=0``: in XNOR form bit 0 encodes −1, so the padding keeps its meaning, and 0
    is what FINN's FMPadding inserts. Run after qonnx's ``ConvertBipolarMatMulToXnorPopcount``
    (which retypes the activations but leaves the Im2Col pad value in the bipolar domain).
    """

    def apply(self, model: ModelWrapper):
        changed = False
        for n in model.graph.node:
            if n.op_type != "Im2Col":
                continue
            inst = getCustomOp(n)
            if (inst.get_nodeattr("pad_value") == -1
                    and model.get_tensor_datatype(n.input[0]) == DataType["BINARY"]):
                inst.set_nodeattr("pad_value", 0)
                changed = True
        return model, changed
