# SPDX-License-Identifier: MIT
"""Named Brevitas quantizers that honour the numeric contract (docs/design.md §3).

Every scale here is a power of two and every rounding is *round half up*
(``floor(x + 0.5)``), the rounding that FINN's ``MultiThreshold`` (``x >= t``) computes
at ties. With those two choices the float32 forward of the model only ever holds small
integers times powers of two, so it is exact and equals the integer hardware.

Names carry the configuration, as in Brevitas: ``Int8WeightPerChannelPoT`` is an 8-bit,
per-output-channel, power-of-two-scaled weight quantizer.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from brevitas.core.function_wrapper import CeilSte, RoundSte
from brevitas.core.quant import BinaryQuant
from brevitas.inject.enum import (
    QuantType,
    RestrictValueType,
    ScalingImplType,
    ScalingPerOutputType,
    StatsOp,
)
from brevitas.quant.base import IntQuant, NarrowIntQuant, MaxStatsScaling, UintQuant
from brevitas.quant.binary import SignedBinaryActPerTensorConst
from brevitas.quant.solver import ActQuantSolver, WeightQuantSolver

__all__ = [
    "RoundHalfUpSte",
    "SignSte",
    "SignApproxSign",
    "SIGN_GRADIENTS",
    "BinarySignActQuant",
    "BinarySignActApproxSign",
    "BinaryWeightPerChannelPoT",
    "BinaryWeightPerChannelPoTMagnitudeAware",
    "BinaryWeightPerChannelPoTParam",
    "ShortMantissaRestrictValue",
    "BinaryWeightPerChannelShortMantissa",
    "BinaryWeightPerColourShortMantissa",
    "BinaryWeightUnitScale",
    "WEIGHT_GRADIENTS",
    "Int8WeightPerChannelPoT",
    "residual_act_quant",
    "Uint8PixelActQuant",
    "PoTPReLU",
    "round_half_up",
]


def round_half_up(x: Tensor) -> Tensor:
    """``floor(x + 0.5)``: ties go towards +inf, as a ``MultiThreshold`` with ``x >= t`` does."""
    return torch.floor(x + 0.5)


class _RoundHalfUpFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return round_half_up(x)

    @staticmethod
    def backward(ctx, g):
        return g


class RoundHalfUpSte(nn.Module):
    """Brevitas ``float_to_int_impl``: round half up forward, identity gradient (STE).

    Brevitas ships ``ROUND`` (half to even), ``FLOOR``, ``CEIL`` and ``ROUND_TO_ZERO``;
    none of them is what a threshold ``x >= t`` computes at a tie, so this one is ours.
    """

    def __init__(self) -> None:  # explicit: Brevitas' injector rejects *args/**kwargs
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return _RoundHalfUpFn.apply(x)


# ---------------------------------------------------------------- sign activations
class _SignFn(torch.autograd.Function):
    """sign with sign(0)=+1 (the hardware threshold is x >= 0, XNOR bit 1 means +1); the
    subclasses choose the gradient estimator."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))


class _SignSteFn(_SignFn):
    """Gradient 1 on |x| <= 1 (clipped straight-through)."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class _SignApproxSignFn(_SignFn):
    """The Bi-Real ApproxSign gradient: 2 - 2|x| on |x| < 1, else 0."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.clamp(2.0 - 2.0 * x.abs(), min=0.0)


def SignSte(x: Tensor) -> Tensor:  # noqa: N802 - reads like the estimator's name
    return _SignSteFn.apply(x)


def SignApproxSign(x: Tensor) -> Tensor:  # noqa: N802
    return _SignApproxSignFn.apply(x)


SIGN_GRADIENTS = {"ste": SignSte, "approxsign": SignApproxSign}


class SignBinaryQuant(BinaryQuant):
    """Brevitas binary tensor quant whose sign has a selectable gradient estimator.

    Brevitas' own ``binary_sign_ste`` has one fixed estimator; the Bi-Real ApproxSign
    gradient is not in Brevitas, so the tensor quant is subclassed here.
    """

    def __init__(self, scaling_impl: nn.Module, sign_grad: str = "ste", signed: bool = True):
        super().__init__(scaling_impl=scaling_impl, signed=signed)
        if sign_grad not in SIGN_GRADIENTS:
            raise ValueError(f"sign_grad must be one of {sorted(SIGN_GRADIENTS)}, got {sign_grad!r}")
        self.sign_grad = sign_grad
        self._sign = SIGN_GRADIENTS[sign_grad]

    def forward(self, x: Tensor):
        scale = self.scaling_impl(x)
        y = self._sign(x) * scale
        return y, scale, self.zero_point(), self.bit_width()


class BinarySignActQuant(SignedBinaryActPerTensorConst):
    """Binary activation ±1 (scale 1, sign(0)=+1), clipped straight-through gradient."""

    tensor_quant = SignBinaryQuant
    sign_grad = "ste"
    scaling_const = 1.0


class BinarySignActApproxSign(BinarySignActQuant):
    """Binary activation ±1 with the Bi-Real ApproxSign gradient (piecewise polynomial)."""

    sign_grad = "approxsign"


# ---------------------------------------------------------------- weights
class BinaryWeightPerChannelPoT(WeightQuantSolver):
    """Binary weights ±α, α per output channel = 2^round(log2(mean|W|)).

    Power-of-two α keeps the float forward exact; in hardware α folds into the next
    thresholds, so the XNOR-popcount unit only ever sees the weight signs.
    """

    quant_type = QuantType.BINARY
    bit_width = 1
    signed = True
    narrow_range = True
    scaling_impl_type = ScalingImplType.STATS
    scaling_stats_op = StatsOp.AVE
    scaling_per_output_type = ScalingPerOutputType.CHANNEL
    restrict_scaling_type = RestrictValueType.POWER_OF_TWO
    restrict_value_float_to_int_impl = RoundSte
    scaling_min_val = 2.0 ** -16


class _MagnitudeAwareSignFn(torch.autograd.Function):
    """Bi-Real's magnitude-aware weight gradient: forward ``α·sign(W)``, backward
    ``∂W_b/∂W_r = α · 1{|W_r| < 1}`` with α held constant (Bi-Real Net, eq. 5)."""

    @staticmethod
    def forward(ctx, w, scale):
        ctx.save_for_backward(w, scale)
        return torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w)) * scale

    @staticmethod
    def backward(ctx, g):
        w, scale = ctx.saved_tensors
        return g * scale * (w.abs() < 1).to(g.dtype), None


class MagnitudeAwareBinaryQuant(BinaryQuant):
    """Brevitas binary tensor quant with Bi-Real's magnitude-aware gradient.

    Brevitas' ``BinaryQuant`` passes the gradient straight through the sign and also into
    the scale statistics; Bi-Real scales the clipped straight-through gradient by α and
    stops it at α. Brevitas has no such estimator, so the tensor quant is subclassed.
    The forward (and so the QONNX export, a ``BipolarQuant`` with scale α) is unchanged.
    """

    def forward(self, x: Tensor):
        scale = self.scaling_impl(x)
        y = _MagnitudeAwareSignFn.apply(x, scale.detach())
        return y, scale, self.zero_point(), self.bit_width()


class BinaryWeightPerChannelPoTMagnitudeAware(BinaryWeightPerChannelPoT):
    """``BinaryWeightPerChannelPoT`` trained with Bi-Real's magnitude-aware gradient."""

    tensor_quant = MagnitudeAwareBinaryQuant


class BinaryWeightPerChannelPoTParam(BinaryWeightPerChannelPoT):
    """Binary weights ±α with α per output channel a learned power of two (log2 domain,
    initialised from mean |W|, Brevitas' ``PARAMETER_FROM_STATS``): the binary-weight
    upsampler's quantizer. With α taken from the weight statistics on every step, the tail's
    latent weights were driven onto the rounding boundary itself (mean |W| = 0.0221 = 2^-5.5
    in all 12 output channels of a trained tail), where α jumps between 2^-6 and 2^-5, and
    the net trained to 25 dB on Set5 (below bicubic)."""

    scaling_impl_type = ScalingImplType.PARAMETER_FROM_STATS


class ShortMantissaRestrictValue(nn.Module):
    """A learned scale restricted to ``m · 2^(e - M + 1)`` with an integer ``m`` of ``M`` bits
    (``2^(M-1) <= m <= 2^M``) and an integer ``e``: a power of two with an ``M``-bit
    significand. Brevitas' restrict values are float, log-float, integer or power of two;
    none is a short-mantissa float, so this one is written here (Brevitas' restrict-value
    interface: the learned parameter lives in the log2 domain, as for a power of two).

    Exactness: ``m`` and ``e`` are computed from the parameter, then the value is built as
    ``m * 2^k`` (float32 holds that exactly), so ``2^(M-1) <= m <= 2^M`` and the scale is
    exactly representable. Gradient: straight through the rounding of ``m``, i.e. that of
    ``2^x``, as Brevitas' power of two does it through ``round(x)``."""

    def __init__(self, mantissa_bits: int = 3):
        super().__init__()
        self.mantissa_bits = int(mantissa_bits)

    def restrict_init_float(self, x: float):
        return math.log2(x)

    def restrict_init_tensor(self, x: Tensor):
        return torch.log2(x)

    def restrict_init_module(self):
        from brevitas.core.function_wrapper import LogTwo
        return LogTwo()

    def restrict_init_inplace_module(self):
        from brevitas.core.function_wrapper import InplaceLogTwo
        return InplaceLogTwo()

    def forward(self, x: Tensor) -> Tensor:
        k = self.mantissa_bits - 1
        e = torch.floor(x).detach()
        m = RoundSte()(torch.exp2(x - e) * (2.0 ** k))   # in [2^k, 2^(k+1)]
        return m * torch.exp2(e - k)                      # exact: exp2 of an integer


class BinaryWeightPerChannelShortMantissa(BinaryWeightPerChannelPoTParam):
    """Binary weights ±α with α per output channel a learned ``m · 2^-e``, ``m`` of 3 bits
    (α in 2^e · {1, 1.25, 1.5, 1.75}): the binary-weight upsampler with a finer α than a
    power of two. The float forward stays exact (each product is an 8-bit activation times
    a 3-bit integer times a power of two; a 288-term sum needs under 24 bits); in hardware
    the accumulator is still the XNOR/adder tree over ±x, and α only moves the output
    thresholds, which the requantiser reproduces as the odd part of m times x (one
    shift-and-add, ``hw.gen.requant.MULS``) before its shift."""

    restrict_scaling_impl = ShortMantissaRestrictValue
    mantissa_bits = 3


class ShortMantissaPerColourRestrictValue(ShortMantissaRestrictValue):
    """``ShortMantissaRestrictValue`` with one α per colour of a sub-pixel conv: the learned
    log2 values are averaged over each colour's r² output channels (PixelShuffle puts channel
    ``c·r² + k`` in colour ``c``) before rounding, so every sub-pixel phase of a colour gets
    the same grid point and the output has no phase-to-phase gain step (a checkerboard)."""

    colours = 3

    def forward(self, x: Tensor) -> Tensor:
        if x.numel() % self.colours:   # Brevitas also restricts single values (its init)
            return super().forward(x)
        g = x.reshape(self.colours, -1).mean(1, keepdim=True)
        return super().forward(g.expand(self.colours, x.numel() // self.colours).reshape(x.shape))


class BinaryWeightPerColourShortMantissa(BinaryWeightPerChannelShortMantissa):
    """``BinaryWeightPerChannelShortMantissa`` with α shared by a colour's r² sub-pixel
    phases (``ShortMantissaPerColourRestrictValue``): the same exact m·2^-e, three values
    per tail instead of 3·r²; the same hardware (α still folds into the thresholds)."""

    restrict_scaling_impl = ShortMantissaPerColourRestrictValue


class BinaryWeightPerChannelFloat(BinaryWeightPerChannelPoT):
    """Binary weights ±α with a float α per output channel (mean |W|, XNOR-Net's scale): the
    unconstrained reference of ``benchmarks/contract_cost.py``, not exportable bit-exactly."""

    restrict_scaling_type = RestrictValueType.FP


#: binary-weight gradient estimators: Brevitas' straight-through (also through the
#: scale statistics) or Bi-Real's magnitude-aware one
WEIGHT_GRADIENTS = {"ste": BinaryWeightPerChannelPoT,
                    "magnitude": BinaryWeightPerChannelPoTMagnitudeAware}


class BinaryWeightUnitScale(SignedBinaryActPerTensorConst):
    """±1 with scale 1 (sign(0)=+1), clipped straight-through gradient: the weight bases of
    ABC-Net, whose magnitudes live in separate power-of-two coefficients. (An activation
    quantizer applied to a weight-derived tensor: it exports as a ``BipolarQuant`` that
    qonnx folds into a bipolar weight initializer.)"""

    tensor_quant = SignBinaryQuant
    sign_grad = "ste"
    scaling_const = 1.0


class Int8WeightPerChannelPoT(NarrowIntQuant, MaxStatsScaling, WeightQuantSolver):
    """8-bit narrow signed weights, per output channel power-of-two scale (head and tail)."""

    scaling_per_output_type = ScalingPerOutputType.CHANNEL
    restrict_scaling_type = RestrictValueType.POWER_OF_TWO
    restrict_value_float_to_int_impl = CeilSte
    bit_width = 8


# ---------------------------------------------------------------- activations
class _FixedPoTActQuant(IntQuant, ActQuantSolver):
    """Signed fixed-point activation: constant power-of-two scale, round half up, saturate."""

    scaling_impl_type = ScalingImplType.CONST
    scaling_per_output_type = ScalingPerOutputType.TENSOR
    restrict_scaling_type = RestrictValueType.POWER_OF_TWO
    restrict_value_float_to_int_impl = CeilSte
    float_to_int_impl = RoundHalfUpSte


def residual_act_quant(bits: int = 8, frac_bits: int = 4) -> type:
    """Quantizer class of the residual stream: ``bits`` signed, scale 2^-frac_bits.

    Args:
        bits: total width of the residual stream (the hardware's stream width).
        frac_bits: fractional bits; the scale is 2^-frac_bits.

    Returns:
        A Brevitas activation quantizer class named like ``Int8ActFixedPoTFrac4``.
    """
    if not 2 <= bits <= 24:
        raise ValueError(f"residual bits must be in [2, 24], got {bits}")
    top = 2.0 ** (bits - 1 - frac_bits)
    return type(
        f"Int{bits}ActFixedPoTFrac{frac_bits}",
        (_FixedPoTActQuant,),
        {"bit_width": bits, "max_val": top, "min_val": -top, "__doc__": _FixedPoTActQuant.__doc__},
    )


class Uint8PixelActQuant(UintQuant, ActQuantSolver):
    """Output pixels: unsigned 8 bit, scale 1, round half up, clamp to [0, 255]."""

    bit_width = 8
    scaling_impl_type = ScalingImplType.CONST
    scaling_per_output_type = ScalingPerOutputType.TENSOR
    restrict_scaling_type = RestrictValueType.POWER_OF_TWO
    restrict_value_float_to_int_impl = CeilSte
    float_to_int_impl = RoundHalfUpSte
    max_val = 256.0
    min_val = 0.0


# ---------------------------------------------------------------- PReLU
class PoTPReLU(nn.Module):
    """PReLU whose per-channel slopes are positive and exactly representable.

    Positive slopes keep PReLU monotonic, so it folds into the next quantiser's
    thresholds per channel (FINN has no PReLU of its own). Two representations:

    - ``mode="pot"``: slope = 2^round(s), s learned and clamped to [min_exp, max_exp];
    - ``mode="fixed"``: slope = clamp(round(a * 2^frac_bits), 1, 2^frac_bits) / 2^frac_bits,
      a fixed-point number with a power-of-two denominator.

    Args:
        channels: number of channels (one slope each).
        init: initial slope (0.25 as in PyTorch's PReLU).
        mode: "pot" or "fixed".
        min_exp, max_exp: exponent range of "pot" slopes.
        frac_bits: fractional bits of "fixed" slopes.
    """

    def __init__(self, channels: int, init: float = 0.25, mode: str = "pot",
                 min_exp: int = -8, max_exp: int = 0, frac_bits: int = 6):
        super().__init__()
        if mode not in ("pot", "fixed"):
            raise ValueError(f"PoTPReLU mode must be 'pot' or 'fixed', got {mode!r}")
        if not init > 0:
            raise ValueError(f"PReLU slopes must be positive, got init={init}")
        self.mode, self.min_exp, self.max_exp, self.frac_bits = mode, min_exp, max_exp, frac_bits
        start = math.log2(init) if mode == "pot" else init
        self.weight = nn.Parameter(torch.full((channels,), float(start)))

    def slope(self) -> Tensor:
        """The effective (quantised) slopes, shape (C,)."""
        if self.mode == "pot":
            e = _RoundHalfUpFn.apply(torch.clamp(self.weight, self.min_exp, self.max_exp))
            return torch.pow(2.0, e)
        d = 2.0 ** self.frac_bits
        return torch.clamp(_RoundHalfUpFn.apply(self.weight * d), 1.0, d) / d

    def forward(self, x: Tensor) -> Tensor:
        # F.prelu exports as ONNX PRelu (x if x >= 0 else a * x; both are 0 at 0)
        return torch.nn.functional.prelu(x, self.slope())

    def extra_repr(self) -> str:
        return f"channels={self.weight.numel()}, mode={self.mode}"
