# SPDX-License-Identifier: MIT
"""Network structure: no BatchNorm in BTM nets, −1 padding in binary convs, shapes, registry."""
import pytest
import torch
import torch.nn.functional as F

import model
from model.errors import UnknownArchError
from model.nets import BinaryConv2d
from model.registry import REGISTRY


@pytest.mark.parametrize("name", [n for n in REGISTRY if ("_btm_" in n or "_mrb_" in n)
                                  and n.endswith(("c16_b2", "c32_b4"))])
def test_no_batchnorm_in_btm_networks(name):
    net = model.build(name)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules())


def test_bn_baseline_has_batchnorm_where_btm_has_prelu():
    bn = model.build("edsr_bn_x2_c16_b2")
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in bn.modules()) == 2


@pytest.mark.parametrize("name", ["edsr_btm_x2_c16_b2", "edsr_mrb_x3_c16_b2", "vdsr_bn_x2_c16_b2"])
def test_every_binary_conv_pads_with_minus_one(name):
    net = model.build(name)
    convs = [m for m in net.modules() if isinstance(m, BinaryConv2d)]
    assert convs and all(c.conv.padding == (0, 0) for c in convs)
    torch.manual_seed(0)
    for c in convs:
        cin = c.conv.in_channels
        x = torch.where(torch.rand(1, cin, 7, 9) < 0.5, -1.0, 1.0)
        w = c.conv.quant_weight().value
        want = F.conv2d(F.pad(x, c.padding, value=-1.0), w, dilation=c.conv.dilation)
        got = c(x)
        assert got.shape == (1, c.conv.out_channels, 7, 9)
        assert torch.equal(got, want)
        zero_pad = F.conv2d(F.pad(x, c.padding, value=0.0), w, dilation=c.conv.dilation)
        assert not torch.equal(got, zero_pad)  # the border really differs


@pytest.mark.parametrize("backbone", ["edsr", "vdsr"])
@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("block", ["btm", "bn", "mrb", "fp"])
def test_output_shapes(backbone, scale, block):
    net = model.build(f"{backbone}_{block}_x{scale}_c8_b1" if block != "mrb"
                      else f"{backbone}_{block}_x{scale}_c16_b2").eval()
    h, w = 6, 5
    x = torch.randint(0, 256, (2, 3, h, w)).float()
    if backbone == "vdsr":
        x = torch.randint(0, 256, (2, 3, h * scale, w * scale)).float()
    y = net(x)
    assert y.shape == (2, 3, h * scale, w * scale)
    if block != "fp":
        assert torch.equal(y, y.round()) and y.min() >= 0 and y.max() <= 255


def test_xavier_init_and_normalisation():
    net = model.build("edsr_btm_x2_c16_b2", mean=(0.5, 0.4, 0.3), std=(0.24, 0.26, 0.25))
    assert net.mean_u == [128, 102, 76]
    assert net.shift == 6  # 255 * 0.25 ≈ 2^6: normalisation is a shift
    w = net.body[0].conv.conv.weight
    bound = (6 / (w.shape[1] * 9 + w.shape[0] * 9)) ** 0.5
    assert w.abs().max() <= bound


def test_unknown_arch_names_close_matches():
    with pytest.raises(UnknownArchError, match="edsr_btm_x2_c16_b2"):
        model.build("edsr_btm_x2_c16_b3")


def test_registry_config_equals_constructor_arguments():
    net = model.build("vdsr_mrb_x3_c32_b4", residual_bits=6)
    assert net.config["residual_bits"] == 6 and net.config["backbone"] == "vdsr"
    rebuilt = model.build_from_config(net.config)
    assert rebuilt.config == net.config


def test_float_contract_is_the_unconstrained_reference():
    """contract="float" (benchmarks/contract_cost.py): float binary-weight scales, float
    PReLU slopes, a learned float residual scale, float head and tail; it trains, and export
    refuses it by name. The exact contract keeps power-of-two scales and PoT PReLUs."""
    from brevitas.nn import QuantConv2d
    from torch import nn

    from model.quantizers import PoTPReLU

    exact, flt = model.build("edsr_btm_x2_c8_b1"), model.build("edsr_btm_x2_c8_b1", contract="float")
    assert isinstance(exact.head, QuantConv2d) and not isinstance(flt.head, QuantConv2d)
    assert isinstance(exact.body[0].act, PoTPReLU) and type(flt.body[0].act) is nn.PReLU
    x = torch.rand(2, 3, 12, 12) * 255
    flt.train()
    flt(x).mean().backward()
    a = flt.body[0].conv.conv.quant_weight().scale.flatten()
    assert not torch.equal(torch.log2(a), torch.round(torch.log2(a)))  # float α, not 2^k
    a = exact.body[0].conv.conv.quant_weight().scale.flatten()
    assert torch.equal(torch.log2(a), torch.round(torch.log2(a)))
    assert exact.export_blockers() == []
    assert any("contract='float'" in w for w in flt.export_blockers())
    with pytest.raises(ValueError, match="contract"):
        model.build("edsr_btm_x2_c8_b1", contract="fast")
