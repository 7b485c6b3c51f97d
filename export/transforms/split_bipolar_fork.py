# SPDX-License-Identifier: MIT
"""Give every binary conv its own sign threshold (the MRB block shares one sign(x))."""
from __future__ import annotations

import copy

from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation
from qonnx.util.basic import get_by_name


class DuplicateSharedBipolarThreshold(Transformation):
    """Match a ``MultiThreshold`` with ``out_dtype=BIPOLAR`` whose output feeds several
    nodes and leave one copy of it per consumer (same input, same thresholds).

    qonnx's ``ConvertBipolarMatMulToXnorPopcount`` converts the shared threshold to XNOR
    bits at its first binary MatMul and then finds no bipolar source for the others
    (DESIGN.md §4). With one copy per consumer each conversion is local; in hardware the
    copies are one-threshold comparators after a stream duplication.
    """

    def apply(self, model: ModelWrapper):
        for n in model.graph.node:
            if n.op_type != "MultiThreshold":
                continue
            dt = get_by_name(n.attribute, "out_dtype")
            if dt is None or dt.s.decode() != "BIPOLAR":
                continue
            cons = model.find_consumers(n.output[0])
            if cons is None or len(cons) < 2:
                continue
            idx = list(model.graph.node).index(n)
            for k, c in enumerate(cons[1:], start=1):
                dup = copy.deepcopy(n)
                dup.name = f"{n.name}_dup{k}" if n.name else ""
                out = model.make_new_valueinfo_name()
                dup.output[0] = out
                model.graph.node.insert(idx + k, dup)
                model.set_tensor_datatype(out, model.get_tensor_datatype(n.output[0]))
                model.set_tensor_shape(out, model.get_tensor_shape(n.output[0]))
                for i, x in enumerate(c.input):
                    if x == n.output[0]:
                        c.input[i] = out
            return model, True
        return model, False
