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
