# SPDX-License-Identifier: MIT
"""FINN's environment for one build directory (shared by the export flow and the stitcher)."""
from __future__ import annotations

import os
from pathlib import Path

#: a FINN_SETTINGS the user set before this process touched it (respected for every build)
_USER_SETTINGS = os.environ.get("FINN_SETTINGS")


def finn_env(out: Path) -> None:
    """FINN needs an existing absolute ``FINN_BUILD_DIR`` and a settings file; keep both
    inside the build directory ``out``. A FINN_SETTINGS set by the user is respected.

    FINN caches its settings (and so its build directory) at the first use in a process;
    they are rebuilt here whenever the build changes, so that a second build in the same
    process never writes its generated code into the first one's folder."""
    tmp = (Path(out) / "finn_tmp").resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    settings = Path(_USER_SETTINGS) if _USER_SETTINGS else (Path(out) / "finn_settings.yaml").resolve()
    if not _USER_SETTINGS and not settings.exists():
        settings.write_text("{}\n")
    changed = os.environ.get("FINN_BUILD_DIR") != str(tmp)
    os.environ["FINN_BUILD_DIR"] = str(tmp)
    os.environ["FINN_SETTINGS"] = str(settings)
    if changed:
        try:
            import finn.util.settings as fs

            fs._SETTINGS = None     # FINN's cached settings name the previous build's folder
        except ImportError:
            pass
