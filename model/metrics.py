# SPDX-License-Identifier: MIT
"""PSNR and SSIM on the Y channel (ITU-R BT.601), ``scale`` pixels shaved: the SR protocol."""
from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB to BT.601 luma Y in [16, 235], float64."""
    x = img.astype(np.float64)
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def _shave(a: np.ndarray, s: int) -> np.ndarray:
    return a[s:-s, s:-s] if s > 0 else a


def psnr_y(hr: np.ndarray, sr: np.ndarray, shave: int) -> float:
    """PSNR (dB) of the Y channels of two (H, W, 3) uint8 images, ``shave`` border pixels off."""
    d = _shave(rgb_to_y(hr), shave) - _shave(rgb_to_y(sr), shave)
    mse = float(np.mean(d * d))
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0 ** 2 / mse)


def ssim_y(hr: np.ndarray, sr: np.ndarray, shave: int) -> float:
    """SSIM of the Y channels (Gaussian window sigma 1.5, as Wang et al.), border shaved."""
    a, b = _shave(rgb_to_y(hr), shave), _shave(rgb_to_y(sr), shave)
    return float(structural_similarity(a, b, data_range=255.0, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))
