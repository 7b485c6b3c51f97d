# SPDX-License-Identifier: MIT
"""The stitched design as data: layers (one per FINN node, each a wrapper module of core
instances), stream bundles, and the edges between layers with their width converter and
FIFO. Emitters build it, passes edit it, the renderer writes it; no text is written here
except the expressions a core's ports are connected to."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Stream:
    """A stream bundle's format: ``elems`` elements of ``bits`` bits per beat, a feature map
    of ``channels`` channels per pixel (so ``channels / elems`` beats per pixel)."""

    elems: int
    bits: int
    signed: bool
    channels: int

    @property
    def width(self) -> int:
        return self.elems * self.bits

    @property
    def beats_per_px(self) -> float:
        return self.channels / self.elems


@dataclass
class Core:
    """One instance inside a layer: module, parameters (rendered values), port connections
    (port name -> expression over the layer's bundles and wires)."""

    module: str
    name: str
    params: dict[str, str]
    conns: dict[str, str]
    #: figures of the core's contents the parameters do not show (for hw.resmodel), e.g. the
    #: radix-4 Booth rows its logic multipliers keep
    stats: dict = field(default_factory=dict)


def bundle(core_prefix: str, bundle_name: str) -> dict[str, str]:
    """Connections of a core's ``<prefix>_tdata/_tvalid/_tready`` to a bundle's signals."""
    return {f"{core_prefix}_{s}": f"{bundle_name}_{s}" for s in ("tdata", "tvalid", "tready")}


@dataclass
class Layer:
    """A FINN node (or fused nodes) as a wrapper module ``L_<name>``: input bundles s0, s1, ..,
    output bundles m0, m1, .., internal bundles declared in ``wires`` (name, width)."""

    name: str
    op: str
    ins: list[Stream]
    outs: list[Stream]
    in_tensors: list[str]
    out_tensors: list[str]
    cores: list[Core] = field(default_factory=list)
    wires: list[tuple[str, int]] = field(default_factory=list)
    assigns: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)   # sources besides hw/rtl (FINN's)
    mems: dict[str, str] = field(default_factory=dict)  # memory file name -> text
    lag_px: int = 0        # input pixels needed beyond the output pixel's own
    record: dict = field(default_factory=dict)         # what was chosen, for the JSON
    nodes: list[str] = field(default_factory=list)     # the FINN nodes it implements
    #: its outputs leave a register slice (tvalid and tdata registers) whose ready drives
    #: registers only, so a consumer may take them without a FIFO between (hw.gen.passes)
    out_registered: bool = False

    @property
    def module(self) -> str:
        return f"L_{self.name}"


@dataclass
class Edge:
    """A tensor from a layer output (or the graph input) to a layer input (or the graph
    output), through a width converter (when ``src.elems != dst.elems``) and a FIFO."""

    tensor: str
    src: tuple[str, int] | None
    dst: tuple[str, int] | None
    fmt_src: Stream
    fmt_dst: Stream
    depth: int = 2          # FIFO words (2: a register slice; 0: none, a wire)
    need_px: int = 0        # pixels this edge must hold for its join (0: none)
    index: int = 0
    #: the FIFO as a chain of stream_fifos, their depths in stream order (hw.gen.passes
    #: ``fifo_stages``; empty: the edge's one FIFO of ``depth`` words, or none)
    stages: list[int] = field(default_factory=list)
    #: the width converter's input ready from registers only (stream_dwc REG_READY), set by
    #: hw.gen.passes ``registered_ready`` where the design's clocks per pixel leave it time
    reg_ready: bool = False

    @property
    def module(self) -> str:
        return f"B_{self.index}"

    @property
    def fifo_depths(self) -> list[int]:
        """The depths of the edge's stream_fifos in stream order (its chain, else its one
        FIFO; an edge not sized by ``hw.gen.passes.size_fifos`` has ``depth`` only)."""
        return self.stages or [self.depth]


@dataclass
class Design:
    """Layers in graph order, edges, the top's stream formats and the frame geometry."""

    layers: list[Layer]
    edges: list[Edge]
    s_in: Stream
    s_out: Stream
    frame_hw: tuple[int, int]
    source: str = ""
    notes: dict = field(default_factory=dict)

    def layer(self, name: str) -> Layer:
        return next(l for l in self.layers if l.name == name)
