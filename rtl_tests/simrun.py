# SPDX-License-Identifier: MIT
"""Build and run one cocotb testbench on Verilator through ``cocotb_tools.runner``."""
from __future__ import annotations

from pathlib import Path

from cocotb_tools.runner import get_results, get_runner

REPO = Path(__file__).resolve().parents[1]
HW = REPO / "hw" / "rtl"


def run_cocotb(toplevel: str, sources: list[Path], parameters: dict, build_dir: Path,
               test_module: str, test_dir: Path, env: dict) -> tuple[int, int]:
    """Build ``toplevel`` with ``parameters`` in ``build_dir`` (one dir per parameter set) and
    run ``test_module``; returns (tests, failures)."""
    runner = get_runner("verilator")
    runner.build(sources=[str(s) for s in sources], hdl_toplevel=toplevel, parameters=parameters,
                 build_dir=str(build_dir), timescale=("1ns", "1ps"),
                 build_args=["-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-UNUSEDSIGNAL"],
                 always=False, log_file=str(Path(build_dir) / "build.log"))
    results = Path(build_dir) / "results.xml"
    results.unlink(missing_ok=True)
    try:
        runner.test(hdl_toplevel=toplevel, test_module=test_module, test_dir=str(test_dir),
                    build_dir=str(build_dir), results_xml=str(results),
                    extra_env={k: str(v) for k, v in env.items()},
                    log_file=str(Path(build_dir) / "sim.log"))
    except SystemExit:  # the runner exits on failing tests under pytest; read the results
        pass
    if not results.is_file():
        raise RuntimeError(f"simulation of {toplevel} in {build_dir} wrote no results")
    return get_results(results)


def sv_string(s) -> str:
    """A string parameter value as Verilator's -G expects it."""
    return f'"{s}"'
