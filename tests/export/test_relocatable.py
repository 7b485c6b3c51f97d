# SPDX-License-Identifier: MIT
"""A build exported with relative paths works from any working directory: its config holds
the checkpoint's absolute path and its own paths relative to itself ("out" is "."), and the
report loader, the RTL simulation and hw.upscale find the checkpoint."""
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.builds import tiny_build


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    import os

    root = tmp_path_factory.mktemp("reloc")
    cwd = os.getcwd()
    os.chdir(root)
    try:  # relative paths, as a user types them
        b = tiny_build(Path("work"))
    finally:
        os.chdir(cwd)
    return root / b


def test_config_paths(build):
    from export.config import build_config

    cfg = json.loads((build / "config.json").read_text())
    assert Path(cfg["ckpt"]).is_absolute() and Path(cfg["ckpt"]).is_file()
    assert cfg["out"] == "."          # the build itself, wherever it lies
    assert Path(build_config(build)["out"]) == build.resolve()


@pytest.mark.rtlsim
def test_build_used_from_another_directory(build, tmp_path, monkeypatch):
    from hw import upscale
    from reports.data import load_build

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_build(build).scale == 2
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)).save("in.png")
    assert upscale.main(["--build", str(build), "in.png", "out.png"]) == 0
    rec = json.loads(Path("out.json").read_text())
    assert rec["mismatches"] == 0 and rec["tiles"] == 1 and Image.open("out.png").size == (24, 24)
