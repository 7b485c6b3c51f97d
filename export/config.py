# SPDX-License-Identifier: MIT
"""The one typed configuration of an export run (saved as ``OUT/config.json``)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

#: the export's steps in order (export/flow.py's STEPS; here so that the command line can
#: offer them without importing the flow and its heavy dependencies)
STEP_NAMES = ("qonnx_export", "convert_to_finn", "streamline", "lower_convs", "xnor",
              "hw_layers", "partition", "specialize", "fold", "codegen", "cppsim", "estimates")


@dataclass
class ExportConfig:
    """Configuration of ``export/to_finn.py``; each field is a command-line option.

    Attributes:
        ckpt: checkpoint written by ``model.train``.
        out: build directory (steps/, golden/, verify.json, estimates.json, code).
        part: FPGA part FINN specialises and estimates for.
        clock_ns: target clock period (ns).
        target_fps: folding target in frames/s (FINN ``SetFolding``); ignored with ``folding``.
        folding: a folding JSON in FINN's format (``ApplyConfig``), instead of ``target_fps``.
        input_hw: LR frame size (H, W) the dataflow graph is built for.
        verify_hw: frame size (H, W) the graph is verified at, when it differs from
            ``input_hw`` (the network is fully convolutional): the steps are checked
            bit-exactly on a build of this size (``OUT/verify/``) with the same folding, and
            every layer's parameters are compared with the big build's
            (``OUT/parameters.json``). ``None``: verify at ``input_hw``.
        golden_real: real-image crops in the golden input (Set5 when present, else built-in).
        golden_random: random images in the golden input.
        start_step, stop_step: run only this range of the step list (names as in ``STEPS``).
        seed: seed of the random golden images.
        mvau_wwidth_max: FINN SetFolding's cap on the weight stream width (bits).
        cppsim: compile and execute FINN's generated HLS code (``export/cppsim.py``) where
            the open headers are found.
        finn_hlslib, ap_types: header folders for cppsim (default: found as
            ``export.cppsim.find_headers`` says).
    """

    ckpt: Path
    out: Path
    part: str = "xc7z020clg400-1"
    clock_ns: float = 10.0
    target_fps: float | None = None
    folding: Path | None = None
    input_hw: tuple[int, int] = (32, 32)
    verify_hw: tuple[int, int] | None = None
    golden_real: int = 2
    golden_random: int = 1
    start_step: str | None = None
    stop_step: str | None = None
    seed: int = 0
    mvau_wwidth_max: int = 36
    cppsim: bool = True
    finn_hlslib: Path | None = None
    ap_types: Path | None = None

    def to_json(self) -> str:
        d = asdict(self)
        return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in d.items()},
                          indent=2)


def build_config(build: Path, need_ckpt: bool = True) -> dict:
    """A build's ``config.json`` with ``out`` the build itself and the checkpoint path made
    absolute (builds store it absolute; older ones relative to the working directory of the
    export, tried as given, then relative to the build). Raises ExportError naming what is
    wrong: no or a truncated config.json, a checkpoint that is gone (``need_ckpt``)."""
    from .errors import ExportError

    build = Path(build)
    p = build / "config.json"
    if not p.is_file():
        raise ExportError(f"{build}: not a build directory (no config.json); run "
                          f"export/to_finn.py --out {build} first")
    try:
        cfg = json.loads(p.read_text())
        assert isinstance(cfg, dict) and "ckpt" in cfg and "input_hw" in cfg
    except (json.JSONDecodeError, UnicodeDecodeError, AssertionError):
        raise ExportError(f"{p} is truncated or not a build's configuration; export the build "
                          "again (export/to_finn.py --out " f"{build})") from None
    cfg["out"] = str(build.resolve())
    ck = Path(cfg["ckpt"])
    if not ck.is_absolute():
        for cand in (ck, build / ck, build.parent / ck):
            if cand.is_file():
                ck = cand
                break
    cfg["ckpt"] = str(Path(ck).resolve()) if Path(ck).exists() else str(ck)
    if need_ckpt and not Path(cfg["ckpt"]).is_file():
        raise ExportError(f"{build}: the checkpoint it was exported from, {cfg['ckpt']}, is gone "
                          "(moved or deleted); put it back there or export the build again")
    return cfg
