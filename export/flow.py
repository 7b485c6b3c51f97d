# SPDX-License-Identifier: MIT
"""The export flow as data: an ordered list of named steps ``step_x(model, ctx) -> model``.

Brevitas -> QONNX -> FINN -> streamlined all-integer graph -> XNOR-popcount -> HW layers ->
dataflow partition -> folding -> specialised layers -> generated code -> estimates.
Each step saves ``OUT/steps/NN_name.onnx`` and, where the graph can be executed in Python,
is checked against the golden pair with ``==`` on every element (``OUT/verify.json``).
"""
from __future__ import annotations

import json
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

# Known-harmless qonnx warnings, filtered where they arise (the export log keeps the rest):
# executing a step, qonnx rounds float results that lie within its execution error bound
# onto the annotated integer type (beyond the bound it raises; every step is then compared
# with PyTorch element for element anyway), and it assumes NCHW for 4D inputs, which ours are.
warnings.filterwarnings("ignore", message=r"The values of tensor .* can't be represented",
                        module=r"qonnx\.")
warnings.filterwarnings("ignore", message="Assuming 4D input is NCHW", module=r"qonnx\.")

from model.data import load_pairs
from model.toollog import say, to_file as tool_log
from model.evaluate import write_json_atomic
from model.registry import model_from_checkpoint, resolve_checkpoint

from .config import ExportConfig
from .errors import ExportError, UnsupportedGraphError, VerificationError
from . import paths
from .finn_env import finn_env

ROOT = Path(__file__).resolve().parents[1]
SHARED_SET5 = ROOT.parent / "shared" / "datasets" / "Set5"


@dataclass
class Context:
    """What the steps share: config, the PyTorch model, the golden pair, the records."""

    cfg: ExportConfig
    net: torch.nn.Module = None
    ckpt: dict = None
    golden_in: np.ndarray = None
    golden_out: np.ndarray = None
    verify: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    @property
    def exact_contract(self) -> bool:
        """BTM/MRB models honour the numeric contract; BN models may show near ties."""
        return self.net.block_type in ("btm", "mrb")


# ---------------------------------------------------------------- golden pair
def make_golden(ctx: Context) -> None:
    """Golden input (real crops + random images, uint8) and the PyTorch output."""
    cfg, net = ctx.cfg, ctx.net
    h, w = cfg.input_hw
    s = net.scale
    rng = np.random.default_rng(cfg.seed)
    imgs = []
    if cfg.golden_real:
        pairs = load_pairs(SHARED_SET5 if SHARED_SET5.is_dir() else None, s)
        for p in pairs:
            src = p.lr if net.backbone == "edsr" else p.hr
            if src.shape[0] >= h and src.shape[1] >= w:
                y0 = (src.shape[0] - h) // 2
                x0 = (src.shape[1] - w) // 2
                imgs.append(src[y0: y0 + h, x0: x0 + w].transpose(2, 0, 1))
            if len(imgs) == cfg.golden_real:
                break
    for _ in range(cfg.golden_random):
        imgs.append(rng.integers(0, 256, (3, h, w), dtype=np.uint8))
    x = np.stack(imgs).astype(np.uint8)
    with torch.no_grad():
        y = net(torch.from_numpy(x).float()).numpy()
    if ctx.net.quantized:
        assert np.array_equal(y, np.round(y))
    ctx.golden_in, ctx.golden_out = x, y.astype(np.float32)
    gdir = cfg.out / "golden"
    gdir.mkdir(parents=True, exist_ok=True)
    np.save(gdir / "input.npy", x)
    np.save(gdir / "expected_output.npy", y.astype(np.uint8) if net.quantized else y)


def execute(model, x: np.ndarray) -> np.ndarray:
    """Python execution of one graph on one input (batch 1)."""
    from qonnx.core.onnx_exec import execute_onnx

    iname, oname = model.graph.input[0].name, model.graph.output[0].name
    return execute_onnx(model, {iname: x.astype(np.float32)})[oname]


def verify_step(model, ctx: Context, step: str) -> dict:
    """Run the graph on every golden input and compare element by element with ``==``."""
    n = mism = 0
    first = None
    oshape = ctx.golden_out.shape[1:]
    ishape = tuple(model.get_tensor_shape(model.graph.input[0].name))
    for i in range(len(ctx.golden_in)):
        x = ctx.golden_in[i: i + 1]
        if ishape[-1] == 3 and ishape[1] != 3:  # NHWC input after layout conversion
            x = x.transpose(0, 2, 3, 1)
        y = execute(model, x)
        if y.shape[1:] != oshape and y.ndim == 4 and y.shape[-1] == oshape[0]:
            y = y.transpose(0, 3, 1, 2)
        y = y.reshape((1,) + oshape)
        bad = np.argwhere(y[0] != ctx.golden_out[i])
        if len(bad) and first is None:
            first = [i] + bad[0].tolist()
        mism += len(bad)
        n += y.size
    rec = {"step": step, "compared": int(n), "mismatches": int(mism)}
    if first is not None:
        rec["first_mismatch"] = first
    ctx.verify.append(rec)
    if mism and ctx.exact_contract:
        raise VerificationError(
            f"step {step}: {mism} of {n} outputs differ from the PyTorch golden output; first "
            f"mismatch at (image, c, y, x) = {tuple(first)}. The graph saved in "
            f"{ctx.cfg.out / 'steps'} for this step is the one that diverged.")
    return rec


def not_compared(ctx: Context, step: str, why: str) -> None:
    ctx.verify.append({"step": step, "compared": 0, "mismatches": None, "reason": why})


# ---------------------------------------------------------------- steps
def step_qonnx_export(model, ctx: Context):
    """Brevitas -> QONNX, cleaned up; input annotated UINT8; contract rounding mode set."""
    from brevitas.export import export_qonnx
    from qonnx.core.datatype import DataType
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.basic import get_by_name
    from qonnx.util.cleanup import cleanup_model

    from . import qonnx_rounding

    path = ctx.cfg.out / "steps" / "brevitas_raw.onnx"
    x = torch.from_numpy(ctx.golden_in[:1]).float()
    export_qonnx(ctx.net, x, str(path))
    model = cleanup_model(ModelWrapper(str(path)))
    path.unlink()
    model.set_tensor_datatype(model.graph.input[0].name, DataType["UINT8"])
    for n in model.graph.node:
        if n.op_type == "Quant" and model.get_initializer(n.input[0]) is None:
            # activation quantizers round half up (weights keep Brevitas' half-even ROUND)
            get_by_name(n.attribute, "rounding_mode").s = qonnx_rounding.MODE.encode()
    return model


def step_convert_to_finn(model, ctx):
    """QONNX -> FINN: activation Quant -> MultiThreshold, weight Quant folded."""
    from finn.transformation.qonnx.convert_qonnx_to_finn import ConvertQONNXtoFINN

    from .transforms import DuplicateForkedWeightQuant

    model = model.transform(DuplicateForkedWeightQuant())  # ABC weight bases
    return model.transform(ConvertQONNXtoFINN())


def _fixpoint(model, passes, max_rounds: int = 12):
    """Apply ``passes`` in order until a whole round changes nothing (bounded)."""
    from qonnx.transformation.infer_datatypes import InferDataTypes
    from qonnx.transformation.infer_shapes import InferShapes

    for _ in range(max_rounds):
        before = model.model.SerializeToString()
        for p in passes:
            model = model.transform(p)
        model = model.transform(InferShapes()).transform(InferDataTypes())
        if model.model.SerializeToString() == before:
            return model
    return model


def step_streamline(model, ctx):
    """All-integer residual stream: PReLU and scales into thresholds, integer adds.

    A fixed, bounded order of FINN's own passes (FINN's ``Streamline`` leaves the residual
    stream in float; naive repetition of its residual group made a cyclic graph): split
    forks first, then move scalar multiplies past the residual adds, then absorb.
    """
    import finn.transformation.streamline.absorb as absorb
    import finn.transformation.streamline.reorder as reorder
    from qonnx.core.datatype import DataType

    from .transforms import (AbsorbPReLUIntoMultiThreshold, ConvertConstSubToAdd,
                             FactorPoTMulOutOfAdd, MoveMultiThresholdBeforeDepthToSpace)

    from qonnx.transformation.batchnorm_to_affine import BatchNormToAffine

    model = model.transform(BatchNormToAffine())  # the BN baseline: BN -> Mul/Add -> thresholds
    model = model.transform(AbsorbPReLUIntoMultiThreshold())
    model = model.transform(ConvertConstSubToAdd())  # ABC: sign(x - theta_n)
    model = _fixpoint(model, [FactorPoTMulOutOfAdd(), absorb.AbsorbSignBiasIntoMultiThreshold(), reorder.MoveLinearPastFork(),
                              reorder.MoveLinearPastEltwiseAdd(), reorder.MoveScalarMulPastConv(),
                              absorb.AbsorbMulIntoMultiThreshold(),
                              absorb.AbsorbAddIntoMultiThreshold()])
    model = model.transform(MoveMultiThresholdBeforeDepthToSpace())
    model = _fixpoint(model, [reorder.MoveScalarMulPastConv(), absorb.AbsorbMulIntoMultiThreshold(),
                              absorb.AbsorbAddIntoMultiThreshold()])
    # the mean subtraction is uint8 - integer constant: an INT9 stream
    for n in model.graph.node:
        if n.op_type == "Sub" and n.input[0] == model.graph.input[0].name:
            c = model.get_initializer(n.input[1])
            if c is not None and np.array_equal(c, np.round(c)):
                model.set_tensor_datatype(n.input[1], DataType["UINT8"])
                model.set_tensor_datatype(n.output[0], DataType["INT9"])
    from qonnx.transformation.infer_datatypes import InferDataTypes

    model = model.transform(InferDataTypes())
    for n in model.graph.node:
        if n.op_type in ("Conv", "MatMul", "Add", "Sub", "Mul", "BatchNormalization", "Relu"):
            for t in n.input:
                if model.get_initializer(t) is None and not model.get_tensor_datatype(t).is_integer():
                    raise UnsupportedGraphError(
                        n, f"input {t!r} is still floating point after streamlining",
                        "every layer must be quantized (Brevitas quantizers of model/quantizers.py); "
                        "full-precision models such as the fp teacher cannot be exported",
                        step="streamline")
    return model


def step_lower_convs(model, ctx):
    """Convs -> Im2Col + MatMul (NHWC), the −1 pad kept exact as Im2Col's pad value,
    transposes absorbed into the thresholds."""
    import finn.transformation.streamline.absorb as absorb
    import finn.transformation.streamline.reorder as reorder
    from qonnx.transformation.lower_convs_to_matmul import LowerConvsToMatMul

    from .transforms import (AbsorbConstPadIntoIm2Col, DuplicateForkedPad,
                             MoveScalarMulBeforeTranspose, MoveTransposeBeforeChannelConstOp)

    model = model.transform(DuplicateForkedPad())  # ABC: one activation basis, M convs
    model = model.transform(LowerConvsToMatMul())
    model = _fixpoint(model, [AbsorbConstPadIntoIm2Col(), MoveTransposeBeforeChannelConstOp()])
    model = _fixpoint(model, [absorb.AbsorbTransposeIntoMultiThreshold(),
                              MoveScalarMulBeforeTranspose(),  # ABC integer multipliers
                              reorder.MoveTransposePastJoinAdd(), reorder.MoveTransposePastFork(),
                              absorb.AbsorbConsecutiveTransposes()])
    return model


def step_xnor(model, ctx):
    """Bipolar MatMuls -> XnorPopcountMatMul (popcount P; 2P − K folded into thresholds),
    thresholds rounded to integers."""
    import finn.transformation.streamline.absorb as absorb
    import finn.transformation.streamline.reorder as reorder
    from finn.transformation.streamline.round_thresholds import RoundAndClipThresholds
    from qonnx.transformation.bipolar_to_xnor import ConvertBipolarMatMulToXnorPopcount

    from finn.transformation.streamline.collapse_repeated import CollapseRepeatedMul

    from .transforms import (DuplicateSharedBipolarThreshold, FactorPoTMulOutOfAdd,
                             SetBinaryIm2ColPadBit)

    model = _fixpoint(model, [DuplicateSharedBipolarThreshold()])
    model = model.transform(ConvertBipolarMatMulToXnorPopcount())
    model = model.transform(SetBinaryIm2ColPadBit())
    # MRB: identical 2P-K corrections and transposes on every branch move past the concat
    # ABC: the corrections and the integer power-of-two multipliers of the M x N popcounts
    # gather after their sum (left: an integer multiplier per branch where they differ)
    model = _fixpoint(model, [reorder.MoveTransposePastJoinConcat(), reorder.MoveMulPastJoinConcat(),
                              reorder.MoveAddPastJoinConcat(), reorder.MoveAddPastMul(),
                              CollapseRepeatedMul(), reorder.MoveLinearPastEltwiseAdd(),
                              FactorPoTMulOutOfAdd(),
                              absorb.AbsorbMulIntoMultiThreshold(), absorb.AbsorbAddIntoMultiThreshold(),
                              absorb.AbsorbTransposeIntoMultiThreshold(),
                              absorb.AbsorbConsecutiveTransposes()])
    return model.transform(RoundAndClipThresholds())


def step_hw_layers(model, ctx):
    """Graph nodes -> FINN HW layers: XNOR MVAUs (binaryXnorMode, embedded thresholds),
    int8 MVAUs, thresholding, sliding windows with padding, element-wise adds, stream
    duplication at forks."""
    from finn.transformation.fpgadataflow.convert_to_hw.binary_matrix_vector_activation import \
        InferBinaryMatrixVectorActivation
    from finn.transformation.fpgadataflow.convert_to_hw.concat import InferConcatLayer
    from finn.transformation.fpgadataflow.convert_to_hw.conv_inp_gen import InferConvInpGen
    from finn.transformation.fpgadataflow.convert_to_hw.duplicate_streams import \
        InferDuplicateStreamsLayer
    from finn.transformation.fpgadataflow.convert_to_hw.elementwise_binary_operation import \
        InferElementwiseBinaryOperation
    from finn.transformation.fpgadataflow.convert_to_hw.quantized_matrix_vector_activation import \
        InferQuantizedMatrixVectorActivation
    from finn.transformation.fpgadataflow.convert_to_hw.thresholding import InferThresholdingLayer
    from qonnx.transformation.general import GiveUniqueNodeNames
    from qonnx.transformation.infer_datatypes import InferDataTypes

    from .transforms import NarrowElementwiseOutputDatatype

    for t in (InferBinaryMatrixVectorActivation(), InferQuantizedMatrixVectorActivation(),
              InferThresholdingLayer(), InferConvInpGen(), InferElementwiseBinaryOperation(),
              InferConcatLayer(),
              InferDuplicateStreamsLayer()):
        model = model.transform(t)
    model = model.transform(InferDataTypes())
    model = model.transform(NarrowElementwiseOutputDatatype()).transform(InferDataTypes())
    for n in model.graph.node:
        if n.op_type in ("Sub", "Add", "MatMul", "MultiThreshold", "XnorPopcountMatMul", "Im2Col",
                         "PRelu", "Conv", "Pad", "Concat"):
            raise UnsupportedGraphError(
                n, "was not converted to a FINN HW layer",
                "the dataflow supports the registry's btm/mrb blocks; remove the layer or add "
                "a pass for it in export/transforms", step="hw_layers")
    return model.transform(GiveUniqueNodeNames())


def _dataflow(model):
    """(StreamingDataflowPartition node, its child model, the child's path)."""
    from qonnx.custom_op.registry import getCustomOp

    sdp = [n for n in model.graph.node if n.op_type == "StreamingDataflowPartition"]
    if len(sdp) != 1:
        raise ExportError(f"expected one dataflow partition, found {len(sdp)}: the HW layers "
                          "are not contiguous")
    path = getCustomOp(sdp[0]).get_nodeattr("model")
    return sdp[0], paths.load(path, Path(path).parents[1]), path   # BUILD/partitions/NAME


def step_partition(model, ctx):
    """Split the HW layers into one StreamingDataflowPartition; the input transpose and the
    output transpose + DepthToSpace (address reorders) stay on the host side."""
    from finn.transformation.fpgadataflow.create_dataflow_partition import CreateDataflowPartition

    pdir = (ctx.cfg.out / "partitions").resolve()
    shutil.rmtree(pdir, ignore_errors=True)
    model = model.transform(CreateDataflowPartition(partition_model_dir=str(pdir)))
    _, df, path = _dataflow(model)
    paths.save(df, path, ctx.cfg.out)   # its stored paths relative to the build
    return model


def step_fold(model, ctx):
    """Folding: FINN SetFolding for --target-fps, ApplyConfig for --folding, else PE=SIMD=1;
    then FINN's weight/accumulator width minimisation. Writes ``OUT/folding.json``."""
    from finn.transformation.fpgadataflow.minimize_accumulator_width import MinimizeAccumulatorWidth
    from finn.transformation.fpgadataflow.minimize_weight_bit_width import MinimizeWeightBitWidth
    from finn.transformation.fpgadataflow.set_folding import SetFolding
    from finn.util.config import extract_model_config_to_json
    from finn.transformation.general import ApplyConfig
    from qonnx.transformation.infer_datatypes import InferDataTypes

    cfg = ctx.cfg
    _, df, path = _dataflow(model)
    if cfg.folding is not None:
        check_folding(df, Path(cfg.folding))
        df = df.transform(ApplyConfig(str(cfg.folding)))
    elif cfg.target_fps:
        cycles = int(1e9 / cfg.clock_ns / cfg.target_fps)
        # no relaxation: FINN would relax every layer's target to the slowest layer's when
        # one MVAU stops at FINN's HLS width limits, which LiftMVAUFoldingLimit then lifts
        df = df.transform(SetFolding(target_cycles_per_frame=cycles,
                                     mvau_wwidth_max=cfg.mvau_wwidth_max,
                                     two_pass_relaxation=False))
        from .transforms import LiftMVAUFoldingLimit

        df = df.transform(LiftMVAUFoldingLimit(cycles))
    from .transforms import SetBipolarWeights, SetXnorPopcountAccumulator

    df = df.transform(MinimizeWeightBitWidth()).transform(SetBipolarWeights())
    df = df.transform(MinimizeAccumulatorWidth())
    df = df.transform(SetXnorPopcountAccumulator()).transform(InferDataTypes())
    paths.save(df, path, ctx.cfg.out)
    extract_model_config_to_json(df, str(cfg.out / "folding.json"),
                                 ["PE", "SIMD", "parallel_window", "ram_style", "mem_mode"])
    return model


def step_specialize(model, ctx):
    """SpecializeLayers for the part: XNOR/int8 MVAUs as HLS, SWG/thresholds RTL where FINN can."""
    from finn.transformation.fpgadataflow.specialize_layers import SpecializeLayers
    from qonnx.transformation.general import GiveUniqueNodeNames

    _, df, path = _dataflow(model)
    df = df.transform(SpecializeLayers(ctx.cfg.part)).transform(GiveUniqueNodeNames())
    paths.save(df, path, ctx.cfg.out)
    return model


def step_codegen(model, ctx):
    """PrepareIP: HLS C++ of the HLS layers, HDL of the RTL layers, weight/threshold files.
    No Vivado/Vitis needed; HLS synthesis would be FINN's HLSSynthIP (see README)."""
    from finn.transformation.fpgadataflow.prepare_ip import PrepareIP
    from qonnx.custom_op.registry import getCustomOp

    _, df, path = _dataflow(model)
    # FINN's HLS MVAU cannot hold a weight stream wider than ap_int's limit (video foldings
    # reach it); hw.gen's RTL does not use FINN's generated code, so the step records why it
    # was skipped instead of failing the build
    limit = 8191
    wide = [n.name for n in df.graph.node if n.op_type == "MVAU_hls"
            and getCustomOp(n).get_instream_width(1) > limit]
    if wide:
        write_json_atomic({"skipped": True, "why": f"FINN's HLS code of {', '.join(wide)} would "
                           f"need ap_int wider than {limit} bits (FINN's limit); the RTL of hw.gen "
                           "does not use it"}, ctx.cfg.out / "codegen.json")
        return model
    df = df.transform(PrepareIP(ctx.cfg.part, ctx.cfg.clock_ns))
    paths.save(df, path, ctx.cfg.out)
    return model


def step_cppsim(model, ctx):
    """FINN's generated HLS code compiled with g++ against open headers and executed
    (``export/cppsim.py``): every HLS node == FINN's Python execution of it on the same
    inputs, the network output == PyTorch (``OUT/cppsim/cppsim.json``). Skipped with a
    reason (not a failure) when the headers are missing or ``--no-cppsim`` is given."""
    from . import cppsim

    cfg = ctx.cfg
    split = cfg.verify_hw is not None and tuple(cfg.verify_hw) != tuple(cfg.input_hw)
    cg = cfg.out / "codegen.json"
    if not cfg.cppsim:
        not_compared(ctx, "cppsim", "skipped (--no-cppsim)")
    elif split:
        not_compared(ctx, "cppsim", f"run at {cfg.verify_hw[0]}x{cfg.verify_hw[1]} "
                                    "(verify/verify.json), parameters equal (parameters.json)")
    elif cg.is_file() and json.loads(cg.read_text()).get("skipped"):
        not_compared(ctx, "cppsim", "no HLS code: " + json.loads(cg.read_text())["why"])
    else:
        headers, why = cppsim.find_headers(cfg.finn_hlslib, cfg.ap_types)
        if headers is None:
            say(f"cppsim skipped: {why}")
            not_compared(ctx, "cppsim", f"skipped: {why}")
            return model
        _, df, _ = _dataflow(model)
        rec = cppsim.run_cppsim(model, df, cfg.out, ctx.golden_in, ctx.golden_out, headers,
                                progress=say)
        ctx.verify.append({"step": "cppsim", "compared": rec["compared"],
                           "mismatches": rec["mismatches"],
                           "nodes_compared": sum(r["compared"] for r in rec["nodes"].values()),
                           "node_mismatches": sum(r["mismatches"] for r in rec["nodes"].values())})
        ctx.cppsim = rec
        cppsim.check(rec, cfg.out)
    return model


def _bits(dt_name: str) -> int:
    from qonnx.core.datatype import DataType

    return DataType[dt_name].bitwidth()


def step_estimates(model, ctx):
    """FINN's analysis passes -> ``OUT/estimates.json`` (per layer and totals)."""
    from finn.analysis.fpgadataflow.exp_cycles_per_layer import exp_cycles_per_layer
    from finn.analysis.fpgadataflow.op_and_param_counts import op_and_param_counts
    from finn.analysis.fpgadataflow.res_estimation import res_estimation
    from qonnx.custom_op.registry import getCustomOp

    cfg = ctx.cfg
    _, df, _ = _dataflow(model)
    res = df.analysis(lambda m: res_estimation(m, cfg.part))
    cyc = df.analysis(exp_cycles_per_layer)
    ops = df.analysis(op_and_param_counts)
    layers = []
    for n in df.graph.node:
        inst = getCustomOp(n)
        r = res.get(n.name, {})
        a = {k: inst.get_nodeattr(k) for k in ("PE", "SIMD") if k in inst.get_nodeattr_types()}
        dts = {k: inst.get_nodeattr(k) for k in ("inputDataType", "weightDataType", "outputDataType",
                                                 "accDataType") if k in inst.get_nodeattr_types()}
        xnor = "binaryXnorMode" in inst.get_nodeattr_types() and inst.get_nodeattr("binaryXnorMode") == 1
        layers.append({"name": n.name, "op_type": n.op_type, "LUT": float(r.get("LUT", 0)),
                       "BRAM_18K": float(r.get("BRAM_18K", 0)), "URAM": float(r.get("URAM", 0)),
                       "DSP": float(r.get("DSP", 0)), "cycles": int(cyc.get(n.name, 0)),
                       "folding": a, "datatypes": dts, "xnor": bool(xnor)})
    bottleneck = max(layers, key=lambda l: l["cycles"])
    clk_hz = 1e9 / cfg.clock_ns
    total = ops.get("total", {})
    bin_macs = sum(v for k, v in total.items() if k.startswith("op_mac_1bx1b"))
    int_macs = sum(v for k, v in total.items() if k.startswith("op_mac_") and k != "op_mac_1bx1b")
    est = {"part": cfg.part, "clock_ns": cfg.clock_ns, "layers": layers,
           "totals": {"LUT": sum(l["LUT"] for l in layers),
                      "BRAM_18K": sum(l["BRAM_18K"] for l in layers),
                      "URAM": sum(l["URAM"] for l in layers),
                      "DSP": sum(l["DSP"] for l in layers),
                      "bottleneck_layer": bottleneck["name"],
                      "bottleneck_cycles": bottleneck["cycles"],
                      "fps": clk_hz / max(bottleneck["cycles"], 1),
                      "binary_macs_per_frame": int(bin_macs),
                      "int_macs_per_frame": int(int_macs)},
           "op_and_param_counts": ops}
    write_json_atomic(est, cfg.out / "estimates.json")
    ctx.estimates = est
    return model


STEPS: list[tuple[str, Callable]] = [
    ("qonnx_export", step_qonnx_export),
    ("convert_to_finn", step_convert_to_finn),
    ("streamline", step_streamline),
    ("lower_convs", step_lower_convs),
    ("xnor", step_xnor),
    ("hw_layers", step_hw_layers),
    ("partition", step_partition),
    ("specialize", step_specialize),
    ("fold", step_fold),
    ("codegen", step_codegen),
    ("cppsim", step_cppsim),
    ("estimates", step_estimates),
]
from .config import STEP_NAMES  # noqa: E402

assert tuple(n for n, _ in STEPS) == STEP_NAMES, "export.config.STEP_NAMES is out of date"
#: steps that record their own check in ``verify.json``
SELF_VERIFIED = {"cppsim"}
#: steps whose output graph cannot be executed in Python (reason)
NOT_EXECUTABLE: dict[str, str] = {
    "specialize": "specialised HLS/RTL layers execute only in cppsim/rtlsim: the cppsim step "
                  "runs the generated HLS code (rtlsim needs Vivado's xsim)",
    "fold": "folds the specialised layers (FINN's SetFolding needs them), see specialize",
    "codegen": "generated code: executed by the cppsim step",
    "estimates": "analysis only: the graph is the one of codegen",
}


#: node attributes that follow the frame size (or name generated files): they may differ
#: between the big build and the verified small one; every other attribute and every
#: initializer (weights, thresholds) must be equal
FRAME_ATTRS = {"IFMDim", "OFMDim", "ImgDim", "numInputVectors", "lhs_shape", "rhs_shape",
               "out_shape", "code_gen_dir_ipgen", "code_gen_dir_cppsim", "ipgen_path",
               "ip_path", "ip_vlnv", "gen_top_module", "executable_path", "rtlsim_so",
               "res_estimate", "res_hls", "cycles_estimate", "cycles_rtlsim"}


def compare_parameters(big, small) -> dict:
    """Every layer of two dataflow partitions (ModelWrappers) has equal parameters:
    node names and types in order, every attribute outside ``FRAME_ATTRS``, every
    initializer (weights, thresholds) and every tensor datatype. Returns the record;
    ``differences`` lists what is not equal."""
    from qonnx.custom_op.registry import getCustomOp

    diffs, n_init, n_attr = [], 0, 0
    bn, sn = list(big.graph.node), list(small.graph.node)
    if [(n.name, n.op_type) for n in bn] != [(n.name, n.op_type) for n in sn]:
        return {"nodes": len(bn), "differences": ["the layer lists differ: "
                f"{[n.name for n in bn]} vs {[n.name for n in sn]}"]}
    for b, s in zip(bn, sn):
        ib_, is__ = getCustomOp(b), getCustomOp(s)  # attribute values with their defaults
        for k in sorted(ib_.get_nodeattr_types()):
            if k in FRAME_ATTRS:
                continue
            n_attr += 1
            vb, vs = ib_.get_nodeattr(k), is__.get_nodeattr(k)
            if vb != vs:
                diffs.append(f"{b.name}: attribute {k} = {vb!r} vs {vs!r}")
        for tb, ts in zip(b.input, s.input):
            ib, is_ = big.get_initializer(tb), small.get_initializer(ts)
            if (ib is None) != (is_ is None):
                diffs.append(f"{b.name}: input {tb} is a parameter in only one build")
            elif ib is not None:
                n_init += 1
                if ib.shape != is_.shape or not np.array_equal(ib, is_):
                    diffs.append(f"{b.name}: parameter {tb} differs")
            if big.get_tensor_datatype(tb) != small.get_tensor_datatype(ts):
                diffs.append(f"{b.name}: datatype of {tb} differs")
    return {"nodes": len(bn), "attributes_compared": n_attr, "parameters_compared": n_init,
            "differences": diffs}


def verify_small(ctx: Context) -> None:
    """The big build's check (``verify_hw``): export the same checkpoint at the small frame
    with the big build's folding into ``OUT/verify/``, every executable step compared with
    PyTorch there, then every layer's parameters compared (``OUT/parameters.json``)."""
    from dataclasses import replace


    cfg = ctx.cfg
    small_cfg = replace(cfg, out=cfg.out / "verify", input_hw=tuple(cfg.verify_hw),
                        verify_hw=None, target_fps=None, folding=cfg.out / "folding.json",
                        start_step=None, stop_step=None)
    small = run_export(small_cfg)
    rec = compare_parameters(_dataflow(ctx.model)[1], _dataflow(paths.load(
        small_cfg.out / "steps" / f"{len(STEPS) - 1:02d}_{STEPS[-1][0]}.onnx", small_cfg.out))[1])
    rec.update(big_hw=list(cfg.input_hw), verified_hw=list(cfg.verify_hw),
               verified_steps=[r for r in small.verify if r["compared"]])
    write_json_atomic(rec, cfg.out / "parameters.json")
    if rec["differences"]:
        raise VerificationError(
            f"the {cfg.input_hw[0]}x{cfg.input_hw[1]} build's layers differ from the verified "
            f"{cfg.verify_hw[0]}x{cfg.verify_hw[1]} build's: {rec['differences'][0]} "
            f"({len(rec['differences'])} differences, {cfg.out / 'parameters.json'})")
    for r in small.verify:
        if r["compared"]:
            ctx.verify.append(dict(r, step=r["step"], at=list(cfg.verify_hw)))


#: what a build directory holds (``prepare_out`` replaces a previous build whole)
BUILD_ENTRIES = ("steps", "partitions", "golden", "verify", "finn_tmp", "cppsim", "rtl", "rtl_run", "synth",
                 "upscale", "fastsim", "config.json", "verify.json", "estimates.json",
                 "folding.json", "parameters.json", "finn_settings.yaml", "codegen.json", "export.log", "DONE",
                 "FAILED.txt")


def prepare_out(out: Path, fresh: bool) -> None:
    """The build directory: created; a previous build there is removed whole when this run
    starts from the first step (never a mix of two builds); a directory holding anything
    else is refused."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"--out {out} is a file; give a directory for the build")
    if out.is_dir() and fresh:
        entries = list(out.iterdir())
        if entries and not (out / "config.json").is_file():
            raise ExportError(f"--out {out} holds files that are not a build "
                              f"({', '.join(sorted(e.name for e in entries)[:3])}...); give an "
                              "empty or new directory")
        for e in entries:
            if e.name in BUILD_ENTRIES:
                shutil.rmtree(e) if e.is_dir() else e.unlink()
    out.mkdir(parents=True, exist_ok=True)


#: a Xilinx part name FINN can specialise and estimate for: a 7-series, Zynq UltraScale+,
#: Kintex/Virtex UltraScale(+), Alveo or Versal device, then package and speed grade
PART_RE = r"^x[cqa](7[azkvs]\d+|zu\d+(cg|eg|ev|dr)|ku\d+p?|vu\d+p?|u\d+c?|v[cepm]\d+|k26)[A-Za-z0-9-]*$"


def check_part(part: str) -> str:
    """A FINN board name (``Pynq-Z2``, ``ZCU104``, ..: its part) or a Xilinx part name."""
    import re

    from finn.util.basic import part_map

    if part in part_map:
        return part_map[part]
    if not re.match(PART_RE, part):
        raise ExportError(f"--part {part!r} is not a Xilinx part FINN knows (e.g. "
                          f"xc7z020clg400-1, xczu7ev-ffvc1156-2-e) nor a board name "
                          f"({', '.join(sorted(part_map)[:6])}, ...)")
    return part


def check_config(cfg: ExportConfig) -> None:
    """Arguments checked before any work: sizes and targets positive, the part known, the
    folding file a readable JSON object of node settings."""
    cfg.part = check_part(cfg.part)
    for name, hw in (("--input-hw", cfg.input_hw), ("--verify-hw", cfg.verify_hw)):
        if hw is not None and (len(hw) != 2 or min(hw) <= 0):
            raise ExportError(f"{name} {' '.join(map(str, hw))}: give two positive sizes H W")
    if cfg.golden_real + cfg.golden_random <= 0:
        raise ExportError(f"--golden-real {cfg.golden_real} --golden-random {cfg.golden_random}: "
                          "the golden input needs at least one image")
    if cfg.target_fps is not None and not cfg.target_fps > 0:
        raise ExportError(f"--target-fps {cfg.target_fps}: give a positive frame rate")
    if not cfg.clock_ns > 0:
        raise ExportError(f"--clock-ns {cfg.clock_ns}: give a positive clock period")
    if cfg.folding is not None:
        f = Path(cfg.folding)
        if not f.is_file():
            raise ExportError(f"--folding {f} does not exist")
        try:
            d = json.loads(f.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ExportError(f"--folding {f} is not JSON ({e}); write it in FINN's folding "
                              "format ({\"NODE\": {\"PE\": n, ...}})") from None
        if not isinstance(d, dict) or not all(isinstance(v, dict) for v in d.values()):
            raise ExportError(f"--folding {f}: expected an object of node settings "
                              "({\"NODE\": {\"PE\": n, ...}}), as folding.json of a build")


def check_folding(df, folding: Path) -> None:
    """The folding file against the dataflow: every node it names exists, and each PE/SIMD
    divides what it folds."""
    from qonnx.custom_op.registry import getCustomOp

    d = json.loads(Path(folding).read_text())
    nodes = {n.name: n for n in df.graph.node}
    unknown = [k for k in d if k != "Defaults" and k not in nodes]
    if unknown:
        raise ExportError(f"--folding {folding}: unknown node(s) {', '.join(unknown[:4])}; the "
                          f"dataflow's nodes are {', '.join(list(nodes)[:6])}... (see folding.json "
                          "of a build of the same checkpoint)")
    folds = {"PE": ("MH", "NumChannels", "Labels"), "SIMD": ("MW", "IFMChannels", "NumChannels")}
    for k, v in d.items():
        if k == "Defaults":
            continue
        inst = getCustomOp(nodes[k])
        types = inst.get_nodeattr_types()
        for attr, val in v.items():
            if attr not in types:
                known = ", ".join(a for a in ("PE", "SIMD", "parallel_window", "ram_style",
                                              "mem_mode", "resType") if a in types)
                raise ExportError(f"--folding {folding}: node {k} ({nodes[k].op_type}) has no "
                                  f"attribute {attr!r}; its folding attributes are {known}")
            spec = types[attr]
            if spec[0] == "i" and (isinstance(val, bool) or not isinstance(val, int)):
                raise ExportError(f"--folding {folding}: node {k}: {attr} {val!r} must be an "
                                  "integer (a JSON number without quotes or decimals)")
            if spec[0] == "s" and not isinstance(val, str):
                raise ExportError(f"--folding {folding}: node {k}: {attr} {val!r} must be a string")
            if len(spec) > 3 and spec[3] is not None and val not in spec[3]:
                raise ExportError(f"--folding {folding}: node {k}: {attr} {val!r} is not one of "
                                  f"{', '.join(map(repr, sorted(spec[3], key=str)))}")
        for attr, of in folds.items():
            if attr not in v:
                continue
            total = next((inst.get_nodeattr(a) for a in of if a in types), None)
            if v[attr] <= 0 or (total and total % v[attr]):
                raise ExportError(f"--folding {folding}: node {k}: {attr} {v[attr]} does not "
                                  f"divide {total}; choose a positive divisor of {total}")


def step_names() -> list[str]:
    return [n for n, _ in STEPS]


def run_export(cfg: ExportConfig) -> Context:
    """Run the configured range of steps; returns the context with the verify records."""

    names = step_names()
    for s in (cfg.start_step, cfg.stop_step):
        if s is not None and s not in names:
            raise ExportError(f"unknown step {s!r}; steps are: {', '.join(names)}")
    check_config(cfg)
    cfg.ckpt, cfg.out = resolve_checkpoint(cfg.ckpt).resolve(), Path(cfg.out).resolve()
    if cfg.folding is not None:
        cfg.folding = Path(cfg.folding).resolve()
    out = cfg.out
    if not cfg.ckpt.is_file():
        raise ExportError(f"--ckpt {cfg.ckpt} does not exist; pass the ckpt.pt that "
                          "model.train wrote (runs/NAME/ckpt.pt) or pretrained:NAME")
    ck_hash = file_sha256(cfg.ckpt)
    if cfg.start_step is not None:
        check_continuation(cfg, ck_hash)
    prepare_out(out, fresh=cfg.start_step is None)
    from model import interrupt

    interrupt.watch(out)     # from here on an interrupt marks this build FAILED.txt
    for marker in ("DONE", "FAILED.txt", "STOPPED.txt"):
        (out / marker).unlink(missing_ok=True)
    (out / "steps").mkdir(exist_ok=True)
    name = "before the first step"
    # what torch, Brevitas, qonnx, FINN and g++ print goes to OUT/export.log; the console
    # gets the results (to_finn prints them) and the cppsim progress lines
    with tool_log(out / "export.log"):
        try:
            finn_env(out)
            write_json_atomic(config_record(cfg, ck_hash), out / "config.json")
            split = cfg.verify_hw is not None and tuple(cfg.verify_hw) != tuple(cfg.input_hw)
            ctx = Context(cfg)
            ctx.net, ctx.ckpt = model_from_checkpoint(cfg.ckpt)
            blockers = ctx.net.export_blockers()
            if blockers:
                raise ExportError(f"checkpoint {cfg.ckpt} ({ctx.ckpt.get('arch')}) cannot be exported "
                                  "to an integer dataflow: " + "; ".join(blockers))
            make_golden(ctx)
            i0 = names.index(cfg.start_step) if cfg.start_step else 0
            i1 = names.index(cfg.stop_step) if cfg.stop_step else len(names) - 1
            model = None
            if i0 > 0:
                prev = out / "steps" / f"{i0 - 1:02d}_{names[i0 - 1]}.onnx"
                if not prev.is_file():
                    raise ExportError(f"--start-step {names[i0]} needs {prev} from an earlier run")
                model = paths.load(prev, out)
                part = prev.with_name(prev.stem + ".partition.onnx")
                if part.is_file():  # the partition as the previous step left it
                    shutil.copyfile(part, _dataflow(model)[2])
            verify_path = out / "verify.json"
            if i0 > 0 and verify_path.is_file():
                ctx.verify = [r for r in json.loads(verify_path.read_text())
                              if names.index(r["step"]) < i0]
            for i in range(i0, i1 + 1):
                name, fn = STEPS[i]
                interrupt.step(name)
                t = time.time()
                try:
                    model = fn(model, ctx)
                except (ExportError, UnsupportedGraphError):
                    raise
                except MemoryError:
                    raise ExportError(f"step {name}: out of memory at {cfg.input_hw[0]}x"
                                      f"{cfg.input_hw[1]}; export a large frame with --verify-hw 32 32 "
                                      "(verified at a small frame with the same folding)") from None
                except Exception as e:  # a FINN/qonnx pass failed: name the step
                    raise ExportError(f"step {name} failed: {type(e).__name__}: {e}") from e
                paths.save(model, out / "steps" / f"{i:02d}_{name}.onnx", out)
                if i >= names.index("partition"):  # the steps after it change the partition
                    shutil.copyfile(_dataflow(model)[2],
                                    out / "steps" / f"{i:02d}_{name}.partition.onnx")
                if name in SELF_VERIFIED:
                    pass
                elif name in NOT_EXECUTABLE:
                    not_compared(ctx, name, NOT_EXECUTABLE[name])
                elif split:
                    not_compared(ctx, name, f"verified at {cfg.verify_hw[0]}x{cfg.verify_hw[1]} "
                                            "(verify/verify.json), parameters equal (parameters.json)")
                else:
                    verify_step(model, ctx, name)
                ctx.timings[name] = round(time.time() - t, 2)
                write_json_atomic(ctx.verify, verify_path)
            if split and i1 == len(names) - 1:
                ctx.model = model
                verify_small(ctx)
                write_json_atomic(ctx.verify, verify_path)
        except MemoryError:
            _failed(out, name, "MemoryError: out of memory")
            raise ExportError(f"{name}: out of memory at {cfg.input_hw[0]}x{cfg.input_hw[1]}; export "
                              "a large frame with --verify-hw 32 32") from None
        except BaseException as e:  # KeyboardInterrupt included: nothing half-done looks finished
            if "ctx" in locals():
                write_json_atomic(ctx.verify, out / "verify.json")
            why = "interrupted (KeyboardInterrupt)" if isinstance(e, KeyboardInterrupt) else \
                f"{type(e).__name__}: {e}"
            _failed(out, name, why)
            raise
    if i1 < len(names) - 1:
        # a partial build is not a finished one: hw.gen and the rest refuse it
        (out / "STOPPED.txt").write_text(
            f"stopped after step {names[i1]} (--stop-step); continue with --start-step "
            f"{names[i1 + 1]}\n")
    else:
        (out / "DONE").write_text("ok\n")
    interrupt.finished()
    ctx.model = model
    return ctx


def _failed(out: Path, name: str, why: str) -> None:
    where = name if name.startswith("before") else f"step {name}"
    (out / "FAILED.txt").write_text(f"{where}: {why}\n")


def file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def config_record(cfg: ExportConfig, ck_hash: str) -> dict:
    """``config.json``: the configuration, paths of the build's own files relative to it
    (``out`` is "."), the checkpoint's absolute path and content hash (an input)."""
    d = json.loads(cfg.to_json())
    d["out"] = "."
    d["ckpt_sha256"] = ck_hash
    return d


def check_continuation(cfg: ExportConfig, ck_hash: str) -> None:
    """``--start-step`` continues a build of the same checkpoint and frame size only."""
    p = Path(cfg.out) / "config.json"
    if not p.is_file():
        raise ExportError(f"--start-step {cfg.start_step}: {cfg.out} is not a build (no "
                          "config.json); export from the first step")
    try:
        old = json.loads(p.read_text())
        assert isinstance(old, dict)
    except (json.JSONDecodeError, UnicodeDecodeError, AssertionError):
        raise ExportError(f"--start-step {cfg.start_step}: {p} is truncated or not JSON; export "
                          "from the first step") from None
    diffs = []
    if old.get("ckpt_sha256") not in (None, ck_hash):
        diffs.append(f"checkpoint {cfg.ckpt} (the build was made from {old.get('ckpt')}, "
                     "other weights)")
    elif old.get("ckpt_sha256") is None and Path(str(old.get("ckpt"))).resolve() != Path(cfg.ckpt):
        diffs.append(f"checkpoint {cfg.ckpt} (the build was made from {old.get('ckpt')})")
    for key, flag in (("input_hw", "--input-hw"), ("verify_hw", "--verify-hw")):
        a, b = old.get(key), getattr(cfg, key)
        if (list(a) if a else None) != (list(b) if b else None):
            diffs.append(f"{flag} {' '.join(map(str, b)) if b else '(none)'} (the build's: "
                         f"{' '.join(map(str, a)) if a else '(none)'})")
    if diffs:
        raise ExportError(f"--start-step {cfg.start_step}: {cfg.out} was made from another "
                          f"configuration: {diffs[0]}; continue with the build's own, or export "
                          "into a new --out from the first step")
