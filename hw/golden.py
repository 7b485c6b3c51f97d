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


def popcount_width(mw: int) -> int:
    """Unsigned bits of a popcount in [0, MW]."""
    return max(1, math.ceil(math.log2(mw + 1)))


def mvau_model(W: np.ndarray, T: np.ndarray | None, simd: int, pe: int, out_dt: str,
               act_val: int, n_vectors: int = 1) -> ModelWrapper:
    """One FINN ``MVAU`` node in XNOR mode (binary in, binary weights).

    Args:
        W: (MW, MH) weights in {0, 1} (bit 0 means −1).
        T: (MH, NT) thresholds on the popcount, or None for popcount output.
        simd, pe: folding.
        out_dt: FINN output datatype name (e.g. "INT8"; with T None, the popcount type).
        act_val: FINN ``ActVal`` (added to the threshold count).
        n_vectors: input vectors per call.
    """
    mw, mh = W.shape
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n_vectors, mw])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n_vectors, mh])
    inputs = ["x", "W"] + (["T"] if T is not None else [])
    node = helper.make_node(
        "MVAU", inputs, ["y"], domain="finn.custom_op.fpgadataflow", backend="fpgadataflow",
        MW=mw, MH=mh, SIMD=simd, PE=pe, inputDataType="BINARY", weightDataType="BINARY",
        outputDataType=out_dt, binaryXnorMode=1, noActivation=0 if T is not None else 1,
        ActVal=act_val, numInputVectors=[n_vectors], accDataType=f"UINT{popcount_width(mw)}")
    m = ModelWrapper(qonnx_make_model(helper.make_graph([node], "mvau", [x], [y]),
                                      producer_name="bnfree-sr"))
    m.set_tensor_datatype("x", DataType["BINARY"])
    m.set_initializer("W", W.astype(np.float32))
    m.set_tensor_datatype("W", DataType["BINARY"])
    if T is not None:
        m.set_initializer("T", T.astype(np.float32))
        m.set_tensor_datatype("T", DataType[f"UINT{popcount_width(mw)}"])
    m.set_tensor_datatype("y", DataType[out_dt])
    return m


def mvau_execute(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """FINN's Python execution of the MVAU node: x (N, MW) bits -> (N, MH) integers."""
    from qonnx.core.onnx_exec import execute_onnx

    return execute_onnx(model, {"x": x.astype(np.float32)})["y"].astype(np.int64)


# ---------------------------------------------------------------- memory files
def write_weight_mem(W: np.ndarray, simd: int, pe: int, path: Path) -> None:
    """Weights (MW, MH) bits -> NF*SF hex words of PE*SIMD bits (lane p at bits p*SIMD)."""
    mw, mh = W.shape
    sf_n, nf_n = mw // simd, mh // pe
    lines = []
    for nf in range(nf_n):
        for sf in range(sf_n):
            word = 0
            for p in range(pe):
                for i in range(simd):
                    if W[sf * simd + i, nf * pe + p]:
                        word |= 1 << (p * simd + i)
            lines.append(f"{word:x}")
    Path(path).write_text("\n".join(lines) + "\n")


def write_thresh_mem(T: np.ndarray, path: Path) -> None:
    """Thresholds (MH, NT) non-negative integers -> MH*NT hex words, neuron-major."""
    if T.min() < 0:
        raise ValueError("popcount thresholds must be non-negative (clip them first)")
    Path(path).write_text("\n".join(f"{int(t):x}" for t in T.reshape(-1)) + "\n")


def pack_bits(x: np.ndarray, simd: int) -> list[int]:
    """An input vector (MW,) of bits -> SF stream words of SIMD bits (element sf*SIMD+i at bit i)."""
    words = []
    for sf in range(len(x) // simd):
        w = 0
        for i in range(simd):
            if x[sf * simd + i]:
                w |= 1 << i
        words.append(w)
    return words


def unpack_lanes(word: int, pe: int, width: int, signed: bool) -> list[int]:
    """An output stream word -> PE lane values (lane 0 in the LSBs)."""
    vals = []
    for p in range(pe):
        v = (word >> (p * width)) & ((1 << width) - 1)
        if signed and v >= 1 << (width - 1):
            v -= 1 << width
        vals.append(v)
    return vals
