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
    WEIGHT_GRADIENTS,
    BinaryWeightPerChannelPoT,
    BinaryWeightPerChannelPoTParam,
    BinaryWeightPerChannelShortMantissa,
    BinaryWeightPerColourShortMantissa,
    BinaryWeightPerChannelFloat,
    BinarySignActApproxSign,
    BinarySignActQuant,
    BinaryWeightUnitScale,
    Int8WeightPerChannelPoT,
    PoTPReLU,
    RoundHalfUpSte,
    Uint8PixelActQuant,
    residual_act_quant,
)

#: what is binarised: "full" (the exportable net), "act" (binary activations, real weights:
#: stage 1 of Real-to-Binary's two-stage schedule), "none" (clip(x, -1, 1) instead of sign
#: and real weights: the real-valued network Bi-Real Net initialises from)
BINARIZE = ("full", "act", "none")
#: Real-to-Binary's data-driven channel re-scaling of the binary conv output
RESCALE = ("none", "data")
#: the numeric contract: "exact" (power-of-two scales and slopes, fixed-point residual
#: stream, int8 head/tail: the float forward equals the hardware's integers) or "float"
#: (float per-channel binary-weight scales, float PReLU slopes, an 8-bit residual stream
#: with a learned float scale, float head and tail and input normalisation): the
#: unconstrained reference that benchmarks/contract_cost.py measures the contract against
CONTRACTS = ("exact", "float")
#: the upsampler's conv (the tail): int8 weights, or the paper's binary weights ±α (α per
#: output channel, a learned power of two: "binary"; a learned 3-bit-significand float
#: m·2^-e: "binary_m3"; the same shared by a colour's r² sub-pixel phases: "binary_m3c") over
#: the 8-bit residual stream: in hardware an adder tree of ±x,
#: no multiplier
TAILS = ("int8", "binary", "binary_m3", "binary_m3c")
#: tail -> the weight quantizer of its binary weights
BINARY_TAILS = {"binary": BinaryWeightPerChannelPoTParam,
                "binary_m3": BinaryWeightPerChannelShortMantissa,
                "binary_m3c": BinaryWeightPerColourShortMantissa}


def residual_quant(contract: str, bits: int, frac_bits: int) -> QuantIdentity:
    """A residual-stream quantiser: the fixed power-of-two grid, or (``contract="float"``)
    Brevitas' 8-bit per-tensor learned float scale at ``bits`` bits."""
    if contract == "float":
        from brevitas.quant import Int8ActPerTensorFloat

        return QuantIdentity(act_quant=Int8ActPerTensorFloat, bit_width=bits,
                             return_quant_tensor=False)
    return QuantIdentity(act_quant=residual_act_quant(bits, frac_bits), return_quant_tensor=False)

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

    def __init__(self, in_ch: int, out_ch: int, kernel=3, dilation=1, weight_grad: str = "ste",
                 binary_weights: bool = True, contract: str = "exact"):
        super().__init__()
        if weight_grad not in WEIGHT_GRADIENTS:
            raise ValueError(f"weight_grad must be one of {sorted(WEIGHT_GRADIENTS)}, got {weight_grad!r}")
        self.padding = _same_padding(kernel, dilation)
        kh, kw = _pair(kernel)
        # no bias: a bias folds into the next thresholds anyway, and the MVAU has none;
        # binary_weights=False keeps real weights (stage 1 of a two-stage schedule) under the
        # same parameter name, so a later stage loads them
        wq = BinaryWeightPerChannelFloat if contract == "float" else WEIGHT_GRADIENTS[weight_grad]
        self.conv = QuantConv2d(in_ch, out_ch, (kh, kw), padding=0, dilation=_pair(dilation),
                                bias=False, weight_quant=wq if binary_weights else None)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(F.pad(x, self.padding, value=self.pad_value))


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _same_padding(kernel, dilation) -> tuple[int, int, int, int]:
    """"same" padding in F.pad order (left, right, top, bottom)."""
    (kh, kw), (dh, dw) = _pair(kernel), _pair(dilation)
    ph, pw = dh * (kh - 1) // 2, dw * (kw - 1) // 2
    return (pw, pw, ph, ph)


class ABCConv2d(nn.Module):
    """ABC-Net binary conv: M binary weight bases x N binary activation bases.

    ``y = sum_m sum_n alpha_m beta_n conv(sign(x - theta_n), B_m)`` (Lin et al., NeurIPS
    2017), with

    - weight bases ``B_m = sign(W - mean(W) + u_m std(W))`` of one latent tensor W, fixed
      shifts ``u_m`` spread over [-1, 1] (the paper's choice), ±1 with scale 1;
    - activation bases: shifted signs with learnable thresholds ``theta_n``, kept on the
      residual-stream grid (2^-frac) so that ``x >= theta_n`` is an exact integer compare;
    - coefficients ``alpha_m``, ``beta_n`` learned as power-of-two exponents (the numeric
      contract: every product is then exact, and in hardware a shift).

    The input is the *real* residual stream (the conv binarises it itself); each (m, n)
    pair exports as its own XNOR-popcount conv, M x N of them.

    Args:
        in_ch, out_ch, kernel, dilation: as ``BinaryConv2d``.
        weight_bases: M. act_bases: N.
        sign_grad: estimator of the activation signs ("ste" or "approxsign").
        grid_frac_bits: fractional bits of the input grid (the residual stream's).
    """

    pad_value = -1.0

    def __init__(self, in_ch: int, out_ch: int, kernel=3, dilation=1, weight_bases: int = 3,
                 act_bases: int = 3, sign_grad: str = "approxsign", grid_frac_bits: int = 5):
        super().__init__()
        if weight_bases < 1 or act_bases < 1:
            raise ValueError(f"ABC-Net needs at least one basis each, got M={weight_bases}, "
                             f"N={act_bases}")
        m, n = weight_bases, act_bases
        self.padding = _same_padding(kernel, dilation)
        self.dilation = _pair(dilation)
        kh, kw = _pair(kernel)
        self.weight = nn.Parameter(torch.empty(out_ch, in_ch, kh, kw))
        nn.init.xavier_uniform_(self.weight)
        self.register_buffer("u", torch.linspace(-1.0, 1.0, m) if m > 1 else torch.zeros(1),
                             persistent=False)
        self.weight_sign = QuantIdentity(act_quant=BinaryWeightUnitScale, return_quant_tensor=False)
        self.act_signs = nn.ModuleList(sign_act(sign_grad) for _ in range(n))
        self.grid = 2.0 ** -grid_frac_bits
        self.theta = nn.Parameter(torch.linspace(-0.5, 0.5, n) if n > 1 else torch.zeros(1))
        # alpha ~ mean|W| / M so that the sum starts at the magnitude of one scaled basis
        a0 = math.log2(float(self.weight.detach().abs().mean()) / m)
        self.log2_alpha = nn.Parameter(torch.full((m,), a0))
        self.log2_beta = nn.Parameter(torch.full((n,), -math.log2(n)))
        self._round = RoundHalfUpSte()

    def weight_bases(self) -> list[Tensor]:
        w = self.weight - self.weight.mean()
        sd = self.weight.std()
        return [self.weight_sign(w + u * sd) for u in self.u]

    def thresholds(self) -> Tensor:
        """theta_n on the input grid (round half up, straight-through gradient)."""
        return self._round(self.theta / self.grid) * self.grid

    def coefficients(self) -> Tensor:
        """(M, N) power-of-two products alpha_m * beta_n."""
        ea = self._round(torch.clamp(self.log2_alpha, -16, 8))
        eb = self._round(torch.clamp(self.log2_beta, -8, 8))
        return torch.pow(2.0, ea[:, None] + eb[None, :])

    def forward(self, x: Tensor) -> Tensor:
        th, c = self.thresholds(), self.coefficients()
        y = None
        bases = self.weight_bases()
        for j, sgn in enumerate(self.act_signs):
            a = F.pad(sgn(x - th[j]), self.padding, value=self.pad_value)
            for i, b in enumerate(bases):
                t = F.conv2d(a, b, dilation=self.dilation) * c[i, j]
                y = t if y is None else y + t
        return y


class DataRescale(nn.Module):
    """Real-to-Binary's data-driven channel re-scaling: per-channel factors in (0, 1) from the
    block's real-valued input (global average pool, 1x1 conv, ReLU, 1x1 conv, sigmoid).

    Input-dependent floating-point work on every frame: it cannot fold into thresholds, so
    ``export/to_finn.py`` rejects networks that use it.
    """

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        hid = max(channels // reduction, 4)
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, hid, 1), nn.ReLU(),
                                  nn.Conv2d(hid, channels, 1), nn.Sigmoid())

    def forward(self, x: Tensor) -> Tensor:
        return self.gate(x)


def binary_input(sign_grad: str, binarize: str) -> nn.Module:
    """What a binary conv sees: sign(x) or, for a real-valued pre-training net, clip(x)."""
    if binarize not in BINARIZE:
        raise ValueError(f"binarize must be one of {BINARIZE}, got {binarize!r}")
    return nn.Hardtanh(-1.0, 1.0) if binarize == "none" else sign_act(sign_grad)


class _QuantBlockBase(nn.Module):
    """Shared tail of the binary residual blocks: requantise branch, add, saturate."""

    def __init__(self, channels: int, residual_bits: int, residual_frac_bits: int,
                 contract: str = "exact"):
        super().__init__()
        if contract not in CONTRACTS:
            raise ValueError(f"contract must be one of {CONTRACTS}, got {contract!r}")
        self.contract = contract
        # branch onto the residual grid (a threshold on the popcount in hardware) ...
        self.branch_quant = residual_quant(contract, residual_bits, residual_frac_bits)
        # ... then an integer add of two streams on one scale, saturated back to the width
        self.out_quant = residual_quant(contract, residual_bits, residual_frac_bits)

    @staticmethod
    def prelu(channels: int, mode: str, contract: str) -> nn.Module:
        """The block's PReLU: power-of-two/fixed-point slopes, or float ones (contract="float")."""
        return nn.PReLU(channels, init=0.25) if contract == "float" else PoTPReLU(channels, mode=mode)

    def residual(self, x: Tensor, branch: Tensor) -> Tensor:
        return self.out_quant(x + self.branch_quant(branch))


class _BinaryConvBlock(_QuantBlockBase):
    """One (possibly ABC) binary 3x3 conv on sign(x), with the binarisation options; the
    subclass chooses what normalises its output (PReLU or BatchNorm)."""

    def __init__(self, channels: int, residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot", binarize: str = "full",
                 weight_grad: str = "ste", weight_bases: int = 1, act_bases: int = 1,
                 rescale: str = "none", contract: str = "exact"):
        super().__init__(channels, residual_bits, residual_frac_bits, contract)
        if rescale not in RESCALE:
            raise ValueError(f"rescale must be one of {RESCALE}, got {rescale!r}")
        if weight_bases > 1 or act_bases > 1:
            if binarize != "full":
                raise ValueError("ABC-Net bases (weight_bases/act_bases > 1) need binarize='full'")
            self.sign = nn.Identity()  # the ABC conv binarises its input with N shifted signs
            self.conv = ABCConv2d(channels, channels, 3, weight_bases=weight_bases,
                                  act_bases=act_bases, sign_grad=sign_grad,
                                  grid_frac_bits=residual_frac_bits)
        else:
            self.sign = binary_input(sign_grad, binarize)
            self.conv = BinaryConv2d(channels, channels, 3, weight_grad=weight_grad,
                                     binary_weights=binarize == "full", contract=contract)
        self.rescale = DataRescale(channels) if rescale == "data" else None

    def binary_branch(self, x: Tensor) -> Tensor:
        y = self.conv(self.sign(x))
        return y * self.rescale(x) if self.rescale is not None else y


class BinaryResBlockBTM(_BinaryConvBlock):
    """BTM binary residual block: ``x + Q(PReLU(binconv(sign(x))))``, no BatchNorm.

    Args:
        channels: residual-stream channels.
        residual_bits, residual_frac_bits: residual-stream fixed-point format.
        sign_grad: "ste" or "approxsign" (Bi-Real).
        prelu_mode: "pot" or "fixed" slopes (see ``PoTPReLU``).
        binarize: "full", "act" or "none" (see ``BINARIZE``).
        weight_grad: "ste" or "magnitude" (Bi-Real's magnitude-aware weight gradient).
        weight_bases, act_bases: ABC-Net's M and N (1, 1: a plain binary conv).
        rescale: "none" or "data" (Real-to-Binary; not exportable).
    """

    def __init__(self, channels: int, prelu_mode: str = "pot", **opts):
        super().__init__(channels, prelu_mode=prelu_mode, **opts)
        self.act = self.prelu(channels, prelu_mode, self.contract)

    def forward(self, x: Tensor) -> Tensor:
        return self.residual(x, self.act(self.binary_branch(x)))


class BinaryResBlockBN(_BinaryConvBlock):
    """The BN baseline: ``x + Q(BN(binconv(sign(x))))`` (BatchNorm where BTM has PReLU)."""

    def __init__(self, channels: int, **opts):
        super().__init__(channels, **opts)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.residual(x, self.bn(self.binary_branch(x)))


class MRBBlock(_QuantBlockBase):
    """Multiple receptive-field block (IBTM): parallel dilated 1x5 / 5x1 binary convs.

    Four branches of C/4 output channels each (1x5 and 5x1 at dilation 1 and 2) see the
    same sign(x); they are concatenated, pass a PReLU, are binarised again and go through a
    3x3 binary conv, a PReLU, and the residual add.
    """

    BRANCHES = (((1, 5), (1, 1)), ((5, 1), (1, 1)), ((1, 5), (1, 2)), ((5, 1), (2, 1)))

    def __init__(self, channels: int, residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot", binarize: str = "full",
                 weight_grad: str = "ste", weight_bases: int = 1, act_bases: int = 1,
                 rescale: str = "none", contract: str = "exact"):
        super().__init__(channels, residual_bits, residual_frac_bits, contract)
        if channels % 4:
            raise ValueError(f"MRB needs channels divisible by 4, got {channels}")
        if weight_bases > 1 or act_bases > 1 or rescale != "none":
            raise ValueError("ABC-Net bases and data re-scaling are options of the btm/bn "
                             "blocks, not of MRB")
        bw = binarize == "full"
        self.sign = binary_input(sign_grad, binarize)
        self.branches = nn.ModuleList(
            BinaryConv2d(channels, channels // 4, k, d, weight_grad, bw, contract)
            for k, d in self.BRANCHES)
        self.act1 = self.prelu(channels, prelu_mode, contract)
        self.sign2 = binary_input(sign_grad, binarize)
        self.conv = BinaryConv2d(channels, channels, 3, weight_grad=weight_grad, binary_weights=bw,
                                 contract=contract)
        self.act2 = self.prelu(channels, prelu_mode, contract)

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
        binarize: "full" (default), "act" (real weights: Real-to-Binary stage 1) or "none"
            (clip instead of sign, real weights: Bi-Real's real-valued pre-training net).
        weight_grad: "ste" or "magnitude" (Bi-Real's magnitude-aware weight gradient).
        weight_bases, act_bases: ABC-Net's M binary weight and N binary activation bases.
        rescale: "none" or "data" (Real-to-Binary's data-driven channel re-scaling).
        contract: "exact" (the hardware's numeric contract) or "float" (see ``CONTRACTS``).
        tail: "int8", "binary", "binary_m3" or "binary_m3c" (the paper's binary-weight sub-pixel conv,
            ``TAILS``).
        mean, std: training-set RGB mean/std in [0, 1] (BTM input normalisation).
    """

    def __init__(self, scale: int = 2, channels: int = 32, blocks: int = 4, block: str = "btm",
                 backbone: str = "edsr", residual_bits: int = 8, residual_frac_bits: int = 5,
                 sign_grad: str = "approxsign", prelu_mode: str = "pot", binarize: str = "full",
                 weight_grad: str = "ste", weight_bases: int = 1, act_bases: int = 1,
                 rescale: str = "none", contract: str = "exact", tail: str = "int8",
                 mean: Sequence[float] = DEFAULT_MEAN, std: Sequence[float] = DEFAULT_STD):
        super().__init__()
        if contract not in CONTRACTS:
            raise ValueError(f"contract must be one of {CONTRACTS}, got {contract!r}")
        if tail not in TAILS:
            raise ValueError(f"tail must be one of {TAILS}, got {tail!r}")
        if tail in BINARY_TAILS and block == "fp":
            raise ValueError(f"tail={tail!r} is an option of the quantized networks, not of the "
                             "full-precision teacher")
        self.tail_type = tail
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
        exact = contract == "exact"
        mean_px = self.mean_u if exact else [255.0 * m for m in mean]
        self.register_buffer("mean_px", torch.tensor(mean_px, dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)
        # input normalisation ``(x - mean) * in_scale``, output ``* out_scale``: shifts under
        # the contract (two multiplies, so export sees no Div)
        std_px = 2.0 ** self.shift if exact else 255.0 * sum(std) / len(std)
        self.in_scale, self.out_scale = 1.0 / std_px, std_px
        self.contract = contract
        out_ch = 3 * scale * scale if backbone == "edsr" else 3
        kw = dict(residual_bits=residual_bits, residual_frac_bits=residual_frac_bits,
                  sign_grad=sign_grad, prelu_mode=prelu_mode, binarize=binarize,
                  weight_grad=weight_grad, weight_bases=weight_bases, act_bases=act_bases,
                  rescale=rescale, contract=contract)
        self.binarize, self.rescale = binarize, rescale
        self.body = nn.ModuleList(BLOCKS[block](channels, **kw) for _ in range(blocks))
        if self.quantized:
            if exact:  # int8 head and tail, power-of-two per-channel scales
                self.head = QuantConv2d(3, channels, 3, padding=1, bias=False,
                                        weight_quant=Int8WeightPerChannelPoT)
                self.tail = QuantConv2d(channels, out_ch, 3, padding=1, bias=False,
                                        weight_quant=BINARY_TAILS.get(tail, Int8WeightPerChannelPoT))
                self.tail.binary_weights = tail in BINARY_TAILS
            else:  # float head and tail around the binary body
                self.head = nn.Conv2d(3, channels, 3, padding=1)
                self.tail = nn.Conv2d(channels, out_ch, 3, padding=1)
            self.head_quant = residual_quant(contract, residual_bits, residual_frac_bits)
            self.skip_quant = residual_quant(contract, residual_bits, residual_frac_bits)
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

    def export_blockers(self) -> list[str]:
        """Why this network cannot become an integer dataflow (empty: it can)."""
        why = []
        if self.contract != "exact":
            why.append(f"contract={self.contract!r}: float scales, slopes, head and tail (the "
                       "unconstrained reference of benchmarks/contract_cost.py) have no exact "
                       "integer form; train with contract='exact' to export")
        if self.binarize != "full":
            why.append(f"binarize={self.binarize!r}: the binary convs keep real-valued weights"
                       + ("" if self.binarize == "act" else " and clip(x) activations")
                       + " (a pre-training stage); train the binary stage from it with "
                       "`model.train --init-from THIS_CKPT` and export that checkpoint")
        if self.rescale == "data":
            why.append("rescale='data': Real-to-Binary's data-driven channel re-scaling multiplies "
                       "each binary conv output by factors computed from the input frame at run "
                       "time (pooling, two 1x1 convs, sigmoid); this input-dependent "
                       "floating-point work cannot fold into thresholds or an XNOR-popcount "
                       "unit; train with rescale='none' to export")
        return why

    def forward(self, x: Tensor, return_features: bool = False):
        """Args:
            x: (N, 3, h, w) pixels 0..255 (LR for "edsr", bicubic-upscaled for "vdsr").
            return_features: also return the body's block outputs (for distillation).

        Returns:
            (N, 3, H, W) pixels; exact uint8 values for quantized networks.
        """
        feats = []
        xn = (x - self.mean_px) * self.in_scale
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
        y = self.shuffle(self.tail(r)) * self.out_scale
        y = y + (x if self.backbone == "vdsr" else self.mean_px)
        y = self.out_quant(y) if self.quantized else y
        return (y, feats) if return_features else y
