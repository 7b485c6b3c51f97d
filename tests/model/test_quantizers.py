# SPDX-License-Identifier: MIT
"""Quantizer properties: binary ±α, residual values on the power-of-two grid, sign(0)=+1."""
import math

import numpy as np
import torch
from brevitas.nn import QuantConv2d, QuantIdentity
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from model.quantizers import (BinarySignActApproxSign, BinarySignActQuant,
                              BinaryWeightPerChannelPoT, Int8WeightPerChannelPoT, PoTPReLU,
                              Uint8PixelActQuant, residual_act_quant)

floats = st.floats(-20, 20, allow_nan=False, width=32)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.integers(1, 64), elements=floats))
def test_sign_is_pm1_and_sign0_is_plus1(x):
    for q in (BinarySignActQuant, BinarySignActApproxSign):
        y = QuantIdentity(act_quant=q)(torch.from_numpy(x)).numpy()
        assert set(np.unique(y)) <= {-1.0, 1.0}
        assert np.array_equal(y, np.where(x >= 0, 1.0, -1.0))
    z = QuantIdentity(act_quant=BinarySignActQuant)(torch.zeros(3)).numpy()
    assert np.array_equal(z, np.ones(3))


def test_sign_gradients_ste_and_approxsign():
    x = torch.tensor([-1.5, -0.75, -0.25, 0.0, 0.5, 0.9, 1.2], requires_grad=True)
    QuantIdentity(act_quant=BinarySignActQuant)(x).sum().backward()
    assert torch.equal(x.grad, (x.detach().abs() <= 1).float())
    x.grad = None
    QuantIdentity(act_quant=BinarySignActApproxSign)(x).sum().backward()
    assert torch.equal(x.grad, torch.clamp(2 - 2 * x.detach().abs(), min=0))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(0, 2 ** 31 - 1))
def test_binary_weights_are_pm_alpha_per_channel_power_of_two(cin, cout, seed):
    torch.manual_seed(seed)
    conv = QuantConv2d(cin, cout, 3, bias=False, weight_quant=BinaryWeightPerChannelPoT)
    with torch.no_grad():
        conv.weight.mul_(torch.rand(cout, 1, 1, 1) * 10)
    qw = conv.quant_weight()
    alpha = qw.scale.detach().flatten()
    for a in alpha.tolist():
        assert a > 0 and math.log2(a) == round(math.log2(a))
    v = qw.value.detach()
    assert torch.equal(v.abs(), alpha.view(-1, 1, 1, 1).expand_as(v))
    assert torch.equal(torch.sign(v), torch.where(conv.weight >= 0, 1.0, -1.0))


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.integers(1, 64), elements=floats), st.integers(3, 12),
       st.integers(0, 6))
def test_residual_values_on_power_of_two_grid(x, bits, frac):
    q = QuantIdentity(act_quant=residual_act_quant(bits, frac), return_quant_tensor=True)
    y = q(torch.from_numpy(x))
    assert float(y.scale) == 2.0 ** -frac
    k = y.value.detach().numpy() * 2.0 ** frac
    assert np.array_equal(k, np.round(k))
    assert k.min() >= -(2 ** (bits - 1)) and k.max() <= 2 ** (bits - 1) - 1
    # round half up (ties towards +inf), then saturate: what x >= threshold computes
    want = np.clip(np.floor(x.astype(np.float64) * 2.0 ** frac + 0.5), -(2 ** (bits - 1)),
                   2 ** (bits - 1) - 1)
    assert np.array_equal(k, want)


def test_residual_ties_round_up():
    q = QuantIdentity(act_quant=residual_act_quant(8, 1))
    y = q(torch.tensor([-1.25, -0.25, 0.25, 0.75])).numpy()  # ties at the 0.5 grid
    assert np.array_equal(y, [-1.0, 0.0, 0.5, 1.0])


def test_int8_weights_per_channel_power_of_two():
    conv = QuantConv2d(3, 5, 3, bias=False, weight_quant=Int8WeightPerChannelPoT)
    qw = conv.quant_weight()
    i = qw.int().detach()
    assert i.abs().max() <= 127
    for a in qw.scale.flatten().tolist():
        assert math.log2(a) == round(math.log2(a))
    assert torch.equal(i.float() * qw.scale.detach(), qw.value.detach())


def test_uint8_pixels():
    q = QuantIdentity(act_quant=Uint8PixelActQuant)
    y = q(torch.tensor([-3.0, 0.5, 1.49, 254.5, 300.0])).numpy()
    assert np.array_equal(y, [0.0, 1.0, 1.0, 255.0, 255.0])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-30, 5, allow_nan=False), min_size=1, max_size=8))
def test_prelu_slopes_positive_power_of_two(ws):
    act = PoTPReLU(len(ws))
    with torch.no_grad():
        act.weight.copy_(torch.tensor(ws))
    s = act.slope().detach()
    assert (s > 0).all() and (s <= 1).all()
    assert torch.equal(torch.log2(s), torch.round(torch.log2(s)))


def test_prelu_fixed_point_slopes():
    act = PoTPReLU(3, mode="fixed", frac_bits=4)
    with torch.no_grad():
        act.weight.copy_(torch.tensor([-1.0, 0.3, 2.0]))
    s = act.slope().detach() * 16
    assert torch.equal(s, torch.round(s)) and (s >= 1).all() and (s <= 16).all()
    x = torch.tensor([[-2.0, 1.0, -1.0]]).view(1, 3, 1, 1)
    assert torch.equal(act(x).flatten(), torch.tensor([-2 / 16, 1.0, -1.0]))


def test_binary_tail_alpha_is_a_learned_power_of_two_and_old_checkpoints_compute_as_before(tmp_path):
    """The binary-weight upsampler's alpha is a parameter (rounded log2); a checkpoint from
    before it (alpha = 2^round(log2(mean |W|)) per output channel, from the weights) loads
    with exactly that alpha, and its output is unchanged."""
    from model.registry import atomic_save, build_from_config, config_for, model_from_checkpoint

    arch = "edsr_btm_x2_c8_b1_bintail"
    torch.manual_seed(0)
    net = build_from_config(config_for(arch), arch).train()
    x = torch.randint(0, 256, (1, 3, 10, 10)).float()
    net(x)                                          # initialises log2(alpha) from the weights
    key = "tail.weight_quant.tensor_quant.scaling_impl.value"
    with torch.no_grad():
        net.tail.weight.mul_(torch.linspace(0.3, 3.0, 12).view(12, 1, 1, 1))  # alphas differ
    old = {k: v for k, v in net.state_dict().items() if k != key}
    atomic_save({"arch": arch, "config": config_for(arch), "model": old}, tmp_path / "old.pt")
    loaded, _ = model_from_checkpoint(tmp_path / "old.pt")
    w = net.tail.weight.detach()
    expected = [2.0 ** round(math.log2(float(w[c].abs().mean()))) for c in range(12)]
    q = loaded.tail.quant_weight()
    assert q.scale.flatten().tolist() == expected
    assert torch.equal(q.value, torch.where(w >= 0, 1.0, -1.0) * q.scale)
    assert len(set(expected)) > 1
    # a train-mode forward keeps the loaded alpha (no re-initialisation from the statistics)
    loaded.train()
    with torch.no_grad():
        loaded(x)
    assert loaded.tail.quant_weight().scale.flatten().tolist() == expected


def test_short_mantissa_alpha_is_exact_on_its_whole_range_and_learns():
    """``ShortMantissaRestrictValue`` (the ``_bintailm3`` tail's α): for every exponent the
    float32 scales can hold and every 3-bit significand, the value is exactly m·2^(e-2)
    (compared with Python's exact arithmetic), so the float forward keeps the contract;
    between grid points it rounds to the nearest significand; the gradient flows."""
    from fractions import Fraction

    from model.quantizers import ShortMantissaRestrictValue

    r = ShortMantissaRestrictValue(3)
    for e in range(-60, 20):
        for m in range(4, 8):
            exact = Fraction(m) * Fraction(2) ** (e - 2)
            # the parameter anywhere in the interval that rounds to m (log2 domain)
            for frac in (m - 0.49, m, m + 0.49):
                x = torch.tensor([e + math.log2(frac / 4)], dtype=torch.float32)
                if not (e <= x.item() < e + 1):
                    continue
                v = r(x)
                assert Fraction(v.item()) == exact, (e, m, frac, v.item())
    # 1.9 (log2 0.93) rounds up to the next power of two: m = 8 = 4 * 2
    assert r(torch.tensor([math.log2(1.9)])).item() == 2.0
    x = torch.tensor([-5.3], requires_grad=True)
    r(x).sum().backward()
    assert x.grad.item() > 0


def test_short_mantissa_tail_forward_is_exact():
    """The ``_bintailm3`` network's tail in float32 equals the same sum in float64 (exact:
    every term is an 8-bit activation times a 3-bit significand times a power of two)."""
    from model.registry import build_from_config, config_for

    arch = "edsr_btm_x2_c8_b1_bintailm3"
    torch.manual_seed(1)
    net = build_from_config(config_for(arch), arch).train()
    x = torch.randint(0, 256, (2, 3, 12, 12)).float()
    net(x)
    q = net.tail.quant_weight()
    s = q.scale.flatten()
    m = s / torch.exp2(torch.floor(torch.log2(s)) - 2)
    assert torch.equal(m, torch.round(m)) and ((m >= 4) & (m < 8)).all()
    a = torch.randint(-128, 128, (2, 8, 12, 12)).float() / 32      # the 8-bit residual stream
    y32 = torch.nn.functional.conv2d(a, q.value, padding=1)
    y64 = torch.nn.functional.conv2d(a.double(), q.value.double(), padding=1)
    assert torch.equal(y32.double(), y64)


def test_per_colour_alpha_is_shared_by_a_colours_sub_pixel_phases_and_exact():
    """``_bintailm3c``: the tail's 3·r² α take three values, one per colour (PixelShuffle's
    channel c·r² + k is colour c), each on the m·2^-e grid; the forward stays exact; the
    per-channel ``_bintailm3`` from the same seed does not share (the check can fail)."""
    from model.registry import build_from_config, config_for

    alphas = {}
    for suffix in ("_bintailm3c", "_bintailm3"):
        arch = f"edsr_btm_x3_c8_b1{suffix}"
        torch.manual_seed(3)
        net = build_from_config(config_for(arch), arch).train()
        net(torch.randint(0, 256, (2, 3, 12, 12)).float())
        with torch.no_grad():   # spread the latent values so that channels differ
            net.tail.weight_quant.tensor_quant.scaling_impl.value.add_(
                torch.linspace(-0.9, 0.9, 27).view(27, 1, 1, 1))
        q = net.tail.quant_weight()
        s = q.scale.flatten()
        m = s / torch.exp2(torch.floor(torch.log2(s)) - 2)
        assert torch.equal(m, torch.round(m)) and ((m >= 4) & (m < 8)).all()
        alphas[suffix] = s.view(3, 9)
        a = torch.randint(-128, 128, (2, 8, 12, 12)).float() / 32
        y32 = torch.nn.functional.conv2d(a, q.value, padding=1)
        assert torch.equal(y32.double(), torch.nn.functional.conv2d(a.double(), q.value.double(), padding=1))
    shared = alphas["_bintailm3c"]
    assert (shared == shared[:, :1]).all() and len(set(shared[:, 0].tolist())) > 1
    assert not (alphas["_bintailm3"] == alphas["_bintailm3"][:, :1]).all()
    from model.quantizers import ShortMantissaPerColourRestrictValue, ShortMantissaRestrictValue
    x = torch.tensor([-5.3, -4.1])   # not per colour (Brevitas' single values): per element
    assert torch.equal(ShortMantissaPerColourRestrictValue(3)(x), ShortMantissaRestrictValue(3)(x))
