# SPDX-License-Identifier: MIT
"""PReLU -> MultiThreshold: fold positive-slope PReLU into the thresholds that follow it."""
from __future__ import annotations

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation

from export.errors import UnsupportedGraphError


class AbsorbPReLUIntoMultiThreshold(Transformation):
    """Match ``PRelu(x, a) -> MultiThreshold(T)`` (the PReLU output used only there) and
    leave ``MultiThreshold(x, T')`` with, per channel c, ``T'[c] = T[c]`` where ``T >= 0`` and
    ``T[c] / a[c]`` where ``T < 0``.

    Exact because a positive slope keeps PReLU monotonic: ``PReLU(x) >= t`` holds iff
    ``x >= t`` (t >= 0) or ``x >= t / a`` (t < 0). Slopes must be positive (the model
    clamps them so); with power-of-two slopes ``t / a`` is exact in float.
    FINN has no PReLU support of its own, hence this pass.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type != "PRelu":
                continue
            consumers = model.find_consumers(n.output[0])
            if consumers is None or len(consumers) != 1 or consumers[0].op_type != "MultiThreshold":
                continue
            mt = consumers[0]
            a = model.get_initializer(n.input[1])
            if a is None:
                raise UnsupportedGraphError(n, "PRelu slope is not a constant",
                                            "export a trained model in eval mode")
            a = np.asarray(a, dtype=np.float64).reshape(-1)
            if np.any(a <= 0):
                raise UnsupportedGraphError(
                    n, f"PRelu has non-positive slopes {a[a <= 0][:4]}",
                    "use PoTPReLU (slopes kept positive) so PReLU folds into thresholds")
            T = np.asarray(model.get_initializer(mt.input[1]), dtype=np.float64)
            ch = model.get_tensor_shape(n.input[0])[1]
            if T.shape[0] == 1 and ch > 1:
                T = np.repeat(T, ch, axis=0)
            if a.size == 1:
                a = np.repeat(a, T.shape[0])
            Tn = np.where(T >= 0, T, T / a[:, None])
            model.set_initializer(mt.input[1], Tn.astype(np.float32))
            mt.input[0] = n.input[0]
            model.graph.node.remove(n)
            return model, True
        return model, False
