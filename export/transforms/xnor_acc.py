# SPDX-License-Identifier: MIT
"""Size the accumulator of FINN's binary (XNOR) MVAUs for the popcount they really output."""
from __future__ import annotations

import math

from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


class SetXnorPopcountAccumulator(Transformation):
    """Match MVAUs with ``binaryXnorMode=1`` and leave ``accDataType = UINT⌈log2(K+1)⌉``.

    FINN derives the accumulator type from the ±1 dot product (e.g. INT8 for K = 144),
    but the XNOR unit outputs the popcount P in [0, K]; a signed type of that width wraps
    for P > 127 (DESIGN.md §4). Run after ``MinimizeAccumulatorWidth``.
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
        return model, changed
