# SPDX-License-Identifier: MIT
"""FINN's environment for one build directory (shared by the export flow and the stitcher)."""
from __future__ import annotations

import os
from pathlib import Path


def finn_env(out: Path) -> None:
    """FINN needs an existing absolute ``FINN_BUILD_DIR`` and a settings file; keep both
    inside the build directory ``out``. An already set ``FINN_SETTINGS`` is respected."""
    tmp = (Path(out) / "finn_tmp").resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["FINN_BUILD_DIR"] = str(tmp)
    settings = (Path(out) / "finn_settings.yaml").resolve()
    if not settings.exists():
        settings.write_text("{}\n")
    os.environ.setdefault("FINN_SETTINGS", str(settings))
