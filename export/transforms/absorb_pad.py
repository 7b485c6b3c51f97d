# SPDX-License-Identifier: MIT
"""Fold a constant spatial ``Pad`` (the binary convs' −1 pad) into the ``Im2Col`` after it."""
from __future__ import annotations

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.util.basic import get_by_name


class AbsorbConstPadIntoIm2Col(Transformation):
    """Match ``Pad(x, pads, c) -> Transpose(NCHW->NHWC) -> Im2Col(no padding)`` (what
    qonnx's ``LowerConvsToMatMul`` makes of a padded binary conv) and leave
    ``Transpose(x) -> Im2Col(pad_amount=pads, pad_value=c)``.

    The binary convs pad with −1 (docs/design.md §3): kept as Im2Col's ``pad_value`` the graph
    executes exactly in the bipolar domain, and once the activations are converted to
    XNOR bits the pad value becomes 0 (bit 0 means −1), which is what FINN's FMPadding
    inserts. qonnx folds no ``Pad`` into ``Im2Col``, hence this pass.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type != "Pad":
                continue
            tr = model.find_consumers(n.output[0])
            if tr is None or len(tr) != 1 or tr[0].op_type != "Transpose":
                continue
            tr = tr[0]
            perm = list(get_by_name(tr.attribute, "perm").ints)
            i2c = model.find_consumers(tr.output[0])
            if perm != [0, 2, 3, 1] or i2c is None or len(i2c) != 1 or i2c[0].op_type != "Im2Col":
                continue
            i2c = getCustomOp(i2c[0])
            if list(i2c.get_nodeattr("pad_amount")) != [0, 0, 0, 0]:
                continue
            mode = get_by_name(n.attribute, "mode")
            if mode is not None and mode.s.decode() != "constant":
                continue
            pads = [int(p) for p in model.get_initializer(n.input[1])]
            if pads[0] or pads[1] or pads[4] or pads[5]:
                continue  # pads batch or channels: not a spatial pad
            value = 0.0
            if len(n.input) > 2 and n.input[2]:
                value = float(np.asarray(model.get_initializer(n.input[2])).reshape(-1)[0])
            if value != int(value):
                continue
            top, left, bottom, right = pads[2], pads[3], pads[6], pads[7]
            i2c.set_nodeattr("pad_amount", [top, left, bottom, right])
            i2c.set_nodeattr("pad_value", int(value))
            nchw = model.get_tensor_shape(n.input[0])
            i2c.set_nodeattr("input_shape", str((nchw[0], nchw[2], nchw[3], nchw[1])))
            tr.input[0] = n.input[0]
            model.graph.node.remove(n)
            # the Transpose output is now the unpadded NHWC tensor
            for vi in list(model.graph.value_info):
                if vi.name == tr.output[0]:
                    model.graph.value_info.remove(vi)
            model = model.transform(InferShapes())
            return model, True
        return model, False
