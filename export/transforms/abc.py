# SPDX-License-Identifier: MIT
"""Passes for ABC-Net convs (model.nets.ABCConv2d): M x N binary convs whose outputs are
summed with power-of-two coefficients (the fork splits they need are in ``forks``)."""
from __future__ import annotations

import numpy as np
from onnx import helper
from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation


def _scalar_mul(model: ModelWrapper, tensor: str):
    """(node, value) if ``tensor`` is produced by a Mul with a scalar power-of-two constant
    and is used only there, else None."""
    p = model.find_producer(tensor)
    if p is None or p.op_type != "Mul" or len(model.find_consumers(tensor) or []) != 1:
        return None
    c = model.get_initializer(p.input[1])
    if c is None or c.size != 1:
        return None
    v = float(c.reshape(-1)[0])
    if v <= 0 or not np.log2(v).is_integer():
        return None
    return p, v


class FactorPoTMulOutOfAdd(Transformation):
    """``a*2^i + b*2^j -> (a*2^(i-k) + b*2^(j-k)) * 2^k``, k = min(i, j): the ABC-Net sum.

    Each (m, n) conv of an ABC conv is scaled by its own power of two
    ``alpha_m * beta_n``; FINN's ``MoveLinearPastEltwiseAdd`` only moves *equal* multipliers
    past an add. Factoring out the smaller one leaves integer multipliers (>= 1; a factor 1
    is dropped) on the branches, which become ``ElementwiseMul`` HW layers on integer
    streams, and one scalar multiply after the sum that FINN absorbs into the thresholds.
    """

    def apply(self, model: ModelWrapper):
        g = model.graph
        for n in g.node:
            if n.op_type != "Add" or any(model.get_initializer(i) is not None for i in n.input):
                continue
            ma, mb = _scalar_mul(model, n.input[0]), _scalar_mul(model, n.input[1])
            if ma is None or mb is None:
                continue
            k = min(ma[1], mb[1])
            for (p, v), slot in ((ma, 0), (mb, 1)):
                if v == k:  # multiplier 1: bypass the Mul
                    n.input[slot] = p.input[0]
                    g.node.remove(p)
                else:  # an integer multiplier: annotated so the product types as integer
                    model.set_initializer(p.input[1], np.asarray(v / k, dtype=np.float32)
                                          .reshape(model.get_initializer(p.input[1]).shape))
                    model.set_tensor_datatype(p.input[1], DataType.get_smallest_possible(v / k))
            out = n.output[0]
            mid = model.make_new_valueinfo_name()
            n.output[0] = mid
            model.set_tensor_shape(mid, model.get_tensor_shape(out))
            cname = model.make_new_valueinfo_name()
            model.set_initializer(cname, np.asarray(k, dtype=np.float32))
            mul = helper.make_node("Mul", [mid, cname], [out])
            g.node.insert(list(g.node).index(n) + 1, mul)
            return model, True
        return model, False


class ConvertConstSubToAdd(Transformation):
    """``x - c -> x + (-c)`` for a constant ``c``, except on the graph input (the mean
    subtraction, which stays a Sub of uint8 pixels). ABC's shifted signs ``sign(x - theta)``
    then meet FINN's ``AbsorbAddIntoMultiThreshold``, which knows Add only."""

    def apply(self, model: ModelWrapper):
        inputs = {i.name for i in model.graph.input}
        for n in model.graph.node:
            if n.op_type != "Sub" or n.input[0] in inputs:
                continue
            c = model.get_initializer(n.input[1])
            if c is None or model.get_initializer(n.input[0]) is not None:
                continue
            name = model.make_new_valueinfo_name()
            model.set_initializer(name, (-c).astype(np.float32))
            n.op_type, n.input[1] = "Add", name
            return model, True
        return model, False


class MoveScalarMulBeforeTranspose(Transformation):
    """``Transpose -> Mul(scalar c) -> Mul(scalar c) -> Transpose`` (a scalar commutes with
    any permutation).

    After lowering, an ABC branch whose integer multiplier stayed behind reads
    ``Transpose -> Mul -> Add`` while its partner reads ``Transpose -> Add``; with the Mul in
    front of the Transpose both inputs of the Add are Transposes and FINN's
    ``MoveTransposePastJoinAdd`` applies. (FINN's ``MoveScalarLinearPastInvariants`` moves
    the other way.)
    """

    def apply(self, model: ModelWrapper):
        for t in model.graph.node:
            if t.op_type != "Transpose":
                continue
            cons = model.find_consumers(t.output[0]) or []
            if len(cons) != 1 or cons[0].op_type != "Mul":
                continue
            mul = cons[0]
            c = model.get_initializer(mul.input[1])
            if c is None or c.size != 1:
                continue
            x, mid, out = t.input[0], t.output[0], mul.output[0]
            # x -> Mul -> mid -> Transpose -> out
            mul.input[0], mul.output[0] = x, mid
            t.input[0], t.output[0] = mid, out
            model.set_tensor_shape(mid, model.get_tensor_shape(x))
            g = model.graph
            g.node.remove(mul)
            g.node.insert(list(g.node).index(t), mul)
            return model, True
        return model, False
