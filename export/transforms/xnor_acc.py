# SPDX-License-Identifier: MIT
"""Size the accumulator of FINN's binary (XNOR) MVAUs for the popcount they really output."""
from __future__ import annotations

import math

from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


class SetXnorPopcountAccumulator(Transformation):
    """Match MVAUs with ``binaryXnorMode=1`` and leave ``accDataType = UINT⌈log2(K+1)⌉``,
    and, without activation (``noActivation=1``, the MRB branches before the concat), the
    same type as ``outputDataType`` and on the output tensor.

    FINN derives these types from the ±1 dot product (e.g. INT8 for K = 144, INT6 for K = 40),
    but the XNOR unit outputs the popcount P in [0, K]; a signed type of that width wraps
    for P >= 2^(w-1) (docs/design.md §4), which Python execution does not show but hardware does
    (the thresholds after the concat would read P = 40 as −24). Run after
    ``MinimizeAccumulatorWidth``, then ``InferDataTypes``.
    """

    def apply(self, model: ModelWrapper):
        changed = False
        for n in model.graph.node:
            if not n.op_type.startswith("MVAU"):
                continue
            inst = getCustomOp(n)
            if inst.get_nodeattr("binaryXnorMode") != 1:
                continue
            k = inst.get_nodeattr("MW")
            want = DataType[f"UINT{max(1, math.ceil(math.log2(k + 1)))}"]
            if inst.get_nodeattr("accDataType") != want.name:
                inst.set_nodeattr("accDataType", want.name)
                changed = True
            if inst.get_nodeattr("noActivation") == 1 and inst.get_nodeattr("outputDataType") != want.name:
                inst.set_nodeattr("outputDataType", want.name)
                model.set_tensor_datatype(n.output[0], want)
                changed = True
        return model, changed
