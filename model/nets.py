# SPDX-License-Identifier: MIT
"""Blocks and networks of "Training Binary Neural Network without Batch Normalization for
Image Super-Resolution" (Jiang et al., AAAI 2021), in Brevitas quantized layers.

Pixel convention: every network takes and returns images in *pixel units* (floats
holding 0..255); quantized networks return exact integers (uint8 values).
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from brevitas.nn import QuantConv2d, QuantIdentity

from .quantizers import (
    BinarySignActApproxSign,
    BinarySignActQuant,
    BinaryWeightPerChannelPoT,
    Int8WeightPerChannelPoT,
    PoTPReLU,
    Uint8PixelActQuant,
    residual_act_quant,
)

# DIV2K RGB mean (the common SR default) and std; train.py replaces them by the
# training set's own statistics.
DEFAULT_MEAN = (0.4488, 0.4371, 0.4040)
DEFAULT_STD = (0.25, 0.25, 0.25)


def mean_to_uint8(mean: Sequence[float]) -> list[int]:
    """Per-channel mean in pixel units, rounded to integers (a uint8 subtract in hardware)."""
    return [int(round(255.0 * m)) for m in mean]


def std_to_shift(std: Sequence[float]) -> int:
    """Normalisation ``/ (255 * std)`` rounded to a power of two: a shift in hardware."""
    s = sum(std) / len(std)
    return int(round(math.log2(255.0 * s)))


def sign_act(sign_grad: str) -> QuantIdentity:
    """Binary sign activation (±1, sign(0)=+1) with the chosen gradient estimator."""
    q = {"ste": BinarySignActQuant, "approxsign": BinarySignActApproxSign}.get(sign_grad)
    if q is None:
        raise ValueError(f"sign_grad must be 'ste' or 'approxsign', got {sign_grad!r}")
    return QuantIdentity(act_quant=q, return_quant_tensor=False)


class BinaryConv2d(nn.Module):
    """Binary conv (±α weights, α per output channel, power of two), padded with −1.

    The input must already be ±1. Padding with −1 instead of 0 is part of the numeric
    contract: in XNOR form the activation bit 0 means −1, which is what FINN's padding
    inserts, so a zero-padded PyTorch conv would differ at every border.

    Args:
        in_ch, out_ch: channels.
        kernel: (kh, kw) or int.
        dilation: (dh, dw) or int; "same" padding is derived from kernel and dilation.
    """

    pad_value = -1.0

    def __init__(self, in_ch: int, out_ch: int, kernel=3, dilation=1):
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
        ph, pw = dh * (kh - 1) // 2, dw * (kw - 1) // 2
        self.padding = (pw, pw, ph, ph)  # F.pad order: left, right, top, bottom
        # no bias: a bias folds into the next thresholds anyway, and the MVAU has none
        self.conv = QuantConv2d(in_ch, out_ch, (kh, kw), padding=0, dilation=(dh, dw),
                                bias=False, weight_quant=BinaryWeightPerChannelPoT)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(F.pad(x, self.padding, value=self.pad_value))


class _QuantBlockBase(nn.Module):
    """Shared tail of the binary residual blocks: requantise branch, add, saturate."""

    def __init__(self, channels: int, residual_bits: int, residual_frac_bits: int):
        super().__init__()
        rq = residual_act_quant(residual_bits, residual_frac_bits)
        # branch onto the residual grid (a threshold on the popcount in hardware) ...
        self.branch_quant = QuantIdentity(act_quant=rq, return_quant_tensor=False)
        # ... then an integer add of two streams on one scale, saturated back to the width
        self.out_quant = QuantIdentity(act_quant=rq, return_quant_tensor=False)

    def residual(self, x: Tensor, branch: Tensor) -> Tensor:
        return self.out_quant(x + self.branch_quant(branch))


class BinaryResBlockBTM(_QuantBlockBase):
    """BTM binary residual block: ``x + Q(PReLU(binconv(sign(x))))``, no BatchNorm.

    Args:
        channels: residual-stream channels.
        residual_bits, residual_frac_bits: residual-stream fixed-point format.
        sign_grad: "ste" or "approxsign" (Bi-Real).
        prelu_mode: "pot" or "fixed" slopes (see ``PoTPReLU``).
    """

    def __init__(self, channels: int, residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot"):
        super().__init__(channels, residual_bits, residual_frac_bits)
        self.sign = sign_act(sign_grad)
        self.conv = BinaryConv2d(channels, channels, 3)
        self.act = PoTPReLU(channels, mode=prelu_mode)

    def forward(self, x: Tensor) -> Tensor:
        return self.residual(x, self.act(self.conv(self.sign(x))))


class BinaryResBlockBN(_QuantBlockBase):
    """The BN baseline: ``x + Q(BN(binconv(sign(x))))`` (BatchNorm where BTM has PReLU)."""

    def __init__(self, channels: int, residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot"):
        super().__init__(channels, residual_bits, residual_frac_bits)
        self.sign = sign_act(sign_grad)
        self.conv = BinaryConv2d(channels, channels, 3)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.residual(x, self.bn(self.conv(self.sign(x))))


class MRBBlock(_QuantBlockBase):
    """Multiple receptive-field block (IBTM): parallel dilated 1x5 / 5x1 binary convs.

    Four branches of C/4 output channels each (1x5 and 5x1 at dilation 1 and 2) see the
    same sign(x); they are concatenated, pass a PReLU, are binarised again and go through a
    3x3 binary conv, a PReLU, and the residual add.
    """

    BRANCHES = (((1, 5), (1, 1)), ((5, 1), (1, 1)), ((1, 5), (1, 2)), ((5, 1), (2, 1)))

    def __init__(self, channels: int, residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot"):
        super().__init__(channels, residual_bits, residual_frac_bits)
        if channels % 4:
            raise ValueError(f"MRB needs channels divisible by 4, got {channels}")
        self.sign = sign_act(sign_grad)
        self.branches = nn.ModuleList(
            BinaryConv2d(channels, channels // 4, k, d) for k, d in self.BRANCHES)
        self.act1 = PoTPReLU(channels, mode=prelu_mode)
        self.sign2 = sign_act(sign_grad)
        self.conv = BinaryConv2d(channels, channels, 3)
        self.act2 = PoTPReLU(channels, mode=prelu_mode)

    def forward(self, x: Tensor) -> Tensor:
        s = self.sign(x)
        m = self.act1(torch.cat([b(s) for b in self.branches], dim=1))
        return self.residual(x, self.act2(self.conv(self.sign2(m))))


class FPResBlock(nn.Module):
    """Full-precision teacher block of the same shape: ``x + PReLU(conv(x))``."""

    def __init__(self, channels: int, **_):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=True)
        self.act = nn.PReLU(channels)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.act(self.conv(x))


BLOCKS = {"btm": BinaryResBlockBTM, "bn": BinaryResBlockBN, "mrb": MRBBlock, "fp": FPResBlock}


class BinarySRNet(nn.Module):
    """EDSR-style (LR space, sub-pixel upsampler) or VDSR-style (HR space) binary SR net.

    Pixels in, pixels out (0..255). Quantized networks: int8 head and tail, binary
    residual body, power-of-two residual stream, uint8 output (exact integers).
    ``block="fp"`` gives the full-precision teacher of the same shape.

    Args:
        scale: upscaling factor (2, 3 or 4).
        channels: residual-stream channels C.
        blocks: number of residual blocks B.
        block: "btm" (PReLU, no BN), "bn" (BatchNorm baseline), "mrb" (IBTM), "fp".
        backbone: "edsr" (LR space + PixelShuffle) or "vdsr" (bicubic input, HR space).
        residual_bits, residual_frac_bits: residual-stream fixed point (scale 2^-frac).
        sign_grad: "ste" or "approxsign".
        prelu_mode: "pot" or "fixed".
        mean, std: training-set RGB mean/std in [0, 1] (BTM input normalisation).
    """

    def __init__(self, scale: int = 2, channels: int = 32, blocks: int = 4, block: str = "btm",
                 backbone: str = "edsr", residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot",
                 mean: Sequence[float] = DEFAULT_MEAN, std: Sequence[float] = DEFAULT_STD):
        super().__init__()
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {sorted(BLOCKS)}, got {block!r}")
        if backbone not in ("edsr", "vdsr"):
            raise ValueError(f"backbone must be 'edsr' or 'vdsr', got {backbone!r}")
        if scale not in (2, 3, 4):
            raise ValueError(f"scale must be 2, 3 or 4, got {scale}")
        self.scale, self.block_type, self.backbone = scale, block, backbone
        self.quantized = block != "fp"
        self.mean_u = mean_to_uint8(mean)
        self.shift = std_to_shift(std)
        self.register_buffer("mean_px", torch.tensor(self.mean_u, dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)
        out_ch = 3 * scale * scale if backbone == "edsr" else 3
        kw = dict(residual_bits=residual_bits, residual_frac_bits=residual_frac_bits,
                  sign_grad=sign_grad, prelu_mode=prelu_mode)
        self.body = nn.ModuleList(BLOCKS[block](channels, **kw) for _ in range(blocks))
        if self.quantized:
            self.head = QuantConv2d(3, channels, 3, padding=1, bias=False,
                                    weight_quant=Int8WeightPerChannelPoT)
            rq = residual_act_quant(residual_bits, residual_frac_bits)
            self.head_quant = QuantIdentity(act_quant=rq)
            self.skip_quant = QuantIdentity(act_quant=rq)
            self.tail = QuantConv2d(channels, out_ch, 3, padding=1, bias=False,
                                    weight_quant=Int8WeightPerChannelPoT)
            self.out_quant = QuantIdentity(act_quant=Uint8PixelActQuant)
        else:
            self.head = nn.Conv2d(3, channels, 3, padding=1)
            self.tail = nn.Conv2d(channels, out_ch, 3, padding=1)
        self.shuffle = nn.PixelShuffle(scale) if backbone == "edsr" else nn.Identity()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """BTM initialisation: Xavier-uniform for every conv weight, zero biases."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, QuantConv2d)):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: Tensor, return_features: bool = False):
        """Args:
            x: (N, 3, h, w) pixels 0..255 (LR for "edsr", bicubic-upscaled for "vdsr").
            return_features: also return the body's block outputs (for distillation).

        Returns:
            (N, 3, H, W) pixels; exact uint8 values for quantized networks.
        """
        feats = []
        xn = (x - self.mean_px) * 2.0 ** (-self.shift)
        if self.quantized:
            # (u - mean_u) * 2^-shift is exact: an integer subtract and a shift in hardware
            h = self.head_quant(self.head(xn))
        else:
            h = self.head(xn)
        r = h
        for blk in self.body:
            r = blk(r)
            feats.append(r)
        r = self.skip_quant(r + h) if self.quantized else r + h
        y = self.shuffle(self.tail(r)) * 2.0 ** self.shift
        y = y + (x if self.backbone == "vdsr" else self.mean_px)
        y = self.out_quant(y) if self.quantized else y
        return (y, feats) if return_features else y
