# SPDX-License-Identifier: MIT
"""Integer reference of the quantized networks: what the hardware computes, in numpy int64.

It shares nothing with the PyTorch forward but the extracted integer parameters (weight
integers and signs, power-of-two exponents, PReLU slopes as ``m * 2^-q``): convolutions are
integer im2col products, requantisation is an arithmetic shift with round half up, padding
is explicit (−1 for binary convs, 0 elsewhere). ``tests/model/test_contract.py`` asserts that
it equals the float forward element for element: the numeric contract of docs/design.md §3.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .nets import BinaryResBlockBTM, BinarySRNet, MRBBlock, PoTPReLU


def _exp2(t: torch.Tensor) -> np.ndarray:
    """Exponents of a tensor of powers of two (raises if one is not)."""
    v = t.detach().double().flatten().numpy()
    e = np.round(np.log2(v))
    if not np.array_equal(2.0 ** e, v):
        raise ValueError(f"scale is not a power of two: {v}")
    return e.astype(np.int64)


def shift_round(v: np.ndarray, k) -> np.ndarray:
    """round_half_up(v * 2^k) for integer v and integer k (per element or per channel)."""
    v = v.astype(np.int64)
    k = np.broadcast_to(np.asarray(k, dtype=np.int64), v.shape)
    up = v << np.maximum(k, 0)
    r = np.maximum(-k, 0)
    half = np.where(r > 0, np.left_shift(np.int64(1), np.maximum(r - 1, 0)), 0)
    down = (v + half) >> r  # numpy >> on int64 is an arithmetic (floor) shift
    return np.where(k >= 0, up, down)


def conv_int(x: np.ndarray, w: np.ndarray, pad_hw: tuple[int, int], pad_value: int,
             dilation=(1, 1)) -> np.ndarray:
    """Integer 'same' convolution: x (C, H, W) int64, w (O, C, kh, kw) int64 -> (O, H, W)."""
    ph, pw = pad_hw
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)
    o, c, kh, kw = w.shape
    dh, dw = dilation
    h, wd = x.shape[1], x.shape[2]
    out = np.zeros((o, h, wd), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dh: i * dh + h, j * dw: j * dw + wd]  # (C, H, W)
            out += np.tensordot(w[:, :, i, j], patch, axes=([1], [0]))
    return out


def _slope_parts(act: PoTPReLU) -> tuple[np.ndarray, np.ndarray]:
    """PReLU slopes as (m, q) with slope = m * 2^-q, m and q integers."""
    s = act.slope().detach().double().numpy()
    if act.mode == "pot":
        return np.ones_like(s, dtype=np.int64), -_exp2(act.slope())
    q = np.full(s.shape, act.frac_bits, dtype=np.int64)
    m = np.round(s * 2.0 ** act.frac_bits).astype(np.int64)
    return m, q


@dataclass
class BinConvInt:
    signs: np.ndarray  # (O, C, kh, kw) of ±1
    alpha_exp: np.ndarray  # (O,)
    dilation: tuple[int, int]

    def popcount_dot(self, s: np.ndarray) -> np.ndarray:
        """±1 dot product D = 2P − K of the XNOR-popcount unit, with −1 padding."""
        kh, kw = self.signs.shape[2:]
        dh, dw = self.dilation
        return conv_int(s, self.signs, (dh * (kh - 1) // 2, dw * (kw - 1) // 2), -1, self.dilation)


def _binconv(m) -> BinConvInt:
    qw = m.conv.quant_weight()
    signs = np.where(qw.value.detach().numpy() >= 0, 1, -1).astype(np.int64)
    return BinConvInt(signs, _exp2(qw.scale), tuple(m.conv.dilation))


@dataclass
class IntNet:
    """Integer parameters of a quantized ``BinarySRNet`` (btm or mrb blocks)."""

    scale: int
    backbone: str
    mean_u: np.ndarray
    shift: int
    bits: int
    frac: int
    head_w: np.ndarray
    head_exp: np.ndarray
    tail_w: np.ndarray
    tail_exp: np.ndarray
    blocks: list = field(default_factory=list)

    @classmethod
    def from_net(cls, net: BinarySRNet) -> "IntNet":
        if not net.quantized:
            raise ValueError("the integer reference needs a quantized network, not the FP teacher")
        bits = int(net.head_quant.act_quant.bit_width().item())
        frac = int(-_exp2(net.head_quant.act_quant.scale())[0])
        hw, tw = net.head.quant_weight(), net.tail.quant_weight()
        blocks = []
        for b in net.body:
            if isinstance(b, BinaryResBlockBTM):
                blocks.append(("btm", _binconv(b.conv), _slope_parts(b.act)))
            elif isinstance(b, MRBBlock):
                blocks.append(("mrb", [_binconv(c) for c in b.branches], _slope_parts(b.act1),
                               _binconv(b.conv), _slope_parts(b.act2)))
            else:
                raise ValueError(f"block {type(b).__name__} has no integer form (BatchNorm scales "
                                 "are not powers of two)")
        return cls(net.scale, net.backbone, np.asarray(net.mean_u, dtype=np.int64), net.shift,
                   bits, frac, hw.int().detach().numpy().astype(np.int64), _exp2(hw.scale),
                   tw.int().detach().numpy().astype(np.int64), _exp2(tw.scale), blocks)

    # -- helpers on the residual grid 2^-frac, width `bits`
    def _sat(self, v: np.ndarray) -> np.ndarray:
        return np.clip(v, -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1)

    def _prelu_to_grid(self, d: np.ndarray, alpha_exp: np.ndarray, slope) -> np.ndarray:
        """round_half_up(PReLU(α·D) · 2^frac), saturated: the branch requantiser."""
        m, q = slope
        a = alpha_exp[:, None, None]
        pos = shift_round(d, a + self.frac)
        neg = shift_round(d * m[:, None, None], a - q[:, None, None] + self.frac)
        return self._sat(np.where(d >= 0, pos, neg))

    def _block(self, r: np.ndarray, blk) -> np.ndarray:
        s = np.where(r >= 0, 1, -1)  # sign(0) = +1
        if blk[0] == "btm":
            _, conv, slope = blk
            b = self._prelu_to_grid(conv.popcount_dot(s), conv.alpha_exp, slope)
        else:
            _, branches, slope1, conv, slope2 = blk
            d = np.concatenate([c.popcount_dot(s) for c in branches])
            # sign(PReLU(α·D)) = sign(D): α > 0 and slopes > 0 keep the sign
            del slope1
            s2 = np.where(d >= 0, 1, -1)
            b = self._prelu_to_grid(conv.popcount_dot(s2), conv.alpha_exp, slope2)
        return self._sat(r + b)

    def forward(self, u: np.ndarray) -> np.ndarray:
        """One image: u (3, h, w) uint8 pixels (bicubic-upscaled for vdsr) -> (3, H, W) uint8."""
        u = u.astype(np.int64)
        d = u - self.mean_u[:, None, None]
        acc = conv_int(d, self.head_w, (1, 1), 0)
        h = self._sat(shift_round(acc, self.head_exp[:, None, None] - self.shift + self.frac))
        r = h
        for blk in self.blocks:
            r = self._block(r, blk)
        r = self._sat(r + h)
        acc = conv_int(r, self.tail_w, (1, 1), 0)
        y = shift_round(acc, self.tail_exp[:, None, None] - self.frac + self.shift)
        if self.backbone == "edsr":
            s = self.scale
            c, hh, ww = y.shape
            y = y.reshape(c // (s * s), s, s, hh, ww).transpose(0, 3, 1, 4, 2)
            y = y.reshape(c // (s * s), hh * s, ww * s)
            y = y + self.mean_u[:, None, None]
        else:
            y = y + u
        return np.clip(y, 0, 255)
