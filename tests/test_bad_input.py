# SPDX-License-Identifier: MIT
"""Bad input at every command: exit code 2, one line on stderr naming the culprit, no
traceback, nothing that looks finished; and the picture kinds that must work do."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from export import to_finn
from hw import run_network, stitch, synth, upscale
from model import evaluate, train
from model.data import load_rgb

TINY = ["--arch", "edsr_btm_x2_c8_b1", "--batch", "2", "--patch", "12", "--quiet"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A tiny checkpoint, a finished build of it, pictures and folders of every bad kind."""
    root = tmp_path_factory.mktemp("bad")
    assert train.main([*TINY, "--steps", "1", "--val-every", "1", "--out", str(root / "run")]) == 0
    ck = root / "run" / "ckpt.pt"
    b = root / "build"
    assert to_finn.main(["--ckpt", str(ck), "--out", str(b), "--input-hw", "12", "12",
                         "--golden-real", "0", "--golden-random", "1", "--target-fps", "50000",
                         "--no-cppsim"]) == 0
    rng = np.random.default_rng(0)
    (root / "uniform").mkdir()
    for i in range(2):
        Image.fromarray(np.full((40, 40, 3), 128, np.uint8)).save(root / "uniform" / f"u{i}.png")
    (root / "corrupt").mkdir()
    (root / "corrupt" / "bad.png").write_bytes(b"\x89PNG not really")
    (root / "empty").mkdir()
    (root / "notbuild").mkdir()
    (root / "notbuild" / "notes.txt").write_text("x")
    failed = root / "failed"
    shutil.copytree(b, failed)
    (failed / "FAILED.txt").write_text("step xnor: ExportError: something\n")
    (failed / "DONE").unlink()
    unfinished = root / "unfinished"
    shutil.copytree(b, unfinished)
    (unfinished / "DONE").unlink()
    (root / "afile").write_text("x")
    (root / "fold_unknown.json").write_text(json.dumps({"NoSuchNode_0": {"PE": 2}}))
    (root / "fold_bad.json").write_text("{not json")
    (root / "fold_pe.json").write_text(json.dumps({"MVAU_hls_1": {"PE": 7}}))
    # an HR/LR pair whose LR is the whole HR shrunk (not HR / 2)
    pairs = root / "pairs" / "x2"
    (pairs / "HR").mkdir(parents=True)
    (pairs / "LR").mkdir()
    hr = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    Image.fromarray(hr).save(pairs / "HR" / "img_001.png")
    Image.fromarray(hr).resize((24, 24)).save(pairs / "LR" / "img_001.png")
    Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(root / "small.png")
    return {"root": root, "ckpt": ck, "build": b}


def S(env, key):
    """A path of the environment as a string ("root/NAME" for anything under root)."""
    return str(env[key]) if key in env else str(env["root"] / key)


# (id, command main, argv builder, a word the line must contain)
CASES = [
    ("train-patch-0", train.main, lambda e: [*TINY, "--patch", "0", "--out", S(e, "t1")], "--patch"),
    ("train-batch-0", train.main, lambda e: [*TINY, "--batch", "0", "--out", S(e, "t2")], "--batch"),
    ("train-steps-0", train.main, lambda e: [*TINY, "--steps", "0", "--out", S(e, "t3")], "--steps"),
    ("train-steps-negative", train.main, lambda e: [*TINY, "--steps", "-5", "--out", S(e, "t4")], "--steps"),
    ("train-lr-0", train.main, lambda e: [*TINY, "--lr", "0", "--out", S(e, "t5")], "--lr"),
    ("train-steps-text", train.main, lambda e: [*TINY, "--steps", "many", "--out", S(e, "t6")], "--steps"),
    ("train-unknown-arch", train.main, lambda e: ["--arch", "edsr_xyz_x2", "--out", S(e, "t7")], "edsr_xyz_x2"),
    ("train-missing-data", train.main, lambda e: [*TINY, "--data", S(e, "nope"), "--out", S(e, "t8")], "nope"),
    ("train-empty-data", train.main, lambda e: [*TINY, "--data", S(e, "empty"), "--out", S(e, "t9")], "empty"),
    ("train-uniform-pictures", train.main, lambda e: [*TINY, "--data", S(e, "uniform"), "--steps", "1",
                                                      "--out", S(e, "t10")], "uniform"),
    ("train-corrupt-picture", train.main, lambda e: [*TINY, "--data", S(e, "corrupt"), "--out", S(e, "t11")], "bad.png"),
    ("train-resume-nothing", train.main, lambda e: [*TINY, "--resume", "--out", S(e, "t12")], "--resume"),
    ("train-patch-too-big", train.main, lambda e: [*TINY, "--patch", "4000", "--steps", "1",
                                                   "--out", S(e, "t13")], "crop"),
    ("eval-missing-ckpt", evaluate.main, lambda e: ["--ckpt", S(e, "none.pt")], "none.pt"),
    ("eval-missing-data", evaluate.main, lambda e: ["--ckpt", S(e, "ckpt"), "--data", S(e, "nope")], "nope"),
    ("eval-pair-not-x2", evaluate.main, lambda e: ["--ckpt", S(e, "ckpt"), "--data", S(e, "pairs")], "img_001"),
    ("eval-wrong-scale", evaluate.main, lambda e: ["--ckpt", S(e, "ckpt"), "--scale", "3"], "scale"),
    ("eval-scale-0", evaluate.main, lambda e: ["--ckpt", S(e, "ckpt"), "--scale", "0"], "--scale"),
    ("export-fps-negative", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x1"),
                                                     "--target-fps", "-100"], "--target-fps"),
    ("export-fps-0", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x2"),
                                              "--target-fps", "0"], "--target-fps"),
    ("export-input-hw-0", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x3"),
                                                   "--input-hw", "0", "0"], "--input-hw"),
    ("export-input-hw-negative", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x4"),
                                                          "--input-hw", "-4", "8"], "--input-hw"),
    ("export-verify-hw-0", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x5"),
                                                    "--verify-hw", "0", "12"], "--verify-hw"),
    ("export-clock-0", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x6"),
                                                "--clock-ns", "0"], "--clock-ns"),
    ("export-out-is-file", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "afile")], "afile"),
    ("export-out-not-a-build", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "notbuild")],
     "notbuild"),
    ("export-missing-ckpt", to_finn.main, lambda e: ["--ckpt", S(e, "none.pt"), "--out", S(e, "x7")], "none.pt"),
    ("export-missing-folding", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x8"),
                                                        "--folding", S(e, "nofold.json")], "nofold.json"),
    ("export-folding-not-json", to_finn.main, lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x9"),
                                                         "--folding", S(e, "fold_bad.json")], "fold_bad.json"),
    ("export-folding-unknown-nodes", to_finn.main,
     lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x10"), "--input-hw", "12", "12",
                "--golden-real", "0", "--folding", S(e, "fold_unknown.json")], "NoSuchNode_0"),
    ("export-folding-pe-not-dividing", to_finn.main,
     lambda e: ["--ckpt", S(e, "ckpt"), "--out", S(e, "x11"), "--input-hw", "12", "12",
                "--golden-real", "0", "--folding", S(e, "fold_pe.json")], "MVAU_hls_1"),
    ("run-missing-build", run_network.main, lambda e: ["--build", S(e, "nope")], "nope"),
    ("run-empty-dir", run_network.main, lambda e: ["--build", S(e, "empty")], "empty"),
    ("run-not-a-build", run_network.main, lambda e: ["--build", S(e, "notbuild")], "notbuild"),
    ("run-failed-export", run_network.main, lambda e: ["--build", S(e, "failed")], "failed"),
    ("run-unfinished-export", run_network.main, lambda e: ["--build", S(e, "unfinished")], "DONE"),
    ("run-pause-1.5", run_network.main, lambda e: ["--build", S(e, "build"), "--pause-in", "1.5"], "--pause-in"),
    ("run-missing-image", run_network.main, lambda e: ["--build", S(e, "build"), "--image", S(e, "no.png")],
     "no.png"),
    ("run-image-too-small", run_network.main, lambda e: ["--build", S(e, "build"), "--image", S(e, "small.png")],
     "small.png"),
    ("stitch-missing-build", stitch.main, lambda e: ["--build", S(e, "nope"), "--out", S(e, "s1")], "nope"),
    ("stitch-failed-export", stitch.main, lambda e: ["--build", S(e, "failed"), "--out", S(e, "s2")], "failed"),
    ("stitch-unfinished", stitch.main, lambda e: ["--build", S(e, "unfinished"), "--out", S(e, "s3")], "DONE"),
    ("upscale-missing-picture", upscale.main, lambda e: ["--build", S(e, "build"), S(e, "no.png"), S(e, "o1.png")],
     "no.png"),
    ("upscale-picture-smaller", upscale.main, lambda e: ["--build", S(e, "build"), S(e, "small.png"),
                                                         S(e, "o2.png")], "smaller"),
    ("upscale-not-a-build", upscale.main, lambda e: ["--build", S(e, "notbuild"), S(e, "small.png"),
                                                     S(e, "o3.png")], "notbuild"),
    ("synth-missing-build", synth.main, lambda e: ["--build", S(e, "nope")], "nope"),
    ("synth-freq-0", synth.main, lambda e: ["--build", S(e, "build"), "--freq", "0"], "--freq"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_one_clear_line(env, case, capsys):
    name, main, argv, culprit = case
    try:
        code = main(argv(env))
    except SystemExit as e:  # argparse's own checks
        code = e.code
    err = capsys.readouterr().err
    lines = [l for l in err.strip().splitlines() if l.strip() and not l.startswith("warning:")]
    assert code == 2, f"{name}: exit {code}\n{err}"
    assert "Traceback" not in err, err
    assert len(lines) == 1, f"{name}: {len(lines)} lines:\n{err}"
    assert culprit.lower() in lines[0].lower(), lines[0]
    # nothing that looks finished
    for out in ("x1", "x2", "x3", "x10", "x11", "notbuild", "t10", "t13"):
        p = env["root"] / out
        assert not (p / "DONE").exists() and not (p / "ckpt.pt").exists()
    for png in ("o1.png", "o2.png", "o3.png"):
        assert not (env["root"] / png).exists()


def test_failed_export_names_the_step_and_leaves_no_done(env, tmp_path):
    fold = tmp_path / "fold"
    assert to_finn.main(["--ckpt", str(env["ckpt"]), "--out", str(fold), "--input-hw", "12", "12",
                         "--golden-real", "0", "--folding", str(env["root"] / "fold_unknown.json")]) == 2
    assert (fold / "FAILED.txt").read_text().startswith("step fold:")
    assert not (fold / "DONE").exists()


def test_interrupted_export_leaves_failed_txt(env, monkeypatch, capsys):
    import export.flow as flow

    def interrupt(model, ctx):
        raise KeyboardInterrupt

    steps = list(flow.STEPS)
    steps[4] = (steps[4][0], interrupt)
    monkeypatch.setattr(flow, "STEPS", steps)
    out = env["root"] / "interrupted"
    assert to_finn.main(["--ckpt", str(env["ckpt"]), "--out", str(out), "--input-hw", "12", "12",
                         "--golden-real", "0", "--target-fps", "50000"]) == 130
    assert (out / "FAILED.txt").read_text().strip() == f"step {steps[4][0]}: interrupted (KeyboardInterrupt)"
    assert not (out / "DONE").exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_new_export_replaces_the_previous_build_whole(env, tmp_path):
    out = tmp_path / "b"
    shutil.copytree(env["build"], out)
    (out / "rtl").mkdir(exist_ok=True)
    (out / "rtl" / "stale.sv").write_text("// old")
    assert to_finn.main(["--ckpt", str(env["ckpt"]), "--out", str(out), "--input-hw", "8", "8",
                         "--golden-real", "0", "--target-fps", "50000", "--no-cppsim"]) == 0
    assert not (out / "rtl").exists()
    assert json.loads((out / "config.json").read_text())["input_hw"] == [8, 8]
    assert len(list((out / "partitions").glob("*.onnx"))) == 1


# ---------------------------------------------------------------- pictures that must work
def _save(tmp, name, arr, mode=None):
    p = tmp / name
    (Image.fromarray(arr, mode) if mode else Image.fromarray(arr)).save(p)
    return p


def test_16_bit_greyscale_is_scaled_not_clipped(tmp_path):
    a = np.array([[0, 257 * 100], [65535, 257 * 200]], dtype=np.uint16)
    p = _save(tmp_path, "g16.png", a)
    assert Image.open(p).mode.startswith("I")
    got = load_rgb(p)
    assert got.shape == (2, 2, 3) and got[..., 0].tolist() == [[0, 100], [255, 200]]


@pytest.mark.parametrize("kind", ["grey8", "palette", "rgba", "la"])
def test_picture_kinds_load(tmp_path, kind):
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    if kind == "grey8":
        p = _save(tmp_path, "g.png", rgb[..., 0])
        assert np.array_equal(load_rgb(p)[..., 2], rgb[..., 0])
    elif kind == "palette":
        im = Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=256)
        im.save(tmp_path / "p.png")
        assert np.array_equal(load_rgb(tmp_path / "p.png"), np.asarray(im.convert("RGB")))
    elif kind == "rgba":
        a = np.concatenate([rgb, np.full((6, 5, 1), 200, np.uint8)], axis=2)
        assert np.array_equal(load_rgb(_save(tmp_path, "a.png", a)), rgb)
    else:
        a = np.stack([rgb[..., 0], np.full((6, 5), 255, np.uint8)], axis=2)
        assert np.array_equal(load_rgb(_save(tmp_path, "la.png", a, "LA"))[..., 1], rgb[..., 0])


def test_training_skips_degenerate_pictures_with_a_warning(tmp_path, capsys):
    d = tmp_path / "mixed"
    d.mkdir()
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(d / "real.png")
    Image.fromarray(np.full((40, 40, 3), 255, np.uint8)).save(d / "white.png")
    Image.fromarray(rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)).save(d / "tiny.png")
    assert train.main([*TINY, "--data", str(d), "--steps", "1", "--val-every", "1",
                       "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "white.png" in err and "tiny.png" in err and "real.png" not in err
