# SPDX-License-Identifier: MIT
"""Fork splits: a node whose output feeds several consumers becomes one copy per consumer,
where a FINN/qonnx conversion only handles a single consumer."""
from __future__ import annotations

import copy

from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation
from qonnx.util.basic import get_by_name


def split_fork(model: ModelWrapper, n) -> bool:
    """Give each consumer of ``n``'s output its own copy of ``n`` (same inputs)."""
    cons = model.find_consumers(n.output[0])
    if cons is None or len(cons) < 2:
        return False
    idx = list(model.graph.node).index(n)
    dt = model.get_tensor_datatype(n.output[0])
    for k, c in enumerate(cons[1:], start=1):
        dup = copy.deepcopy(n)
        dup.name = f"{n.name}_dup{k}" if n.name else ""
        out = model.make_new_valueinfo_name()
        dup.output[0] = out
        model.graph.node.insert(idx + k, dup)
        model.set_tensor_shape(out, model.get_tensor_shape(n.output[0]))
        model.set_tensor_datatype(out, dt)
        for i, x in enumerate(c.input):
            if x == n.output[0]:
                c.input[i] = out
    return True


class DuplicateForkedWeightQuant(Transformation):
    """A weight ``Quant``/``BipolarQuant`` (all inputs initializers) whose output feeds
    several nodes gets one copy per consumer.

    An ABC weight basis is used by one conv per activation basis; the ONNX exporter merges
    the identical quantizers into one node, and FINN's ``FoldQuantWeights`` refuses forked
    weight quantizers. Copies fold into one weight initializer per conv.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if (n.op_type in ("Quant", "BipolarQuant")
                    and all(model.get_initializer(i) is not None for i in n.input)
                    and split_fork(model, n)):
                return model, True
        return model, False


class DuplicateForkedPad(Transformation):
    """A constant ``Pad`` feeding several convs gets one copy per conv.

    An ABC activation basis feeds M convs (one per weight basis) through one shared
    −1 padding (merged by the ONNX exporter). Split, each conv's pad becomes its
    ``Im2Col``'s pad value (``AbsorbConstPadIntoIm2Col``) and the fork moves up to the
    bipolar threshold, which ``DuplicateSharedBipolarThreshold`` splits in turn.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type == "Pad" and split_fork(model, n):
                return model, True
        return model, False


class DuplicateSharedBipolarThreshold(Transformation):
    """Match a ``MultiThreshold`` with ``out_dtype=BIPOLAR`` whose output feeds several
    nodes and leave one copy of it per consumer (same input, same thresholds).

    qonnx's ``ConvertBipolarMatMulToXnorPopcount`` converts the shared threshold to XNOR
    bits at its first binary MatMul and then finds no bipolar source for the others
    (docs/design.md §4). With one copy per consumer each conversion is local; in hardware the
    copies are one-threshold comparators after a stream duplication.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type != "MultiThreshold":
                continue
            dt = get_by_name(n.attribute, "out_dtype")
            if dt is not None and dt.s.decode() == "BIPOLAR" and split_fork(model, n):
                return model, True
        return model, False
