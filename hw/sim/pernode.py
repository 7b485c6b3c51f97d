# SPDX-License-Identifier: MIT
"""Each layer of our RTL against FINN's HLS code in cppsim, on the same frame: the export's
cppsim step keeps every stream of the dataflow partition for the first golden input
(``BUILD/cppsim/tensors.npz``: FINN's HLS nodes in cppsim, the RTL-only ones in FINN's
Python, each equal to FINN's Python execution of the node); here every layer of the
generated design with one input and one output stream is simulated alone (Verilator,
``hw/sim/stream_check.sv``, random gaps and backpressure) on its input stream and its output
compared word for word. Layers of several streams (residual adds, stream duplication,
concatenation) are covered by the whole-network run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from model.errors import ToolkitError


def per_node(build: Path, out: Path, pause: float = 0.3, progress=print) -> dict:
    """Per layer: the FINN nodes it implements, words compared, mismatches (or why it was
    not simulated alone). Returns {"layers": [...], "compared", "mismatches"}."""
    from hw.gen import design_of, layer_top, load_partition
    from hw.gen.emit import Context

    from .check import run_checked

    build, out = Path(build).resolve(), Path(out).resolve()
    tf = build / "cppsim" / "tensors.npz"
    if not tf.is_file():
        raise ToolkitError(f"{build} has no cppsim/tensors.npz: export it with the cppsim step "
                           "(export/to_finn.py without --no-cppsim, or python -m export.cppsim "
                           f"--build {build})")
    tensors = np.load(tf)
    model, _ = load_partition(build)
    est = {l["name"]: l["cycles"] for l in json.loads((build / "estimates.json").read_text())["layers"]}
    rows, total, bad = [], 0, 0
    for lay in design_of(model, Context(model, "", "ours", "generic")).layers:
        rec = {"layer": lay.name, "nodes": lay.nodes, "op": lay.op}
        if len(lay.ins) != 1 or len(lay.outs) != 1:
            rec["why"] = f"{len(lay.ins)} input / {len(lay.outs)} output streams: whole network only"
            rows.append(rec)
            continue
        tin, tout = lay.in_tensors[0], lay.out_tensors[0]
        if tin not in tensors or tout not in tensors:
            rec["why"] = "its streams were not kept by the cppsim step"
            rows.append(rec)
            continue
        x, y = tensors[tin], tensors[tout]
        s_in, s_out = lay.ins[0], lay.outs[0]
        x = np.where(x < 0, 0, x) if s_in.bits == 1 else x      # bipolar -1 is bit 0
        y = np.where(y < 0, 0, y) if s_out.bits == 1 else y
        d = out / lay.name
        d.mkdir(parents=True, exist_ok=True)
        ctx_lay = design_of(model, Context(model, str(d), "ours", "generic")).layer(lay.name)
        files = layer_top(ctx_lay, d)
        # FINN's cycles for the frame, slowed by the random gaps and backpressure
        limit = int(4 * sum(est.get(n, 0) for n in lay.nodes) / max(1e-3, 1 - pause)) \
            + 8 * (x.size // s_in.elems + y.size // s_out.elems) + 10000
        tests, fails = run_checked("sr_top", files, {}, d, x.reshape(-1, s_in.elems), s_in.bits,
                                   s_in.signed, y.reshape(-1, s_out.elems), s_out.bits,
                                   s_out.signed, pause, pause, cycle_limit=limit)
        words = int(y.size // s_out.elems)
        mism = 0 if fails == 0 else _mismatches(d)
        rec.update(compared_words=words, mismatches=int(mism), passed=fails == 0 and tests == 1)
        total += words
        bad += int(mism)
        progress(f"[per-node] {lay.name} ({', '.join(lay.nodes)}): {words} words, "
                 f"{mism} mismatches")
        rows.append(rec)
    return {"layers": rows, "compared_words": total, "mismatches": bad}


def _mismatches(d: Path) -> int:
    """Mismatching words the stream checker logged (``N words differ``)."""
    import re

    log = (d / "sim" / "sim.log").read_text() if (d / "sim" / "sim.log").is_file() else ""
    m = re.search(r"(\d+) words differ", log)
    return int(m.group(1)) if m else 1
