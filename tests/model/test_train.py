# SPDX-License-Identifier: MIT
"""Training and evaluation CLIs: resume exactness, DDP, distillation, bad input."""
import json
import os
import subprocess
import sys

import pytest
import torch

import model
from model import evaluate, train
from model.errors import CheckpointError, UnknownArchError
from model.registry import load_checkpoint

TINY = ["--arch", "edsr_btm_x2_c8_b1", "--batch", "2", "--patch", "12", "--quiet"]


def _run(out, *extra):
    return train.main([*TINY, "--out", str(out), *map(str, extra)])


def _state(path):
    ck = torch.load(path, weights_only=False)
    return ck


def _assert_same_state(a, b):
    assert a["step"] == b["step"]
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k
    sa, sb = a["optimizer"]["state"], b["optimizer"]["state"]
    assert sa.keys() == sb.keys()
    for i in sa:
        for k in sa[i]:
            assert torch.equal(sa[i][k], sb[i][k]), (i, k)
    assert a["scheduler"] == b["scheduler"]


@pytest.mark.parametrize("arch", ["edsr_btm_x2_c8_b1", "edsr_btm_x2_c8_b1_bintail"])
def test_resume_reaches_exactly_the_uninterrupted_state(tmp_path, hr_folder, arch):
    # the binary tail's learned α is a parameter Brevitas replaces on loading a state dict:
    # a resume that built its optimizer first stopped learning it (caught by this case)
    common = ["--data", hr_folder, "--steps", 8, "--ckpt-every", 2, "--val-every", 4,
              "--arch", arch]
    assert _run(tmp_path / "full", *common) == 0
    assert _run(tmp_path / "split", *common, "--stop-at", 5) == 0
    assert _state(tmp_path / "split" / "ckpt.pt")["step"] == 5
    assert _run(tmp_path / "split", *common, "--resume") == 0
    _assert_same_state(_state(tmp_path / "full" / "ckpt.pt"), _state(tmp_path / "split" / "ckpt.pt"))


def test_checkpoint_alone_rebuilds_the_model(tmp_path, hr_folder):
    run = tmp_path / "run"   # the training run's own folder (tmp_path holds the pictures)
    assert _run(run, "--data", hr_folder, "--steps", 2, "--val-every", 2) == 0
    net, ck = model.model_from_checkpoint(run / "ckpt.pt")
    assert ck["arch"] == "edsr_btm_x2_c8_b1" and ck["step"] == 2
    assert len(ck["config"]["mean"]) == 3  # the training set's own statistics
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["final"]["psnr"] > 0


def test_distillation_feature_and_attention(tmp_path, hr_folder):
    t = tmp_path / "teacher"
    assert train.main(["--arch", "edsr_fp_x2_c8_b1", "--batch", "2", "--patch", "12", "--quiet",
                       "--data", str(hr_folder), "--steps", "3", "--out", str(t)]) == 0
    for kd in ("feature", "attention"):
        assert _run(tmp_path / kd, "--data", hr_folder, "--steps", 3, "--teacher",
                    t / "ckpt.pt", "--kd", kd) == 0
    # a quantized teacher is refused
    assert _run(tmp_path / "bad", "--data", hr_folder, "--steps", 1, "--teacher",
                tmp_path / "feature" / "ckpt.pt") == 2


def test_feature_loss_is_zero_for_identical_features():
    f = [torch.randn(2, 4, 5, 5)]
    assert train.feature_loss(f, f, "feature") == 0
    assert train.feature_loss(f, f, "attention") < 1e-6
    assert train.feature_loss(f, [x + 1 for x in f], "feature") > 0


def test_ddp_two_processes_on_cpu(tmp_path, hr_folder):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "model.train", *TINY, "--data", str(hr_folder), "--steps", "3",
           "--val-every", "3", "--out", str(tmp_path / "run")]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["world_size"] == 2 and m["step"] == 3


# ---------------------------------------------------------------- bad input
def test_missing_and_corrupt_and_small_images(tmp_path, hr_folder, capsys):
    (tmp_path / "empty").mkdir()
    assert _run(tmp_path / "o1", "--data", tmp_path / "empty", "--steps", 1) == 2
    assert "holds no images" in capsys.readouterr().err
    assert _run(tmp_path / "o2", "--data", tmp_path / "nope", "--steps", 1) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = hr_folder / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert _run(tmp_path / "o3", "--data", hr_folder, "--steps", 1) == 2
    err = capsys.readouterr().err
    assert "broken.png" in err and "corrupt" in err
    bad.unlink()
    assert _run(tmp_path / "o4", "--data", hr_folder, "--steps", 1, "--patch", 64) == 2
    assert "smaller than the 128x128 HR crop" in capsys.readouterr().err
    assert not (tmp_path / "o4" / "ckpt.pt").exists()


def test_greyscale_images_work(tmp_path, hr_folder):
    for p in hr_folder.iterdir():
        if p.name != "grey.png":
            p.unlink()
    assert _run(tmp_path / "run", "--data", hr_folder, "--steps", 2, "--val-every", 2) == 0


def test_unknown_arch(tmp_path, capsys):
    assert train.main(["--arch", "edsr_btm_x5_c8_b1", "--out", str(tmp_path)]) == 2
    assert "unknown arch" in capsys.readouterr().err
    with pytest.raises(UnknownArchError):
        model.build("resnet50")


def test_checkpoint_errors(tmp_path, hr_folder, pair_folder, capsys):
    assert _run(tmp_path / "r", "--data", hr_folder, "--steps", 2, "--val-every", 2) == 0
    ck = tmp_path / "r" / "ckpt.pt"
    # another scale
    assert evaluate.main(["--ckpt", str(ck), "--scale", "3", "--data", str(pair_folder)]) == 2
    assert "x2 model, not x3" in capsys.readouterr().err
    # another arch on resume
    assert train.main(["--arch", "edsr_btm_x2_c16_b2", "--out", str(tmp_path / "r"), "--resume",
                       "--data", str(hr_folder), "--quiet"]) == 2
    assert "was trained with blocks=1, not 2 (--arch)" in capsys.readouterr().err
    # truncated
    trunc = tmp_path / "trunc.pt"
    trunc.write_bytes(ck.read_bytes()[:500])
    with pytest.raises(CheckpointError, match="truncated"):
        model.model_from_checkpoint(trunc)
    assert evaluate.main(["--ckpt", str(trunc)]) == 2
    assert "trunc.pt" in capsys.readouterr().err
    # missing
    with pytest.raises(CheckpointError, match="does not exist"):
        model.model_from_checkpoint(tmp_path / "none.pt")
    # resume without a checkpoint
    assert _run(tmp_path / "fresh", "--data", hr_folder, "--resume") == 2


def test_evaluate_table_and_json(tmp_path, hr_folder, pair_folder, capsys):
    assert _run(tmp_path / "r", "--data", hr_folder, "--steps", 2, "--val-every", 2) == 0
    out = tmp_path / "eval.json"
    assert evaluate.main(["--ckpt", str(tmp_path / "r" / "ckpt.pt"), "--data", str(pair_folder),
                          "--out", str(out)]) == 0
    table = capsys.readouterr().out
    assert "bicubic" in table and "edsr_btm_x2_c8_b1" in table
    res = json.loads(out.read_text())["results"]["Tiny"]
    assert len(res["images"]) == 2
    for k in ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim"):
        assert res["mean"][k] == pytest.approx(sum(r[k] for r in res["images"]) / 2)
    assert not list(tmp_path.glob("*.tmp"))


def test_div2k_layout(tmp_path):
    from skimage import data

    from model.data import downscale, find_pairs, load_pairs
    from tests.conftest import write_png

    hr = data.astronaut()[:64, :64]
    write_png(tmp_path / "DIV2K_valid_HR" / "0801.png", hr)
    write_png(tmp_path / "DIV2K_valid_LR_bicubic" / "X2" / "0801x2.png", downscale(hr, 2))
    assert len(find_pairs(tmp_path, 2)) == 1
    p = load_pairs(tmp_path, 2)[0]
    assert p.hr.shape == (64, 64, 3) and p.lr.shape == (32, 32, 3)


def test_train_or_resume_skips_finished_and_resumes_short_runs(tmp_path, hr_folder):
    common = [*TINY, "--data", str(hr_folder), "--val-every", "2", "--out", str(tmp_path / "run")]
    ck = train.train_or_resume([*common, "--steps", "3", "--stop-at", "2"])   # interrupted at 2
    assert _state(ck)["step"] == 2
    assert _state(train.train_or_resume([*common, "--steps", "3"]))["step"] == 3  # resumed
    before = ck.stat().st_mtime_ns
    assert train.train_or_resume([*common, "--steps", "3"]) == ck
    assert ck.stat().st_mtime_ns == before  # finished: not trained again


def test_overridden_configurations_get_their_own_name(tmp_path, hr_folder):
    """--arch edsr_mrb_x3_c32_b4 --channels 8 --blocks 1 is an edsr_mrb_x3_c8_b1 in the
    checkpoint, the evaluation table and the build; other overrides are appended."""
    assert train.main(["--arch", "edsr_mrb_x3_c32_b4", "--channels", "8", "--blocks", "1",
                       "--batch", "2", "--patch", "12", "--quiet", "--data", str(hr_folder),
                       "--steps", "1", "--val-every", "1", "--out", str(tmp_path / "a")]) == 0
    ck = load_checkpoint(tmp_path / "a" / "ckpt.pt")
    assert ck["arch"] == "edsr_mrb_x3_c8_b1"
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["arch"] == "edsr_mrb_x3_c8_b1"
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--residual-bits", "6",
                       "--residual-frac-bits", "3", "--batch", "2", "--patch", "12", "--quiet",
                       "--data", str(hr_folder), "--steps", "1", "--val-every", "1",
                       "--out", str(tmp_path / "b")]) == 0
    name = load_checkpoint(tmp_path / "b" / "ckpt.pt")["arch"]
    assert name == "edsr_btm_x2_c8_b1_residual_bits-6_residual_frac_bits-3"
    # the stock configuration keeps the registry name, and resumes under it
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--channels", "8", "--batch", "2",
                       "--patch", "12", "--quiet", "--data", str(hr_folder), "--steps", "1",
                       "--val-every", "1", "--out", str(tmp_path / "c")]) == 0
    assert load_checkpoint(tmp_path / "c" / "ckpt.pt")["arch"] == "edsr_btm_x2_c8_b1"


def test_freeze_scales_after_keeps_the_binary_tails_alpha_from_that_step(tmp_path, hr_folder):
    """--freeze-scales-after 3: the binary tail's learned α is the same at steps 3 and 6 while
    the other weights still learn (also across a resume); without it α moves."""
    key = "tail.weight_quant.tensor_quant.scaling_impl.value"
    common = ["--arch", "edsr_btm_x2_c8_b1_bintailm3", "--batch", "2", "--patch", "12", "--quiet",
              "--data", str(hr_folder), "--steps", "6", "--val-every", "6", "--lr", "0.05"]
    for freeze, out in ((["--freeze-scales-after", "3"], "frozen"), ([], "free")):
        run = str(tmp_path / out)
        assert train.main([*common, *freeze, "--out", run, "--stop-at", "3"]) == 0
        at3 = _state(tmp_path / out / "ckpt.pt")["model"]
        assert train.main([*common, *freeze, "--out", run, "--resume"]) == 0
        at6 = _state(tmp_path / out / "ckpt.pt")["model"]
        assert not torch.equal(at3["tail.weight"], at6["tail.weight"])
        assert torch.equal(at3[key], at6[key]) == bool(freeze), out
    assert train.freeze_scales(torch.nn.Linear(2, 2)) == 0
