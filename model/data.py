# SPDX-License-Identifier: MIT
"""Images in, HR/LR pairs out: loading, bicubic degradation, crops, and test-set layouts.

Sampling is a pure function of ``(seed, step, rank)``, so a resumed run draws exactly the
patches an uninterrupted run draws, without saving any RNG state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import DatasetError, ImageError

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}

#: scikit-image's bundled sample photographs (shipped in the wheel, no download):
#: the built-in default data of the README's main command.
BUILTIN_TRAIN = ("astronaut", "coffee", "rocket", "hubble_deep_field", "colorwheel", "camera",
                 "coins", "retina")
BUILTIN_VAL = ("chelsea", "immunohistochemistry")


def load_rgb(path: Path) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8; greyscale is replicated to 3 channels."""
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"image {path} does not exist")
    try:
        with Image.open(path) as im:
            im.load()
            arr = _to_rgb8(im)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ImageError(f"image {path} is corrupt or not an image ({e}); "
                         "remove it or replace it with a valid PNG/JPEG") from e
    return arr


def _to_rgb8(im: Image.Image) -> np.ndarray:
    """A PIL image in any mode as (H, W, 3) uint8: 16-bit and 32-bit integer greyscale
    (``I;16*``, ``I``) scaled from their full range, not clipped (PIL's ``convert("RGB")``
    saturates them to white), float greyscale (``F``) taken as [0, 1]; palette, RGBA, LA,
    CMYK through PIL's conversion."""
    if im.mode.startswith("I;16") or im.mode == "I":
        a = np.asarray(im).astype(np.int64)
        if a.min() < 0 or a.max() > 65535:
            raise ValueError(f"{im.mode} pixel values outside 0..65535")
        full = 65535 if (im.mode.startswith("I;16") or a.max() > 255) else 255
        g = np.round(a * 255.0 / full).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[:, :, None], 3, axis=2))
    if im.mode == "F":
        a = np.nan_to_num(np.asarray(im, dtype=np.float64))
        g = np.round(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[:, :, None], 3, axis=2))
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def usable_training_images(names, images, crop: int, warn=None) -> tuple[list, list]:
    """Drop the pictures training cannot use, each named in a warning: smaller than the HR
    crop, or uniform (no contrast: a zero std). Raises DatasetError when none is left."""
    import sys

    warn = warn or (lambda m: print(f"warning: {m}", file=sys.stderr))
    keep_n, keep_i = [], []
    for n, im in zip(names, images):
        if im.shape[0] < crop or im.shape[1] < crop:
            warn(f"skipping {n}: {im.shape[1]}x{im.shape[0]} is smaller than the {crop}x{crop} "
                 "HR crop")
        elif int(im.max()) == int(im.min()):
            warn(f"skipping {n}: a uniform picture (every pixel {int(im.flat[0])})")
        else:
            keep_n.append(n)
            keep_i.append(im)
    if not keep_i:
        raise DatasetError(f"no usable training picture among {len(names)} (each is uniform or "
                           f"smaller than the {crop}x{crop} HR crop); add real photographs or "
                           "use a smaller --patch")
    return keep_n, keep_i


def to_rgb(arr: np.ndarray) -> np.ndarray:
    """Greyscale (H, W) / RGBA (H, W, 4) / RGB array to (H, W, 3) uint8."""
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.shape[2] == 4:
        arr = arr[:, :, :3]
    return np.ascontiguousarray(arr.astype(np.uint8))


def bicubic_resize(img: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """Bicubic resize of (H, W, 3) uint8 with antialiasing (PIL, close to MATLAB imresize)."""
    h, w = size_hw
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BICUBIC), dtype=np.uint8)


def downscale(hr: np.ndarray, scale: int) -> np.ndarray:
    """HR (cropped to a multiple of ``scale``) to LR by bicubic downsampling."""
    h, w = hr.shape[0] // scale, hr.shape[1] // scale
    return bicubic_resize(hr[: h * scale, : w * scale], (h, w))


def list_images(folder: Path) -> list[Path]:
    """Image files of a folder, sorted; a clear error if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"data folder {folder} does not exist")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS)
    if not files:
        raise DatasetError(f"data folder {folder} holds no images ({', '.join(sorted(IMAGE_EXTS))})")
    return files


def builtin_images(names=BUILTIN_TRAIN) -> list[tuple[str, np.ndarray]]:
    """scikit-image's bundled photographs as (name, RGB uint8) pairs."""
    from skimage import data as skdata

    return [(n, to_rgb(getattr(skdata, n)())) for n in names]


def load_hr_folder(folder: Path | None) -> list[tuple[str, np.ndarray]]:
    """Training HR images: a folder (``DIR`` or ``DIR/HR``), or the built-in set if None."""
    if folder is None:
        return builtin_images()
    folder = Path(folder)
    if (folder / "HR").is_dir():
        folder = folder / "HR"
    return [(p.name, load_rgb(p)) for p in list_images(folder)]


class PatchSampler:
    """Random HR/LR training patches: crop, flips, 90° rotations, bicubic LR on the fly.

    Args:
        images: HR images (H, W, 3) uint8.
        scale: SR factor.
        lr_patch: LR patch side; the HR crop is ``lr_patch * scale``.
        batch: patches per step.
        seed: base seed; a batch depends only on (seed, step, rank).
        hr_input: VDSR-style: the input is the bicubic-upscaled LR patch (HR size).
        names: image names for error messages.
    """

    def __init__(self, images, scale: int, lr_patch: int, batch: int, seed: int = 0,
                 hr_input: bool = False, names=None):
        self.images, self.scale, self.lr_patch, self.batch = images, scale, lr_patch, batch
        self.seed, self.hr_input = seed, hr_input
        hp = lr_patch * scale
        names = names or [f"#{i}" for i in range(len(images))]
        for n, im in zip(names, images):
            if im.shape[0] < hp or im.shape[1] < hp:
                raise ImageError(f"image {n} is {im.shape[1]}x{im.shape[0]}, smaller than the "
                                 f"{hp}x{hp} HR crop (patch {lr_patch} x scale {scale}); "
                                 "use a smaller --patch or remove the image")

    def batch_at(self, step: int, rank: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(lr, hr) uint8 arrays of shape (B, 3, h, w) for this step and rank."""
        rng = np.random.default_rng([self.seed, step, rank])
        hp = self.lr_patch * self.scale
        lrs, hrs = [], []
        for _ in range(self.batch):
            im = self.images[rng.integers(len(self.images))]
            y = rng.integers(im.shape[0] - hp + 1)
            x = rng.integers(im.shape[1] - hp + 1)
            hr = im[y: y + hp, x: x + hp]
            if rng.random() < 0.5:
                hr = hr[:, ::-1]
            if rng.random() < 0.5:
                hr = hr[::-1]
            hr = np.ascontiguousarray(np.rot90(hr, rng.integers(4)))
            lr = downscale(hr, self.scale)
            if self.hr_input:
                lr = bicubic_resize(lr, hr.shape[:2])
            lrs.append(lr.transpose(2, 0, 1))
            hrs.append(hr.transpose(2, 0, 1))
        return np.stack(lrs), np.stack(hrs)


def dataset_stats(images) -> tuple[list[float], list[float]]:
    """Per-channel RGB mean and std in [0, 1] over a list of images."""
    px = np.concatenate([im.reshape(-1, 3) for im in images]).astype(np.float64) / 255.0
    return px.mean(0).tolist(), px.std(0).tolist()


# ---------------------------------------------------------------- test-set layouts
@dataclass
class Pair:
    name: str
    hr: np.ndarray
    lr: np.ndarray


def _num(p: Path) -> str:
    m = re.match(r"(.*?)(x\d)?$", p.stem)
    return m.group(1) if m else p.stem


def find_pairs(data: Path, scale: int) -> list[tuple[Path, Path]]:
    """HR/LR file pairs in either layout.

    - ``../shared/datasets``: ``DIR/x{S}/HR/*.png`` + ``DIR/x{S}/LR/*.png`` (or ``DIR/HR``,
      ``DIR/LR`` when DIR is already the ``x{S}`` folder);
    - DIV2K: ``DIR/DIV2K_valid_HR/0801.png`` + ``DIR/DIV2K_valid_LR_bicubic/X{S}/0801x{S}.png``
      (``train`` instead of ``valid`` works too).
    """
    data = Path(data)
    if not data.is_dir():
        raise DatasetError(f"data folder {data} does not exist")
    for base in (data / f"x{scale}", data):
        if (base / "HR").is_dir() and (base / "LR").is_dir():
            hr_dir, lr_dir = base / "HR", base / "LR"
            break
    else:
        hr_dirs = sorted(data.glob("DIV2K_*_HR"))
        if not hr_dirs:
            raise DatasetError(
                f"{data}: no x{scale}/HR + x{scale}/LR folders and no DIV2K_*_HR folder; "
                "expected the ../shared/datasets layout or the DIV2K layout")
        hr_dir = hr_dirs[0]
        lr_dir = data / hr_dir.name.replace("_HR", "_LR_bicubic") / f"X{scale}"
        if not lr_dir.is_dir():
            raise DatasetError(f"{data}: DIV2K LR folder {lr_dir} is missing for x{scale}")
    lr_by_key = {_num(p): p for p in list_images(lr_dir)}
    pairs = []
    for hp in list_images(hr_dir):
        lp = lr_by_key.get(_num(hp))
        if lp is None:
            raise DatasetError(f"HR image {hp} has no LR partner in {lr_dir}")
        pairs.append((hp, lp))
    return pairs


def load_pairs(data: Path | None, scale: int) -> list[Pair]:
    """Test pairs from a folder, or the built-in validation images (LR made by bicubic)."""
    if data is None:
        out = []
        for n, im in builtin_images(BUILTIN_VAL):
            h, w = (im.shape[0] // scale) * scale, (im.shape[1] // scale) * scale
            im = im[:h, :w]
            out.append(Pair(n, im, downscale(im, scale)))
        return out
    out = []
    for hp, lp in find_pairs(data, scale):
        hr, lr = load_rgb(hp), load_rgb(lp)
        # the standard crop: HR to a multiple of the scale; then it must be scale x LR
        hr = hr[: hr.shape[0] // scale * scale, : hr.shape[1] // scale * scale]
        if hr.shape[0] != lr.shape[0] * scale or hr.shape[1] != lr.shape[1] * scale:
            raise ImageError(f"pair {hp.name}: HR {hp} ({hr.shape[1]}x{hr.shape[0]} after the crop "
                             f"to a multiple of {scale}) is not x{scale} of LR {lp} "
                             f"({lr.shape[1]}x{lr.shape[0]}); regenerate the LR or fix --scale")
        out.append(Pair(hp.name, hr, lr))
    return out
