# SPDX-License-Identifier: MIT
"""Raise the PE of MVAUs that FINN's SetFolding left short of the cycle target.

SetFolding stops an MVAU's PE where the weight stream of an HLS MVAU would exceed the
widest ``ap_int`` (8191 bits) and SIMD where it exceeds ``mvau_wwidth_max``; hw/rtl's units
read their weights from their own memories and have neither limit. FINN has no pass for
this, hence our own: PE steps through the divisors of MH until the layer meets the target.
"""
from __future__ import annotations

from qonnx.custom_op.registry import getCustomOp
from qonnx.transformation.base import Transformation


class LiftMVAUFoldingLimit(Transformation):
    """For every MVAU with ``get_exp_cycles() > target_cycles``: the smallest PE (a divisor of
    MH, not below the current one) that meets the target, else MH. ``lifted`` lists the
    changes (node, PE before, PE after)."""

    def __init__(self, target_cycles: int):
        super().__init__()
        self.target = int(target_cycles)
        self.lifted: list[tuple[str, int, int]] = []

    def apply(self, model):
        for n in model.graph.node:
            if not n.op_type.startswith("MVAU"):
                continue
            inst = getCustomOp(n)
            if inst.get_exp_cycles() <= self.target:
                continue
            pe0, mh = inst.get_nodeattr("PE"), inst.get_nodeattr("MH")
            for pe in (d for d in range(pe0 + 1, mh + 1) if mh % d == 0):
                inst.set_nodeattr("PE", pe)
                if inst.get_exp_cycles() <= self.target:
                    break
            self.lifted.append((n.name, pe0, inst.get_nodeattr("PE")))
        return model, False
