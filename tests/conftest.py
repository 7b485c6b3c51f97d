# SPDX-License-Identifier: MIT
"""Shared fixtures: tiny images, the shared datasets when present, a quick trained model."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def shared_datasets() -> Path | None:
    """``../shared/datasets`` beside the checkout, or None where it is absent."""
    return SHARED if (SHARED / "Set5").is_dir() else None


def write_png(path: Path, arr: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
    return path


@pytest.fixture
def hr_folder(tmp_path) -> Path:
    """A folder of three small RGB and one greyscale HR photo-like images."""
    from skimage import data

    d = tmp_path / "hr"
    write_png(d / "a.png", data.astronaut()[100:196, 120:216])
    write_png(d / "b.png", data.coffee()[50:150, 200:300])
    write_png(d / "c.png", data.rocket()[0:90, 300:400])
    write_png(d / "grey.png", data.camera()[200:300, 200:300])  # 1-channel on purpose
    return d


@pytest.fixture
def pair_folder(tmp_path) -> Path:
    """A ../shared/datasets-style test set (x2/HR, x2/LR), one image greyscale."""
    from skimage import data

    from model.data import downscale, to_rgb

    d = tmp_path / "Tiny"
    for i, im in enumerate([data.chelsea()[:64, :80], data.camera()[:48, :64]]):
        hr = to_rgb(im)
        write_png(d / "x2" / "HR" / f"img_{i:03d}.png", im)
        write_png(d / "x2" / "LR" / f"img_{i:03d}.png", downscale(hr, 2))
    return d
