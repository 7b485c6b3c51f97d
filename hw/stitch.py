# SPDX-License-Identifier: MIT
"""Generator: a folded FINN build directory -> a stitched SystemVerilog top of the dataflow.

One instance per FINN node: our cores for the layers FINN generates as HLS (XNOR and int8
MVAUs, element-wise add/sub, stream duplication), and the RTL FINN generated itself for
the sliding windows, padding and thresholding (finn-rtllib via FINN's code generation,
referenced in place, never copied). Every edge gets a width converter where the producer's
and the consumer's folding differ, and a FIFO. Writes ``top.sv``, the weight/threshold
memory files and ``filelist.txt``.

    python -m hw.stitch --build build/NAME --out build/NAME/rtl
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from export.finn_env import finn_env

from .golden import popcount_width, write_thresh_mem, write_weight_mem

HW = Path(__file__).resolve().parent
OUR_CORES = ["stream_fifo.sv", "stream_dwc.sv", "eltwise_add.sv", "eltwise_const.sv",

             "stream_dup.sv", "stream_concat.sv", "mvtu_fetch.sv", "xnor_mvtu.sv",
             "mvtu_int.sv"]
FINN_RTL = ("Thresholding_rtl", "FMPadding_rtl", "ConvolutionInputGenerator_rtl")


class StitchError(Exception):
    """A node of the dataflow has no RTL counterpart here."""


@dataclass
class Stream:
    elems: int      # elements per beat
    bits: int       # bits per element

    @property
    def width(self) -> int:
        return self.elems * self.bits


@dataclass
class Design:
    lines: list = field(default_factory=list)
    files: list = field(default_factory=list)
    wires: list = field(default_factory=list)
    n: int = 0

    def wire(self, name: str, width: int) -> str:
        self.wires.append(f"    wire [{width}-1:0] {name}_tdata;\n    wire {name}_tvalid, {name}_tready;")
        return name

    def uid(self, base: str) -> str:
        self.n += 1
        return f"{base}_{self.n}"


def _in_stream(inst, i=0) -> Stream:
    return Stream(int(inst.get_folded_input_shape(i)[-1]), inst.get_input_datatype(i).bitwidth())


def _out_stream(inst) -> Stream:
    return Stream(int(inst.get_folded_output_shape()[-1]), inst.get_output_datatype().bitwidth())


def _connect(d: Design, src: str, s_src: Stream, dst: str, s_dst: Stream, depth: int) -> None:
    """src wire -> [width converter] -> FIFO -> dst wire."""
    if s_src.bits != s_dst.bits:
        raise StitchError(f"edge {src} -> {dst}: element widths differ ({s_src.bits} vs {s_dst.bits})")
    cur = src
    if s_src.elems != s_dst.elems:
        mid = d.wire(d.uid("dwc"), s_dst.width)
        d.lines.append(
            f"    stream_dwc #(.ELEM_W({s_src.bits}), .IN_ELEMS({s_src.elems}), .OUT_ELEMS({s_dst.elems}))"
            f" u_{mid} (.ap_clk, .ap_rst_n, .s_axis_tdata({cur}_tdata), .s_axis_tvalid({cur}_tvalid),"
            f" .s_axis_tready({cur}_tready), .m_axis_tdata({mid}_tdata), .m_axis_tvalid({mid}_tvalid),"
            f" .m_axis_tready({mid}_tready));")
        cur = mid
    d.lines.append(
        f"    stream_fifo #(.WIDTH({s_dst.width}), .DEPTH({max(2, depth)})) u_fifo_{dst} (.ap_clk, .ap_rst_n,"
        f" .s_axis_tdata({cur}_tdata), .s_axis_tvalid({cur}_tvalid), .s_axis_tready({cur}_tready),"
        f" .m_axis_tdata({dst}_tdata), .m_axis_tvalid({dst}_tvalid), .m_axis_tready({dst}_tready));")


def _pad(width: int) -> int:
    return (width + 7) // 8 * 8


def stitch(build: Path, out: Path, fifo_depth: int = 128) -> dict:
    """Generate the stitched top of ``build``'s dataflow partition into ``out``.

    ``fifo_depth`` is the depth of every plain edge's FIFO (stream-duplication outputs get a
    frame). 128 lets the MRB block's four branches skew enough for one fold per clock
    (measured: 8 -> 6% over FINN's cycle estimate for BTM, 64 -> 3.5% and 128 -> 0.6% for
    MRB); it sizes for simulation, not for area (FINN's own FIFO sizing would do that).

    Returns:
        A dict with the top name, the input/output stream formats and the frame geometry.
    """
    from qonnx.core.datatype import DataType
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.custom_op.registry import getCustomOp

    finn_env(build)
    parts = sorted((build / "partitions").glob("*.onnx"))
    if len(parts) != 1:
        raise StitchError(f"{build}: expected one dataflow partition, found {len(parts)}; run "
                          "export/to_finn.py to the end first")
    m = ModelWrapper(str(parts[0]))
    out.mkdir(parents=True, exist_ok=True)
    d = Design()
    d.files += [str(HW / f) for f in OUR_CORES]
    # every tensor: its wire at the consumer side ("<tensor>_c<k>") and producer side
    gin, gout = m.graph.input[0].name, m.graph.output[0].name

    def tname(t: str) -> str:
        return "t_" + "".join(c if c.isalnum() else "_" for c in t)

    edges = {}  # tensor -> (producer wire, stream, depth)
    consumers_in = []  # (tensor, consumer wire, stream)

    for node in m.graph.node:
        inst = getCustomOp(node)
        op = node.op_type
        name = node.name
        o_s = _out_stream(inst)
        shape = m.get_tensor_shape(node.output[0])
        if op == "DuplicateStreams_hls":
            n_out = len(node.output)
            i_s = _in_stream(inst)
            w_in = d.wire(f"{name}_in", i_s.width)
            consumers_in.append((node.input[0], w_in, i_s))
            w_all = d.wire(f"{name}_all", n_out * i_s.width)
            d.lines.append(
                f"    wire [{n_out}-1:0] {name}_v, {name}_r;\n"
                f"    stream_dup #(.WIDTH({i_s.width}), .N({n_out})) u_{name} (.ap_clk, .ap_rst_n,"
                f" .s_axis_tdata({w_in}_tdata), .s_axis_tvalid({w_in}_tvalid), .s_axis_tready({w_in}_tready),"
                f" .m_axis_tdata({w_all}_tdata), .m_axis_tvalid({name}_v), .m_axis_tready({name}_r));")
            for k, t in enumerate(node.output):
                w = d.wire(f"{name}_o{k}", i_s.width)
                d.lines.append(
                    f"    assign {w}_tdata = {w_all}_tdata[{k}*{i_s.width} +: {i_s.width}];"
                    f" assign {w}_tvalid = {name}_v[{k}]; assign {name}_r[{k}] = {w}_tready;")
                # a duplicated stream may wait for a whole frame while the other branch works
                edges[t] = (w, i_s, int(np.prod(shape)) // i_s.elems + 16)
            continue
        w_out = d.wire(f"{name}_out", o_s.width)
        edges[node.output[0]] = (w_out, o_s, fifo_depth)
        if op == "MVAU_hls":
            i_s = _in_stream(inst)
            w_in = d.wire(f"{name}_in", i_s.width)
            consumers_in.append((node.input[0], w_in, i_s))
            W = m.get_initializer(node.input[1]).astype(np.int64)
            T = (m.get_initializer(node.input[2]).astype(np.int64) if len(node.input) > 2
                 else None)  # noActivation: the raw popcount (MRB branches before the concat)
            mw, mh = W.shape
            simd, pe = inst.get_nodeattr("SIMD"), inst.get_nodeattr("PE")
            act = inst.get_nodeattr("ActVal")
            odt = inst.get_output_datatype()
            wf, tf = out / f"{name}_w.mem", out / f"{name}_t.mem"
            if inst.get_nodeattr("binaryXnorMode"):
                cw = popcount_width(mw)
                write_weight_mem(W, simd, pe, wf)
                nt = 0 if T is None else T.shape[1]
                if T is not None:
                    write_thresh_mem(np.clip(T, 0, mw + 1), tf)
                d.lines.append(
                    f"    xnor_mvtu #(.MW({mw}), .MH({mh}), .SIMD({simd}), .PE({pe}), .NT({nt}),"
                    f" .CNT_W({cw}), .OUT_W({odt.bitwidth()}), .OBIAS({act}), .WEIGHT_FILE(\"{wf}\"),"
                    f" .THRESH_FILE(\"{tf if nt else ''}\")) u_{name} (.ap_clk, .ap_rst_n,")
            else:
                if T is None:
                    raise StitchError(f"node {name} (MVAU_hls): an integer MVAU without "
                                      "thresholds has no RTL core here")
                idt = inst.get_input_datatype()
                wdt = DataType[inst.get_nodeattr("weightDataType")]
                acc = int(max(abs(T).max(), 1)).bit_length() + 2
                acc = max(acc, int(np.abs(W).sum(0).max() * max(abs(idt.min()), idt.max())).bit_length() + 2)
                write_weight_mem(W, simd, pe, wf, width=wdt.bitwidth())
                write_thresh_mem(T, tf, width=acc)
                d.lines.append(
                    f"    mvtu_int #(.MW({mw}), .MH({mh}), .SIMD({simd}), .PE({pe}), .IN_W({idt.bitwidth()}),"
                    f" .IN_SIGNED({int(idt.signed())}), .W_W({wdt.bitwidth()}), .ACC_W({acc}),"
                    f" .NT({T.shape[1]}), .OUT_W({odt.bitwidth()}), .OBIAS({act}),"
                    f" .WEIGHT_FILE(\"{wf}\"), .THRESH_FILE(\"{tf}\")) u_{name} (.ap_clk, .ap_rst_n,")
            d.lines.append(
                f"        .s_axis_tdata({w_in}_tdata), .s_axis_tvalid({w_in}_tvalid), .s_axis_tready({w_in}_tready),"
                f" .m_axis_tdata({w_out}_tdata), .m_axis_tvalid({w_out}_tvalid), .m_axis_tready({w_out}_tready));")
        elif op == "ElementwiseAdd_hls" and m.get_initializer(node.input[1]) is None:
            a_s, b_s = _in_stream(inst, 0), _in_stream(inst, 1)
            wa, wb = d.wire(f"{name}_a", a_s.width), d.wire(f"{name}_b", b_s.width)
            consumers_in += [(node.input[0], wa, a_s), (node.input[1], wb, b_s)]
            sa, sb = (int(DataType[inst.get_nodeattr(k)].signed()) for k in ("lhs_dtype", "rhs_dtype"))
            d.lines.append(
                f"    eltwise_add #(.PE({o_s.elems}), .A_W({a_s.bits}), .B_W({b_s.bits}), .OUT_W({o_s.bits}),"
                f" .A_SIGNED({sa}), .B_SIGNED({sb}))"
                f" u_{name} (.ap_clk, .ap_rst_n, .a_tdata({wa}_tdata), .a_tvalid({wa}_tvalid),"
                f" .a_tready({wa}_tready), .b_tdata({wb}_tdata), .b_tvalid({wb}_tvalid), .b_tready({wb}_tready),"
                f" .m_axis_tdata({w_out}_tdata), .m_axis_tvalid({w_out}_tvalid), .m_axis_tready({w_out}_tready));")
        elif op in ("ElementwiseSub_hls", "ElementwiseAdd_hls", "ElementwiseMul_hls"):
            c = m.get_initializer(node.input[1])
            if c is None:
                raise StitchError(f"node {name} ({op}): only a constant right-hand side is supported")
            i_s = _in_stream(inst)
            w_in = d.wire(f"{name}_in", i_s.width)
            consumers_in.append((node.input[0], w_in, i_s))
            ch = shape[-1]
            c = c.reshape(-1)
            if c.size not in (1, ch) or not np.array_equal(c, np.round(c)):
                raise StitchError(f"node {name} ({op}): the constant must be an integer scalar or "
                                  f"one per channel ({ch}), got shape {c.shape}")
            k = np.broadcast_to(c.astype(np.int64), (ch,)) * (-1 if op == "ElementwiseSub_hls" else 1)
            kw = 16
            kv = "".join(f"{int(v) & 0xFFFF:04x}" for v in k[::-1])
            idt = inst.get_input_datatype()
            d.lines.append(
                f"    eltwise_const #(.MUL({int(op == 'ElementwiseMul_hls')}), .C({ch}), .PE({i_s.elems}),"
                f" .IN_W({i_s.bits}), .IN_SIGNED({int(idt.signed())}),"
                f" .OUT_W({o_s.bits}), .K_W({kw}), .K({ch * kw}'h{kv})) u_{name} (.ap_clk, .ap_rst_n,"
                f" .s_axis_tdata({w_in}_tdata), .s_axis_tvalid({w_in}_tvalid), .s_axis_tready({w_in}_tready),"
                f" .m_axis_tdata({w_out}_tdata), .m_axis_tvalid({w_out}_tvalid), .m_axis_tready({w_out}_tready));")
        elif op == "StreamingConcat_hls":
            n_in = len(node.input)
            simd = inst.get_nodeattr("SIMD")
            folds = [c // simd for c in inst.get_nodeattr("ChannelsPerStream")]
            ins = []
            for k, t in enumerate(node.input):
                i_s = _in_stream(inst, k)
                w = d.wire(f"{name}_i{k}", i_s.width)
                consumers_in.append((t, w, i_s))
                ins.append(w)
            fv = "".join(f"{f:04x}" for f in folds[::-1])
            d.lines.append(
                f"    stream_concat #(.N({n_in}), .SIMD({simd}), .EW({o_s.bits}), .FOLDS({16 * n_in}'h{fv}))"
                f" u_{name} (.ap_clk, .ap_rst_n,"
                f" .s_axis_tdata({{{', '.join(f'{w}_tdata' for w in ins[::-1])}}}),"
                f" .s_axis_tvalid({{{', '.join(f'{w}_tvalid' for w in ins[::-1])}}}),"
                f" .s_axis_tready({{{', '.join(f'{w}_tready' for w in ins[::-1])}}}),"
                f" .m_axis_tdata({w_out}_tdata), .m_axis_tvalid({w_out}_tvalid), .m_axis_tready({w_out}_tready));")
        elif op in FINN_RTL:
            i_s = _in_stream(inst)
            w_in = d.wire(f"{name}_in", i_s.width)
            consumers_in.append((node.input[0], w_in, i_s))
            d.files += [str(f) for f in inst.get_rtl_file_list(abspath=True)]
            pi, po = inst.get_instream_width_padded(), inst.get_outstream_width_padded()
            extra, params = "", ""
            if op in ("Thresholding_rtl", "FMPadding_rtl"):
                # the AXI-lite configuration port must be idle (floating inputs would write
                # random configurations into FMPadding's dimension registers)
                extra = " " + " ".join(f".s_axilite_{p}('0)," for p in (
                    "AWVALID", "AWADDR", "WVALID", "WDATA", "WSTRB", "BREADY", "ARVALID",
                    "ARADDR", "RREADY"))
            if op == "Thresholding_rtl":
                cg = inst.get_nodeattr("code_gen_dir_ipgen")
                params = f" #(.THRESHOLDS_PATH(\"{cg}/{name}_\"))"
                extra += " .in1_V_TVALID(1'b0), .in1_V_TDATA('0),"
            d.lines.append(
                f"    wire [{po}-1:0] {name}_opad;\n"
                f"    {name}{params} u_{name} (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n),{extra}"
                f" .in0_V_TDATA({pi}'({w_in}_tdata)), .in0_V_TVALID({w_in}_tvalid), .in0_V_TREADY({w_in}_tready),"
                f" .out0_V_TDATA({name}_opad), .out0_V_TVALID({w_out}_tvalid), .out0_V_TREADY({w_out}_tready));\n"
                f"    assign {w_out}_tdata = {name}_opad[{o_s.width}-1:0];")
        else:
            raise StitchError(f"node {name} ({op}) has no RTL implementation in hw/; supported: "
                              "MVAU (XNOR, int), Thresholding, FMPadding, ConvolutionInputGenerator, "
                              "ElementwiseAdd/Sub/Mul, DuplicateStreams, StreamingConcat")

    # graph input and output
    first = next(n for n in m.graph.node if gin in n.input)
    s_in = _in_stream(getCustomOp(first))
    last = next(n for n in m.graph.node if gout in n.output)
    s_out = _out_stream(getCustomOp(last))
    edges[gin] = ("top_in", s_in, fifo_depth)
    for t, w, s in consumers_in:
        if t not in edges:
            raise StitchError(f"tensor {t} has no producer in the partition")
        src, s_src, depth = edges[t]
        _connect(d, src, s_src, w, s, depth)
    w_last = edges[gout][0]
    body = "\n".join(d.wires + d.lines)
    top = f"""// generated by hw/stitch.py from {parts[0]} -- do not edit
`default_nettype none
module sr_top (
    input  wire ap_clk,
    input  wire ap_rst_n,
    input  wire [{s_in.width}-1:0] s_axis_tdata,
    input  wire s_axis_tvalid,
    output wire s_axis_tready,
    output wire [{s_out.width}-1:0] m_axis_tdata,
    output wire m_axis_tvalid,
    input  wire m_axis_tready
);
    wire [{s_in.width}-1:0] top_in_tdata = s_axis_tdata;
    wire top_in_tvalid = s_axis_tvalid;
    wire top_in_tready;
    assign s_axis_tready = top_in_tready;
{body}
    assign m_axis_tdata = {w_last}_tdata;
    assign m_axis_tvalid = {w_last}_tvalid;
    assign {w_last}_tready = m_axis_tready;
endmodule
`default_nettype wire
"""
    (out / "sr_top.sv").write_text(top)
    files = list(dict.fromkeys(d.files)) + [str(out / "sr_top.sv")]
    # packages first (the SWG's swg_pkg), then the rest
    files.sort(key=lambda f: 0 if f.endswith("_pkg.sv") else 1)
    (out / "filelist.txt").write_text("\n".join(files) + "\n")
    in_shape = m.get_tensor_shape(gin)
    out_shape = m.get_tensor_shape(gout)
    info = {"top": "sr_top", "in": {"elems": s_in.elems, "bits": s_in.bits, "shape": in_shape,
                                    "signed": bool(getCustomOp(first).get_input_datatype().signed())},
            "out": {"elems": s_out.elems, "bits": s_out.bits, "shape": out_shape,
                    "signed": bool(getCustomOp(last).get_output_datatype().signed())},
            "files": files}
    (out / "stitch.json").write_text(json.dumps(info, indent=2))
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True, help="export/to_finn.py output directory")
    ap.add_argument("--out", type=Path, help="default: BUILD/rtl")
    a = ap.parse_args(argv)
    info = stitch(a.build, a.out or a.build / "rtl")
    print(json.dumps({k: v for k, v in info.items() if k != "files"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
