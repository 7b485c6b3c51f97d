# SPDX-License-Identifier: MIT
"""Loaders and derived figures for the notebooks (they plot; this module reads and computes).

Every number comes from files the flow wrote: ``estimates.json`` and ``config.json`` of an
export build, ``rtl_run/rtl_run.json`` of an RTL run, ``synth/{xilinx,ecp5}/synth.json`` of
``python -m hw.synth``, ``rtl_figures.json`` of the single-core synthesis benchmark.
Nothing is retyped.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: capacity of a few common parts (LUT, 18 kb BRAM, DSP), from the vendors' product tables
PARTS = {
    "xc7z020": {"LUT": 53200, "BRAM_18K": 280, "DSP": 220},
    "xczu3eg": {"LUT": 70560, "BRAM_18K": 432, "DSP": 360},
    "xczu7ev": {"LUT": 230400, "BRAM_18K": 624, "DSP": 1728},
}

#: output resolutions for the frame-rate question (width, height)
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}


@dataclass
class Build:
    path: Path
    config: dict
    estimates: dict
    rtl: dict | None
    scale: int
    synth: dict = None       # target -> synth.json of python -m hw.synth (when it ran)

    @property
    def name(self) -> str:
        fps = self.config.get("target_fps")
        return f"{self.path.name}" + (f" (target {fps:g} fps)" if fps else " (unfolded)")

    @property
    def lr_pixels(self) -> int:
        h, w = self.config["input_hw"]
        return h * w

    def cycles_per_lr_pixel(self) -> float:
        """Bottleneck cycles per input (LR) pixel: the dataflow streams pixel by pixel, so
        the frame time scales with the pixel count."""
        return self.estimates["totals"]["bottleneck_cycles"] / self.lr_pixels

    def output_pixels_per_s(self) -> float:
        clk = 1e9 / self.estimates["clock_ns"]
        return clk / self.cycles_per_lr_pixel() * self.scale ** 2

    def fps_at(self, out_w: int, out_h: int) -> float:
        """Frames/s for an output resolution (LR = output / scale), at the build's folding."""
        return self.output_pixels_per_s() / (out_w * out_h)


def builds_from_env(default_glob: str = "build/*") -> list[Path]:
    """Build directories named in ``REPORT_BUILDS`` (os.pathsep-separated), else ``build/*``."""
    env = os.environ.get("REPORT_BUILDS")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return sorted(p for p in ROOT.glob(default_glob) if (p / "estimates.json").is_file())


def load_build(path: Path) -> Build:
    path = Path(path)
    from export.config import build_config

    cfg = build_config(path)
    est = json.loads((path / "estimates.json").read_text())
    rtl_file = path / "rtl_run" / "rtl_run.json"
    rtl = json.loads(rtl_file.read_text()) if rtl_file.is_file() else None
    synth = {t: json.loads((path / "synth" / t / "synth.json").read_text())
             for t in ("xilinx", "ecp5") if (path / "synth" / t / "synth.json").is_file()}
    from model.registry import load_checkpoint

    scale = load_checkpoint(Path(cfg["ckpt"]))["config"]["scale"]
    return Build(path, cfg, est, rtl, scale, synth)


def rtl_figures(path: Path | None = None) -> dict | None:
    """The synthesis benchmark's JSON (``benchmarks/rtl_figures.py``), if it was run."""
    p = Path(path) if path else Path(os.environ.get("REPORT_RTL_FIGURES", ROOT / "build" / "rtl_figures.json"))
    return json.loads(p.read_text()) if p.is_file() else None


def utilisation(totals: dict) -> dict:
    """Fraction of each part's LUT/BRAM/DSP that a build's totals use."""
    return {part: {k: totals[k] / cap[k] for k in cap} for part, cap in PARTS.items()}


#: the recorded run of ``benchmarks/video_points.py`` that docs/benchmarks.md describes (its
#: provenance inside): what the notebook shows where this checkout has no run of its own
RECORDED_VIDEO_POINTS = ROOT / "docs" / "video_points.json"


def video_points(path: Path | None = None) -> dict | None:
    """``points.json`` of ``benchmarks/video_points.py`` (design points per output resolution),
    from ``REPORT_VIDEO_POINTS`` or ``build/video_points``, else the recorded run
    (``RECORDED_VIDEO_POINTS``, marked ``"recorded": True``); None when there is none."""
    p = Path(path) if path else Path(os.environ.get("REPORT_VIDEO_POINTS",
                                                    ROOT / "build" / "video_points" / "points.json"))
    if p.is_file():
        return json.loads(p.read_text())
    if path is None and "REPORT_VIDEO_POINTS" not in os.environ and RECORDED_VIDEO_POINTS.is_file():
        return {**json.loads(RECORDED_VIDEO_POINTS.read_text()), "recorded": True}
    return None
