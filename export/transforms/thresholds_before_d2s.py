# SPDX-License-Identifier: MIT
"""Move a ``MultiThreshold`` from after a ``DepthToSpace`` (the sub-pixel upsampler) to before it."""
from __future__ import annotations

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation
from qonnx.transformation.infer_datatypes import InferDataTypes
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.util.basic import get_by_name


class MoveMultiThresholdBeforeDepthToSpace(Transformation):
    """Match ``DepthToSpace(x, b, CRD) -> MultiThreshold(T, per output channel)`` and leave
    ``MultiThreshold(x, T') -> DepthToSpace``, with ``T'[c*b*b + k] = T[c]``.

    Thresholding is element-wise and DepthToSpace only moves elements, so they commute
    once the thresholds follow their elements to the input channels. Afterwards the
    per-channel scales before the shuffle can be absorbed into the thresholds, and the
    shuffle itself is a pure address reorder (the output writer's job in hardware).
    FINN has no such pass (its PixelShuffle support stops at DepthToSpace), hence this one.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type != "DepthToSpace":
                continue
            mode = get_by_name(n.attribute, "mode")
            mode = mode.s.decode() if mode is not None else "DCR"
            b = get_by_name(n.attribute, "blocksize").i
            cons = model.find_consumers(n.output[0])
            if cons is None or len(cons) != 1 or cons[0].op_type != "MultiThreshold":
                continue
            mt = cons[0]
            T = np.asarray(model.get_initializer(mt.input[1]))
            cin = model.get_tensor_shape(n.input[0])[1]
            cout = cin // (b * b)
            if T.shape[0] == 1:
                T = np.repeat(T, cout, axis=0)
            if mode == "CRD":  # input channel c*b*b + k -> output channel c
                Tn = np.repeat(T, b * b, axis=0)
            else:  # DCR: input channel k*cout + c -> output channel c
                Tn = np.tile(T, (b * b, 1))
            model.set_initializer(mt.input[1], Tn.astype(np.float32))
            x, d2s_out, mt_out = n.input[0], n.output[0], mt.output[0]
            mt.input[0], mt.output[0] = x, d2s_out
            n.input[0], n.output[0] = d2s_out, mt_out
            # reorder nodes: MultiThreshold now precedes DepthToSpace
            nodes = list(model.graph.node)
            i = nodes.index(n)
            model.graph.node.remove(mt)
            model.graph.node.insert(i, mt)
            for vi in list(model.graph.value_info):
                if vi.name == d2s_out:
                    model.graph.value_info.remove(vi)
            model = model.transform(InferShapes())
            model = model.transform(InferDataTypes())
            return model, True
        return model, False
