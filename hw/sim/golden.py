# SPDX-License-Identifier: MIT
"""Golden models and memory files of the RTL cores, taken from FINN's own node execution.

``mvau_model`` builds a one-node graph of FINN's unspecialised ``MVAU`` (the node the
export writes); ``mvau_execute`` runs it in Python. The RTL is checked against that, and
the memory-file writers define the layout the SystemVerilog cores read.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper
from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.util.basic import qonnx_make_model

from .host import from_words, to_words


def popcount_width(mw: int) -> int:
    """Unsigned bits of a popcount in [0, MW]."""
    return max(1, math.ceil(math.log2(mw + 1)))


def mvau_model(W: np.ndarray, T: np.ndarray | None, simd: int, pe: int, out_dt: str,
               act_val: int, n_vectors: int = 1, in_dt: str = "BINARY", w_dt: str = "BINARY",
               acc_dt: str | None = None) -> ModelWrapper:
    """One FINN ``MVAU`` node: XNOR mode when input and weights are BINARY, else integer.

    Args:
        W: (MW, MH) weights: bits in {0, 1} (bit 0 means −1) or integers of ``w_dt``.
        T: (MH, NT) thresholds (on the popcount in XNOR mode), or None for raw output.
        simd, pe: folding.
        out_dt: FINN output datatype name (e.g. "INT8"; with T None, the popcount type).
        act_val: FINN ``ActVal`` (added to the threshold count).
        n_vectors: input vectors per call.
        in_dt, w_dt: input and weight datatype names.
        acc_dt: accumulator/threshold datatype (default: the popcount width in XNOR mode).
    """
    mw, mh = W.shape
    xnor = in_dt == "BINARY" and w_dt == "BINARY"
    acc_dt = acc_dt or f"UINT{popcount_width(mw)}"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n_vectors, mw])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n_vectors, mh])
    inputs = ["x", "W"] + (["T"] if T is not None else [])
    node = helper.make_node(
        "MVAU", inputs, ["y"], domain="finn.custom_op.fpgadataflow", backend="fpgadataflow",
        MW=mw, MH=mh, SIMD=simd, PE=pe, inputDataType=in_dt, weightDataType=w_dt,
        outputDataType=out_dt, binaryXnorMode=int(xnor), noActivation=0 if T is not None else 1,
        ActVal=act_val, numInputVectors=[n_vectors], accDataType=acc_dt)
    m = ModelWrapper(qonnx_make_model(helper.make_graph([node], "mvau", [x], [y]),
                                      producer_name="bnfree-sr"))
    m.set_tensor_datatype("x", DataType[in_dt])
    m.set_initializer("W", W.astype(np.float32))
    m.set_tensor_datatype("W", DataType[w_dt])
    if T is not None:
        m.set_initializer("T", T.astype(np.float32))
        m.set_tensor_datatype("T", DataType[acc_dt])
    m.set_tensor_datatype("y", DataType[out_dt])
    return m


def mvau_execute(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """FINN's Python execution of the MVAU node: x (N, MW) bits -> (N, MH) integers."""
    from qonnx.core.onnx_exec import execute_onnx

    return execute_onnx(model, {"x": x.astype(np.float32)})["y"].astype(np.int64)


# ---------------------------------------------------------------- memory files
def write_weight_mem(W: np.ndarray, simd: int, pe: int, path: Path, width: int = 1) -> None:
    """Weights (MW, MH) -> NF*SF hex words of PE*SIMD elements of ``width`` bits (two's
    complement); element (p, i) of word (nf, sf) is W[sf*SIMD + i, nf*PE + p] at bits
    (p*SIMD + i)*width."""
    mw, mh = W.shape
    mask = (1 << width) - 1
    lines = []
    for nf in range(mh // pe):
        for sf in range(mw // simd):
            word = 0
            for p in range(pe):
                for i in range(simd):
                    word |= (int(W[sf * simd + i, nf * pe + p]) & mask) << ((p * simd + i) * width)
            lines.append(f"{word:x}")
    Path(path).write_text("\n".join(lines) + "\n")


def write_thresh_mem(T: np.ndarray, path: Path, width: int | None = None) -> None:
    """Thresholds (MH, NT) integers -> MH*NT hex words, neuron-major; ``width`` bits two's
    complement (None: non-negative popcount thresholds)."""
    if width is None:
        if T.min() < 0:
            raise ValueError("popcount thresholds must be non-negative (clip them first)")
        vals = [int(t) for t in T.reshape(-1)]
    else:
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        if T.min() < lo or T.max() > hi:
            raise ValueError(f"thresholds do not fit {width} signed bits")
        vals = [int(t) & ((1 << width) - 1) for t in T.reshape(-1)]
    Path(path).write_text("\n".join(f"{v:x}" for v in vals) + "\n")


def pack_bits(x: np.ndarray, simd: int, width: int = 1) -> list[int]:
    """An input vector (MW,) -> SF stream words of SIMD elements (element sf*SIMD + i at bits
    i*width, two's complement): the host's stream packing."""
    return to_words(np.asarray(x), simd, width)


def unpack_lanes(word: int, pe: int, width: int, signed: bool) -> list[int]:
    """An output stream word -> PE lane values (lane 0 in the LSBs)."""
    return from_words([word], pe, width, signed).tolist()


# ---------------------------------------------------------------- stream operators
def add_lanes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """FINN ElementwiseAdd of two integer streams (exact, no saturation)."""
    return a.astype(np.int64) + b.astype(np.int64)


def concat_channels(parts: list[np.ndarray]) -> np.ndarray:
    """FINN StreamingConcat: per pixel (rows), the channels of input 0, then input 1, ..."""
    return np.concatenate(parts, axis=1)
