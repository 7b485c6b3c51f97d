# SPDX-License-Identifier: MIT
"""The numeric contract (docs/design.md §3): float forward == independent integer recomputation."""
import numpy as np
import pytest
import torch

import model
from model.data import load_pairs
from model.intref import IntNet


def _spread(net, seed):
    """Move a fresh net off saturation so every code path (negative PReLU, ties) is hit."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        net.head.weight.mul_(0.5)
        net.tail.weight.mul_(0.05)
        for m in net.modules():
            if hasattr(m, "min_exp"):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * -5)
    return net


def _compare(net, images):
    inet = IntNet.from_net(net)
    n = mism = 0
    with torch.no_grad():
        for im in images:
            y = net(torch.from_numpy(im).float()[None])[0].numpy()
            ref = inet.forward(im)
            assert y.shape == ref.shape
            mism += int((y != ref).sum())  # equal integers, every element
            n += y.size
    return n, mism


def _random_images(shape, count, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(count)]


@pytest.fixture(scope="module")
def trained_default(tmp_path_factory):
    """The default arch trained briefly, so the weights are not only Xavier noise."""
    from model.train import main

    out = tmp_path_factory.mktemp("run")
    assert main(["--steps", "30", "--batch", "4", "--patch", "24", "--out", str(out),
                 "--val-every", "30", "--quiet"]) == 0
    net, _ = model.model_from_checkpoint(out / "ckpt.pt")
    return net


def _real_crops(shared_datasets, scale=2, size=40):
    pairs = load_pairs(shared_datasets / "Set5" if shared_datasets else None, scale)
    return [np.ascontiguousarray(p.lr[:size, :size].transpose(2, 0, 1)) for p in pairs]


def test_default_model_float_equals_integer_on_random_and_real(trained_default, shared_datasets):
    n, m = _compare(trained_default, _random_images((3, 24, 20), 3, 0))
    assert n == 3 * 3 * 48 * 40 and m == 0
    crops = _real_crops(shared_datasets)
    n, m = _compare(trained_default, crops)
    assert n > 0 and m == 0


@pytest.mark.parametrize("name", ["edsr_btm_x2_c32_b4", "edsr_btm_x3_c16_b2",
                                  "edsr_mrb_x2_c16_b2", "vdsr_btm_x4_c8_b1"])
def test_float_equals_integer_spread_weights(name, shared_datasets):
    torch.manual_seed(1)
    net = _spread(model.build(name).eval(), 1)
    shape = (3, 16, 18) if net.backbone == "edsr" else (3, 32, 36)
    n, m = _compare(net, _random_images(shape, 2, 1) + _real_crops(shared_datasets, size=16)[:2]
                    if net.backbone == "edsr" else _random_images(shape, 2, 1))
    assert m == 0
    # the spread weights reach values away from the clamps (the check is not vacuous)
    y = net(torch.from_numpy(_random_images(shape, 1, 2)[0]).float()[None])
    assert len(torch.unique(y)) > 8


def test_negative_control_one_flipped_weight_bit_is_caught(trained_default):
    inet = IntNet.from_net(trained_default)
    inet.blocks[0][1].signs[0, 0, 1, 1] *= -1  # flip one binary weight
    imgs = _random_images((3, 24, 20), 2, 3)
    with torch.no_grad():
        mism = sum(int((trained_default(torch.from_numpy(im).float()[None])[0].numpy()
                        != inet.forward(im)).sum()) for im in imgs)
    assert mism > 0

