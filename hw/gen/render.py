# SPDX-License-Identifier: MIT
"""The one renderer: a ``Design`` -> SystemVerilog text (layer wrappers ``L_*``, buffer
wrappers ``B_*`` with the width converter and FIFO of an edge, the top ``sr_top``)."""
from __future__ import annotations

from pathlib import Path

from .design import Core, Design, Edge, Layer, Stream
from .passes import fifo_params

RTL = Path(__file__).resolve().parents[1] / "rtl"
#: hw/rtl files each core module needs (in compile order)
CORE_FILES = {
    "xnor_mvtu": ["stream_fifo.sv", "credit_fifo.sv", "mvtu_fetch.sv", "mvtu_acc.sv", "carry_count.sv",
                  "xnor_mvtu.sv"],
    "mvtu_int": ["stream_fifo.sv", "credit_fifo.sv", "mvtu_fetch.sv", "mvtu_acc.sv", "carry_count.sv",
                 "mul_reg.sv", "mul_add_reg.sv", "mvtu_int.sv"],
    "requant_arith": ["stream_fifo.sv", "credit_fifo.sv", "requant_arith.sv"],
    "thresh_bsearch": ["stream_fifo.sv", "credit_fifo.sv", "thresh_bsearch.sv"],
    "eltwise_add": ["eltwise_add.sv"], "eltwise_const": ["eltwise_const.sv"],
    "stream_dup": ["stream_dup.sv"], "stream_concat": ["stream_concat.sv"],
    "swg": ["stream_fifo.sv", "credit_fifo.sv", "swg.sv"],
    "swg_lb": ["stream_fifo.sv", "credit_fifo.sv", "swg_lb.sv"],
    "stream_fifo": ["stream_fifo.sv"], "stream_dwc": ["stream_dwc.sv"],
}
TOP = "sr_top"


def _ports(ins: list[Stream], outs: list[Stream], s="s", m="m") -> list[str]:
    p = ["input  wire ap_clk", "input  wire ap_rst_n"]
    for k, f in enumerate(ins):
        n = f"{s}{k}" if len(ins) > 1 or s != "s_axis" else s
        p += [f"input  wire [{f.width}-1:0] {n}_tdata", f"input  wire {n}_tvalid",
              f"output wire {n}_tready"]
    for k, f in enumerate(outs):
        n = f"{m}{k}" if len(outs) > 1 or m != "m_axis" else m
        p += [f"output wire [{f.width}-1:0] {n}_tdata", f"output wire {n}_tvalid",
              f"input  wire {n}_tready"]
    return p


def _module(name: str, ports: list[str], body: list[str], doc: str) -> str:
    return (f"// {doc}\nmodule {name} (\n    " + ",\n    ".join(ports) + "\n);\n"
            + "\n".join(body) + "\nendmodule\n")


def _core(c: Core) -> str:
    params = ", ".join(f".{k}({v})" for k, v in c.params.items())
    conns = ",\n        ".join(f".{k}({v})" for k, v in c.conns.items())
    return f"    {c.module}{f' #({params})' if params else ''} {c.name} (\n        {conns});"


def render_layer(lay: Layer) -> str:
    body = [f"    wire [{w}-1:0] {n}_tdata;\n    wire {n}_tvalid, {n}_tready;" for n, w in lay.wires]
    body += [f"    {a}" for a in lay.assigns]
    body += [_core(c) for c in lay.cores]
    return _module(lay.module, _ports(lay.ins, lay.outs), body,
                   f"{lay.op} {', '.join(lay.nodes)}")


def render_buffer(e: Edge) -> str:
    a, b = e.fmt_src, e.fmt_dst
    if e.depth == 0:        # the producer's output slice is the edge's (hw.gen.passes)
        return _module(e.module, _ports([a], [b], "s_axis", "m_axis"), [
            "    assign m_axis_tdata = s_axis_tdata;", "    assign m_axis_tvalid = s_axis_tvalid;",
            "    assign s_axis_tready = m_axis_tready;"],
            f"tensor {e.tensor}: no FIFO (the producer's output register slice)")
    body = []
    src = "s_axis"
    if a.elems != b.elems:
        body.append(f"    wire [{b.width}-1:0] w_tdata;\n    wire w_tvalid, w_tready;")
        body.append(_core(Core("stream_dwc", "u_dwc", dict(
            ELEM_W=str(a.bits), IN_ELEMS=str(a.elems), OUT_ELEMS=str(b.elems),
            **({"REG_READY": "1"} if e.reg_ready else {})), dict(
            ap_clk="ap_clk", ap_rst_n="ap_rst_n", s_axis_tdata="s_axis_tdata",
            s_axis_tvalid="s_axis_tvalid", s_axis_tready="s_axis_tready", m_axis_tdata="w_tdata",
            m_axis_tvalid="w_tvalid", m_axis_tready="w_tready"))))
        src = "w"
    stages = e.fifo_depths
    for k, depth in enumerate(stages):     # one FIFO, or a chain of them (passes.fifo_stages)
        dst = "m_axis" if k == len(stages) - 1 else f"c{k}"
        if dst != "m_axis":
            body.append(f"    wire [{b.width}-1:0] {dst}_tdata;\n    wire {dst}_tvalid, {dst}_tready;")
        body.append(_core(Core("stream_fifo", fifo_instance(k), fifo_params(b.width, depth),
                               dict(ap_clk="ap_clk", ap_rst_n="ap_rst_n",
                                    s_axis_tdata=f"{src}_tdata", s_axis_tvalid=f"{src}_tvalid",
                                    s_axis_tready=f"{src}_tready", m_axis_tdata=f"{dst}_tdata",
                                    m_axis_tvalid=f"{dst}_tvalid",
                                    m_axis_tready=f"{dst}_tready"))))
        src = dst
    what = f"tensor {e.tensor}: " + (f"{a.elems} -> {b.elems} elements, " if a.elems != b.elems else "")
    chain = f" as {len(stages)} FIFOs of {', '.join(map(str, stages))}" if len(stages) > 1 else ""
    return _module(e.module, _ports([a], [b], "s_axis", "m_axis"), body,
                   what + f"FIFO of {e.depth} words" + chain
                   + (f" (join: {e.need_px} pixels)" if e.need_px else ""))


def fifo_instance(k: int) -> str:
    """The instance name of stage ``k`` of an edge's FIFO in its buffer module."""
    return "u_fifo" if k == 0 else f"u_fifo{k}"


def render_top(d: Design) -> str:
    body = []
    for e in d.edges:
        for side, f in (("s", e.fmt_src), ("d", e.fmt_dst)):
            body.append(f"    wire [{f.width}-1:0] e{e.index}{side}_tdata;\n"
                        f"    wire e{e.index}{side}_tvalid, e{e.index}{side}_tready;")
    by_src = {e.src: e for e in d.edges}
    by_dst = {e.dst: e for e in d.edges}
    for lay in d.layers:
        conns = {"ap_clk": "ap_clk", "ap_rst_n": "ap_rst_n"}
        for k in range(len(lay.ins)):
            e = by_dst[(lay.name, k)]
            conns.update({f"s{k}_{s}": f"e{e.index}d_{s}" for s in ("tdata", "tvalid", "tready")})
        for k in range(len(lay.outs)):
            e = by_src[(lay.name, k)]
            conns.update({f"m{k}_{s}": f"e{e.index}s_{s}" for s in ("tdata", "tvalid", "tready")})
        body.append(_core(Core(lay.module, f"u_{lay.name}", {}, conns)))
    for e in d.edges:
        body.append(_core(Core(e.module, f"u_b{e.index}", {}, dict(
            ap_clk="ap_clk", ap_rst_n="ap_rst_n",
            **{f"s_axis_{s}": f"e{e.index}s_{s}" for s in ("tdata", "tvalid", "tready")},
            **{f"m_axis_{s}": f"e{e.index}d_{s}" for s in ("tdata", "tvalid", "tready")}))))
    ein = by_src[None]
    eout = by_dst[None]
    body += [f"    assign e{ein.index}s_tdata = s_axis_tdata;",
             f"    assign e{ein.index}s_tvalid = s_axis_tvalid;",
             f"    assign s_axis_tready = e{ein.index}s_tready;",
             f"    assign m_axis_tdata = e{eout.index}d_tdata;",
             f"    assign m_axis_tvalid = e{eout.index}d_tvalid;",
             f"    assign e{eout.index}d_tready = m_axis_tready;"]
    return _module(TOP, _ports([d.s_in], [d.s_out], "s_axis", "m_axis"), body,
                   f"the stitched dataflow of {d.source}")


def render(d: Design) -> str:
    parts = ["// generated by hw/gen from a folded FINN build -- do not edit",
             "`default_nettype none", ""]
    parts += [render_layer(l) for l in d.layers]
    parts += [render_buffer(e) for e in d.edges]
    parts += [render_top(d), "`default_nettype wire", ""]
    return "\n".join(parts)


def source_files(d: Design) -> list[Path]:
    """Every source the design needs: FINN's generated files (packages first), our cores."""
    mods = {c.module for l in d.layers for c in l.cores} | {"stream_fifo", "stream_dwc"}
    ours = []
    for m in sorted(mods):
        for f in CORE_FILES.get(m, []):
            if RTL / f not in ours:
                ours.append(RTL / f)
    finn = list(dict.fromkeys(f for l in d.layers for f in l.files))
    finn.sort(key=lambda f: 0 if f.name.endswith("_pkg.sv") else 1)
    return finn + ours
