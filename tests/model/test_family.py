# SPDX-License-Identifier: MIT
"""Bi-Real, ABC-Net and Real-to-Binary options: shapes, gradients where the papers put them,
an independent integer recomputation of the ABC conv, the two-stage schedules."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from model import train
from model.errors import CheckpointError
from model.nets import ABCConv2d, BinaryConv2d
from model.registry import build

TINY = ["--arch", "edsr_btm_x2_c8_b1", "--batch", "2", "--patch", "12", "--quiet"]


def _pm1(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=g).float() * 2 - 1


# ---------------------------------------------------------------- Bi-Real
def _weight_grads(weight_grad):
    torch.manual_seed(0)
    conv = BinaryConv2d(4, 3, 3, weight_grad=weight_grad)
    with torch.no_grad():
        conv.conv.weight[0, 0, 0, 0] = 1.5  # outside the clip: no gradient under Bi-Real
        conv.conv.weight[1, 2, 1, 1] = -2.0
    x = _pm1((2, 4, 6, 6), 1)
    y = conv(x)
    g = torch.randn(y.shape, generator=torch.Generator().manual_seed(2))
    (y * g).sum().backward()
    # dL/dW_b of the same conv with the binary weights as a leaf
    wb = conv.conv.quant_weight().value.detach().requires_grad_(True)
    (F.conv2d(F.pad(x, conv.padding, value=-1.0), wb) * g).sum().backward()
    alpha = wb.detach().abs().amax(dim=(1, 2, 3), keepdim=True)
    return conv.conv.weight, wb.grad, alpha


def test_magnitude_aware_weight_gradient_is_alpha_times_clipped_ste():
    w, g_wb, alpha = _weight_grads("magnitude")
    expected = g_wb * alpha * (w.detach().abs() < 1).to(g_wb.dtype)
    assert torch.equal(w.grad, expected)
    assert w.grad[0, 0, 0, 0] == 0 and w.grad[1, 2, 1, 1] == 0
    assert torch.all((alpha == 2.0 ** torch.round(torch.log2(alpha))))  # α stays a power of two


def test_default_weight_gradient_differs_from_magnitude_aware():
    w, g_wb, alpha = _weight_grads("ste")
    assert not torch.equal(w.grad, g_wb * alpha * (w.detach().abs() < 1).to(g_wb.dtype))
    assert w.grad[0, 0, 0, 0] != 0  # Brevitas' straight-through passes it unclipped


def test_forward_is_the_same_for_both_weight_gradients():
    torch.manual_seed(3)
    a = BinaryConv2d(4, 3, 3, weight_grad="ste")
    b = BinaryConv2d(4, 3, 3, weight_grad="magnitude")
    b.load_state_dict(a.state_dict())
    x = _pm1((1, 4, 5, 5), 4)
    assert torch.equal(a(x), b(x))


@pytest.mark.parametrize("binarize", ["act", "none"])
def test_pretraining_stages_keep_real_weights(binarize):
    torch.manual_seed(0)
    net = build("edsr_btm_x2_c8_b1", binarize=binarize)
    blk = net.body[0]
    w = blk.conv.conv.weight
    assert torch.equal(blk.conv.conv.quant_weight(), w)  # no weight quantizer: the tensor itself
    x = torch.linspace(-2, 2, 64).view(1, 1, 8, 8).repeat(1, 8, 1, 1)
    s = blk.sign(x)
    if binarize == "act":
        assert set(s.unique().tolist()) == {-1.0, 1.0}
    else:  # Bi-Real's real-valued net: clip(x, -1, 1) where the binary net has sign
        assert torch.equal(s, x.clamp(-1, 1))
    y = net(torch.randint(0, 256, (1, 3, 8, 8)).float())
    y.mean().backward()
    assert w.grad is not None and w.grad.abs().sum() > 0
    assert net.export_blockers() and "--init-from" in net.export_blockers()[0]


def test_init_from_copies_every_tensor_of_the_same_name_and_shape(tmp_path, hr_folder):
    common = ["--data", str(hr_folder), "--steps", "2", "--val-every", "2"]
    assert train.main([*TINY, *common, "--binarize", "none", "--out", str(tmp_path / "clip")]) == 0
    src = torch.load(tmp_path / "clip" / "ckpt.pt", weights_only=False)["model"]
    net = build("edsr_btm_x2_c8_b1")
    got = train.init_from(net, tmp_path / "clip" / "ckpt.pt")
    assert got == {"loaded": len(net.state_dict()), "skipped": 0}
    for k, v in net.state_dict().items():
        assert torch.equal(v, src[k]), k
    # the binary stage through the CLI
    assert train.main([*TINY, *common, "--init-from", str(tmp_path / "clip" / "ckpt.pt"),
                       "--out", str(tmp_path / "bin")]) == 0
    with pytest.raises(CheckpointError, match="no tensor matches"):
        train.init_from(build("vdsr_fp_x2_c64_b8"), tmp_path / "clip" / "ckpt.pt")


# ---------------------------------------------------------------- ABC-Net
def _abc(m, n, seed=0):
    torch.manual_seed(seed)
    conv = ABCConv2d(6, 4, 3, weight_bases=m, act_bases=n, grid_frac_bits=5)
    with torch.no_grad():
        conv.log2_alpha.copy_(torch.tensor([-4.3, -2.6, -5.0][:m]))
        conv.log2_beta.copy_(torch.tensor([0.2, -1.4, -3.0][:n]))
        conv.theta.copy_(torch.tensor([-0.41, 0.07, 0.5][:n]))
    return conv


def _abc_reference(conv, x):
    """numpy int64 recomputation of y = sum_mn alpha_m beta_n conv(sign(x - theta_n), B_m)."""
    w = conv.weight.detach().double().numpy()
    wc, sd = w - w.mean(), w.std(ddof=1)
    m, n = len(conv.log2_alpha), len(conv.log2_beta)
    u = np.linspace(-1, 1, m) if m > 1 else np.zeros(1)
    bases = [np.where(wc + ui * sd >= 0, 1, -1).astype(np.int64) for ui in u]
    grid = 2.0 ** -5
    theta = np.floor(conv.theta.detach().double().numpy() / grid + 0.5) * grid
    ea = np.floor(np.clip(conv.log2_alpha.detach().double().numpy(), -16, 8) + 0.5)
    eb = np.floor(np.clip(conv.log2_beta.detach().double().numpy(), -8, 8) + 0.5)
    xs = x.double().numpy()[0]
    c, h, wd = xs.shape
    y = np.zeros((bases[0].shape[0], h, wd))
    for j in range(n):
        a = np.pad(np.where(xs >= theta[j], 1, -1), ((0, 0), (1, 1), (1, 1)), constant_values=-1)
        for i, b in enumerate(bases):
            acc = np.zeros((b.shape[0], h, wd), dtype=np.int64)
            for dy in range(3):
                for dx in range(3):
                    acc += np.einsum("oc,chw->ohw", b[:, :, dy, dx], a[:, dy:dy + h, dx:dx + wd])
            y += acc * 2.0 ** (ea[i] + eb[j])
    return y[None]


@pytest.mark.parametrize("m,n", [(1, 1), (2, 3), (3, 2)])
def test_abc_conv_equals_independent_integer_recomputation(m, n):
    conv = _abc(m, n)
    # inputs on the residual grid (2^-5), ties with the thresholds included
    x = torch.randint(-128, 128, (1, 6, 7, 7), generator=torch.Generator().manual_seed(m * 10 + n)).float() / 32
    x[0, 0, 0, :3] = conv.thresholds().detach()[0]
    y = conv(x)
    assert y.shape == (1, 4, 7, 7)
    assert np.array_equal(y.detach().double().numpy(), _abc_reference(conv, x))


def test_abc_coefficients_are_powers_of_two_and_thresholds_on_grid():
    conv = _abc(3, 3)
    c = conv.coefficients().detach()
    assert c.shape == (3, 3) and torch.equal(c, 2.0 ** torch.round(torch.log2(c)))
    th = conv.thresholds().detach() * 32
    assert torch.equal(th, torch.round(th))


def test_abc_gradients_reach_weights_shifts_and_coefficients():
    conv = _abc(2, 3)
    x = torch.randn(2, 6, 7, 7, generator=torch.Generator().manual_seed(5))
    conv(x).pow(2).mean().backward()
    for name in ("weight", "theta", "log2_alpha", "log2_beta"):
        g = getattr(conv, name).grad
        assert g is not None and g.abs().sum() > 0, name


def test_abc_in_the_network_and_its_limits():
    net = build("edsr_btm_x2_c8_b1", weight_bases=2, act_bases=2)
    y = net(torch.randint(0, 256, (1, 3, 8, 8)).float())
    assert y.shape == (1, 3, 16, 16) and torch.equal(y, y.round())
    assert net.export_blockers() == []
    with pytest.raises(ValueError, match="binarize='full'"):
        build("edsr_btm_x2_c8_b1", weight_bases=2, binarize="act")
    with pytest.raises(ValueError, match="not of MRB"):
        build("edsr_mrb_x2_c8_b1", act_bases=2)


# ---------------------------------------------------------------- Real-to-Binary
def test_data_rescaling_depends_on_the_input_and_blocks_export():
    torch.manual_seed(0)
    net = build("edsr_btm_x2_c8_b1", rescale="data")
    blk = net.body[0]
    a, b = torch.randn(1, 8, 6, 6), 3 * torch.randn(1, 8, 6, 6) + 1
    assert not torch.equal(blk.rescale(a), blk.rescale(b))  # per frame, computed at run time
    net(torch.randint(0, 256, (1, 3, 8, 8)).float()).mean().backward()
    assert blk.rescale.gate[1].weight.grad.abs().sum() > 0
    why = net.export_blockers()
    assert len(why) == 1 and "data-driven" in why[0] and "input frame" in why[0]


def test_two_stage_schedule_with_attention_matching(tmp_path, hr_folder):
    """Real-to-Binary: stage 1 binary activations + real weights, stage 2 binary weights
    initialised from stage 1, both matching the teacher's attention maps."""
    d = ["--data", str(hr_folder), "--steps", "2", "--val-every", "2"]
    assert train.main(["--arch", "edsr_fp_x2_c8_b1", "--batch", "2", "--patch", "12", "--quiet",
                       *d, "--out", str(tmp_path / "t")]) == 0
    kd = ["--teacher", str(tmp_path / "t" / "ckpt.pt"), "--kd", "attention"]
    assert train.main([*TINY, *d, *kd, "--binarize", "act", "--out", str(tmp_path / "s1")]) == 0
    assert train.main([*TINY, *d, *kd, "--init-from", str(tmp_path / "s1" / "ckpt.pt"),
                       "--out", str(tmp_path / "s2")]) == 0
    s1 = torch.load(tmp_path / "s1" / "ckpt.pt", weights_only=False)
    s2 = torch.load(tmp_path / "s2" / "ckpt.pt", weights_only=False)
    assert s1["config"]["binarize"] == "act" and s2["config"].get("binarize", "full") == "full"
