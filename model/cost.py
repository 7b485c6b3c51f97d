# SPDX-License-Identifier: MIT
"""Operation and parameter counts of a network per frame, from its modules (no export
needed): the figures of the ablation table for variants that cannot be exported, and a
cross-check of FINN's ``op_and_param_counts`` for those that can."""
from __future__ import annotations

import torch
from brevitas.nn import QuantConv2d
from torch import nn

from .nets import ABCConv2d, BinaryConv2d, DataRescale


def ops_per_frame(net: nn.Module, h: int, w: int) -> dict:
    """Multiply-accumulates per frame of an (h, w) network input.

    Returns:
        ``binary_macs`` (1-bit x 1-bit: XNOR-popcount work, ABC's M x N convs included),
        ``int_macs`` (the 8-bit head and tail; 8-bit x 8-bit), ``binw_macs`` (1-bit weight x
        8-bit activation: the binary-weight tail, an add or subtract each),
        ``float_ops`` (input-dependent floating-point
        work: Real-to-Binary's data re-scaling, per frame), ``params`` (trainable tensors'
        elements) and ``binary_weight_bits``.
    """
    out = {"binary_macs": 0, "int_macs": 0, "binw_macs": 0, "float_ops": 0,
           "params": sum(p.numel() for p in net.parameters()), "binary_weight_bits": 0}
    inner = {id(m.conv) for m in net.modules() if isinstance(m, BinaryConv2d)}
    hooks = []

    def conv_macs(weight: torch.Tensor, y: torch.Tensor) -> int:
        return int(weight[0].numel() * y[0].numel())  # (in * kh * kw) x (out * H * W)

    def on_binary(mod, _inp, y):
        out["binary_macs"] += conv_macs(mod.conv.weight, y)
        out["binary_weight_bits"] += mod.conv.weight.numel()

    def on_abc(mod, _inp, y):
        k = len(mod.log2_alpha) * len(mod.log2_beta)
        out["binary_macs"] += k * conv_macs(mod.weight, y)
        out["binary_weight_bits"] += len(mod.log2_alpha) * mod.weight.numel()

    def on_int(mod, _inp, y):
        key = "binw_macs" if getattr(mod, "binary_weights", False) else "int_macs"
        out[key] += conv_macs(mod.weight, y)

    def on_rescale(mod, inp, y):
        x = inp[0]
        c, hh, ww = x.shape[1:]
        hid = mod.gate[1].out_channels
        # pooling adds, two 1x1 convs on the pooled vector, sigmoid, and the per-element scale
        out["float_ops"] += c * hh * ww + 2 * c * hid + c + c * hh * ww

    for m in net.modules():
        if isinstance(m, BinaryConv2d):
            hooks.append(m.register_forward_hook(on_binary))
        elif isinstance(m, ABCConv2d):
            hooks.append(m.register_forward_hook(on_abc))
        elif isinstance(m, DataRescale):
            hooks.append(m.register_forward_hook(on_rescale))
        elif isinstance(m, QuantConv2d) and id(m) not in inner:
            hooks.append(m.register_forward_hook(on_int))
    try:
        with torch.no_grad():
            net(torch.zeros(1, 3, h, w))
    finally:
        for hk in hooks:
            hk.remove()
    return out
