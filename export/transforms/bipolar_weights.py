# SPDX-License-Identifier: MIT
"""Mark an integer MVAU whose weights are all ±1 as a bipolar-weight MVAU."""
from __future__ import annotations

import numpy as np
from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


class SetBipolarWeights(Transformation):
    """Match MVAUs without ``binaryXnorMode`` whose weight initializer holds only -1 and +1
    (the binary-weight upsampler: ±α weights whose α moved into the thresholds) and set
    ``weightDataType = BIPOLAR`` on the node and its weight tensor.

    FINN's ``MinimizeWeightBitWidth`` gives such weights INT2, so FINN's HLS multiplies by a
    2-bit weight (and estimates multipliers); as BIPOLAR its HLS reads one bit per weight
    (``Recast<Binary>``: +x or -x) and its Python execution is unchanged (a matmul with the
    same ±1 values). Run after ``MinimizeWeightBitWidth``.
    """

    def apply(self, model: ModelWrapper):
        changed = False
        for n in model.graph.node:
            if not n.op_type.startswith("MVAU"):
                continue
            inst = getCustomOp(n)
            if inst.get_nodeattr("binaryXnorMode") == 1:
                continue
            if inst.get_input_datatype(0) in (DataType["BIPOLAR"], DataType["BINARY"]):
                continue
            W = model.get_initializer(n.input[1])
            if W is None or not np.isin(W, (-1.0, 1.0)).all():
                continue
            if inst.get_nodeattr("weightDataType") != "BIPOLAR":
                inst.set_nodeattr("weightDataType", "BIPOLAR")
                model.set_tensor_datatype(n.input[1], DataType["BIPOLAR"])
                changed = True
        return model, changed
