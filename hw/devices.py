# SPDX-License-Identifier: MIT
"""The devices a design can target, with their budgets.

ECP5 (Lattice): placed and routed by nextpnr-ecp5 (``nextpnr`` is its size flag); budgets
in LUT4, FF, EBR (18 kb block RAMs) and MULT18 (MULT18X18D: the open flow has no 9x9 split,
so one int8 product takes one). Xilinx parts FINN users name: Yosys ``synth_xilinx``
utilisation (no open place and route), budgets in LUT (LUT6), FF, BRAM18 and DSP (DSP48).

An ECP5 comes in three speed grades, 6 (the slowest, nextpnr's default), 7 and 8, with the
same cells: ``LFE5U-85F`` is grade 6, ``LFE5U-85F-8`` (or Lattice's ordering code,
``LFE5U-85F-8BG381C``) grade 8. The grade is nextpnr's timing model (``--speed``), so it
moves the routed Fmax, not the budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from model.errors import ToolkitError


class DeviceError(ToolkitError):
    """An unknown device name."""


@dataclass(frozen=True)
class Device:
    name: str
    family: str                      # "ecp5" or "xilinx" (the hw.synth target)
    budget: dict = field(hash=False)  # resource class -> count (hw.synth's class names)
    nextpnr: str | None = None       # nextpnr-ecp5 size flag (25k, 45k, 85k)
    package: str | None = None
    speed: int | None = None         # ECP5 speed grade (nextpnr --speed): 6, 7 or 8

    @property
    def multipliers(self) -> int:
        """Hard multipliers: one int8 product each."""
        return self.budget["MULT18" if self.family == "ecp5" else "DSP"]

    @property
    def logic_class(self) -> str:
        return "LUT4" if self.family == "ecp5" else "LUT"

    @property
    def bram_class(self) -> str:
        return "EBR" if self.family == "ecp5" else "BRAM"


DEVICES: dict[str, Device] = {d.name: d for d in (
    Device("LFE5U-25F", "ecp5", {"LUT4": 24288, "FF": 24288, "EBR": 56, "MULT18": 28}, "25k",
           "CABGA381", 6),
    Device("LFE5U-45F", "ecp5", {"LUT4": 43848, "FF": 43848, "EBR": 108, "MULT18": 72}, "45k",
           "CABGA381", 6),
    Device("LFE5U-85F", "ecp5", {"LUT4": 83640, "FF": 83640, "EBR": 208, "MULT18": 156}, "85k",
           "CABGA381", 6),
    Device("xc7a35t", "xilinx", {"LUT": 20800, "FF": 41600, "BRAM": 100, "DSP": 90}),
    Device("xc7z020", "xilinx", {"LUT": 53200, "FF": 106400, "BRAM": 280, "DSP": 220}),
    Device("xczu3eg", "xilinx", {"LUT": 70560, "FF": 141120, "BRAM": 432, "DSP": 360}),
    Device("xczu7ev", "xilinx", {"LUT": 230400, "FF": 460800, "BRAM": 624, "DSP": 1728}),
    Device("xczu9eg", "xilinx", {"LUT": 274080, "FF": 548160, "BRAM": 1824, "DSP": 2520}),
)}
#: the names hw.synth accepted before devices had names (nextpnr's size flags)
ALIASES = {"25k": "LFE5U-25F", "45k": "LFE5U-45F", "85k": "LFE5U-85F"}
ECP5_GRADES = (6, 7, 8)
#: an ECP5 name with a speed grade, optionally Lattice's package and temperature code after it
_GRADED = re.compile(r"(?i)^(LFE5U-(?:25|45|85)F)-(\d+)(BG381[CI]?)?$")


def device(name: str) -> Device:
    """A device by name (case-insensitive; ``85k``, FINN part strings such as
    ``xc7z020clg400-1`` and ECP5 speed grades, ``LFE5U-85F-8`` or ``LFE5U-85F-8BG381C``,
    accepted)."""
    key = ALIASES.get(str(name).lower(), str(name))
    m = _GRADED.match(key)
    if m:
        base, grade = device(m.group(1)), int(m.group(2))
        if grade not in ECP5_GRADES:
            raise DeviceError(f"device {name!r}: an ECP5 has speed grade 6, 7 or 8, not {grade}")
        return base if grade == base.speed else replace(base, name=f"{base.name}-{grade}",
                                                        speed=grade)
    for n, d in DEVICES.items():
        if n.lower() == key.lower() or (d.family == "xilinx" and key.lower().startswith(n.lower())):
            return d
    raise DeviceError(f"unknown device {name!r}; known: {', '.join(DEVICES)} (ECP5 with a "
                      "speed grade: LFE5U-85F-8)")


def ecp5_sizes() -> list[Device]:
    """The ECP5 devices, smallest first."""
    return [d for d in DEVICES.values() if d.family == "ecp5"]


def need(total: dict, family: str) -> dict:
    """What synthesised cells ask of a device, per budget class. ECP5, as nextpnr counts LUT4
    sites before packing ("Total LUT4s"): a carry cell (CCU2C) is two, a distributed RAM
    (TRELLIS_DPR16X4) six (four RAM LUTs and the two of its write-port slice). nextpnr's
    packer adds a feed-in and a feed-out CCU2C to every carry chain whose ends are connected
    (13 % more on the 1080p point, 0.2 % over an LFE5U-85F where this count said 88 %);
    hw.synth's ECP5 flow frees both ends (hw/yosys/ecp5_carry_start.v, ``trim_carry_chains``)
    and packing then adds under 1 % (1080p: 74 935 -> 75 531)."""
    if family == "ecp5":
        return {"LUT4": total.get("LUT4", 0) + 2 * total.get("CARRY", 0) + 6 * total.get("LUTRAM", 0),
                **{k: total.get(k, 0) for k in ("FF", "EBR", "MULT18")}}
    return {"LUT": total.get("LUT", 0) + total.get("LUTRAM", 0),
            **{k: total.get(k, 0) for k in ("FF", "BRAM", "DSP")}}


def fits(total: dict, dev: Device) -> tuple[bool, str]:
    """Whether the cells fit ``dev``; else one line naming each class over and by how much."""
    n = need(total, dev.family)
    over = [f"{k} {v:.0f} > {dev.budget[k]} (+{v - dev.budget[k]:.0f})" for k, v in n.items()
            if v > dev.budget[k]]
    return (not over, "" if not over else f"does not fit {dev.name}: " + ", ".join(over))
