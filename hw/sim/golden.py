# SPDX-License-Identifier: MIT
"""Golden models of the RTL cores, taken from FINN's own node execution.

Each ``*_model`` builds a one- or two-node graph of FINN's unspecialised HW op (the node
the export writes); ``execute`` runs it in Python. The cores are checked against that.
"""
from __future__ import annotations

import math

import numpy as np
from onnx import TensorProto, helper
from qonnx.core.datatype import DataType
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.util.basic import qonnx_make_model

from .host import from_words, to_words

FPGADATAFLOW = "finn.custom_op.fpgadataflow"


def popcount_width(mw: int) -> int:
    """Unsigned bits of a popcount in [0, MW]."""
    return max(1, math.ceil(math.log2(mw + 1)))


def _graph(nodes, shapes: dict, name: str) -> ModelWrapper:
    """A model of ``nodes`` from tensor "x" to tensor "y" (shapes: tensor -> shape)."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shapes["x"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shapes["y"])
    return ModelWrapper(qonnx_make_model(helper.make_graph(nodes, name, [x], [y]),
                                         producer_name="bnfree-sr"))


def execute(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """FINN's Python execution of a golden model: x -> y (integers)."""
    from qonnx.core.onnx_exec import execute_onnx

    return execute_onnx(model, {"x": x.astype(np.float32)})["y"].astype(np.int64)


def mvau_model(W: np.ndarray, T: np.ndarray | None, simd: int, pe: int, out_dt: str,
               act_val: int, n_vectors: int = 1, in_dt: str = "BINARY", w_dt: str = "BINARY",
               acc_dt: str | None = None) -> ModelWrapper:
    """One FINN ``MVAU`` node: XNOR mode when input and weights are BINARY, else integer.

    Args:
        W: (MW, MH) weights: bits in {0, 1} (bit 0 means −1) or integers of ``w_dt``.
        T: (MH, NT) thresholds (on the popcount in XNOR mode), or None for raw output.
        simd, pe: folding.
        out_dt: FINN output datatype name (e.g. "INT8"; with T None, the accumulator type).
        act_val: FINN ``ActVal`` (added to the threshold count).
        n_vectors: input vectors per call.
        in_dt, w_dt: input and weight datatype names.
        acc_dt: accumulator/threshold datatype (default: the popcount width in XNOR mode).
    """
    mw, mh = W.shape
    xnor = in_dt == "BINARY" and w_dt == "BINARY"
    acc_dt = acc_dt or f"UINT{popcount_width(mw)}"
    inputs = ["x", "W"] + (["T"] if T is not None else [])
    node = helper.make_node(
        "MVAU", inputs, ["y"], domain=FPGADATAFLOW, backend="fpgadataflow",
        MW=mw, MH=mh, SIMD=simd, PE=pe, inputDataType=in_dt, weightDataType=w_dt,
        outputDataType=out_dt, binaryXnorMode=int(xnor), noActivation=0 if T is not None else 1,
        ActVal=act_val, numInputVectors=[n_vectors], accDataType=acc_dt)
    m = _graph([node], {"x": [n_vectors, mw], "y": [n_vectors, mh]}, "mvau")
    m.set_tensor_datatype("x", DataType[in_dt])
    m.set_initializer("W", W.astype(np.float32))
    m.set_tensor_datatype("W", DataType[w_dt])
    if T is not None:
        m.set_initializer("T", T.astype(np.float32))
        m.set_tensor_datatype("T", DataType[acc_dt])
    m.set_tensor_datatype("y", DataType[out_dt])
    return m


def mvau_execute(model: ModelWrapper, x: np.ndarray) -> np.ndarray:
    """FINN's Python execution of the MVAU node: x (N, MW) -> (N, MH) integers."""
    return execute(model, x)


def thresholding_model(T: np.ndarray, channels: int, pe: int, in_dt: str, out_dt: str,
                       act_val: int, n_pixels: int) -> ModelWrapper:
    """One FINN ``Thresholding`` node (a standalone MultiThreshold) on (n_pixels, channels):
    ``act_val + #(x >= T[c])``; ``T`` is (channels or 1, NT)."""
    node = helper.make_node(
        "Thresholding", ["x", "T"], ["y"], domain=FPGADATAFLOW, backend="fpgadataflow",
        NumChannels=channels, PE=pe, numSteps=int(T.shape[1]), inputDataType=in_dt,
        weightDataType=in_dt, outputDataType=out_dt, ActVal=act_val,
        numInputVectors=[n_pixels])
    m = _graph([node], {"x": [n_pixels, channels], "y": [n_pixels, channels]}, "thresholding")
    m.set_tensor_datatype("x", DataType[in_dt])
    m.set_initializer("T", T.astype(np.float32))
    m.set_tensor_datatype("y", DataType[out_dt])
    return m


def swg_model(h: int, w: int, c: int, simd: int, dt: str, kernel: tuple, dilation: tuple,
              padding: tuple) -> ModelWrapper:
    """FINN's ``FMPadding`` (``padding`` = top, left, bottom, right) then
    ``ConvolutionInputGenerator`` (stride 1) on one (1, h, w, c) frame: the im2col rows,
    window elements ordered (ky, kx, c)."""
    pt, pl, pb, pr = padding
    ph, pw = h + pt + pb, w + pl + pr
    kh, kw = kernel
    dh, dw = dilation
    oh, ow = ph - (kh - 1) * dh, pw - (kw - 1) * dw
    pad = helper.make_node("FMPadding", ["x"], ["p"], domain=FPGADATAFLOW, backend="fpgadataflow",
                           ImgDim=[h, w], Padding=list(padding), NumChannels=c, SIMD=simd,
                           inputDataType=dt, numInputVectors=1)
    swg = helper.make_node("ConvolutionInputGenerator", ["p"], ["y"], domain=FPGADATAFLOW,
                           backend="fpgadataflow", ConvKernelDim=[kh, kw], IFMChannels=c,
                           IFMDim=[ph, pw], OFMDim=[oh, ow], SIMD=simd, Stride=[1, 1],
                           Dilation=[dh, dw], inputDataType=dt, outputDataType=dt)
    m = _graph([pad, swg], {"x": [1, h, w, c], "y": [1, oh, ow, kh * kw * c]}, "swg")
    m.graph.value_info.append(helper.make_tensor_value_info("p", TensorProto.FLOAT, [1, ph, pw, c]))
    for t in ("x", "p", "y"):
        m.set_tensor_datatype(t, DataType[dt])
    return m


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
