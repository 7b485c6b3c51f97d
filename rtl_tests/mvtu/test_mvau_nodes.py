# SPDX-License-Identifier: MIT
"""Per FINN node: every MVAU of a real export (XNOR body convs, int8 head and tail) as an RTL
instance, against the Python execution of the same unspecialised node, random inputs."""
from pathlib import Path

import numpy as np
import pytest
from qonnx.core.datatype import DataType
from qonnx.custom_op.registry import getCustomOp

from export import to_finn
from hw.golden import (mvau_execute, mvau_model, popcount_width, write_thresh_mem,
                       write_weight_mem)
from model import train
from rtl_tests.simrun import HW, run_cocotb, sv_string

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def hw_graph(tmp_path_factory):
    """The ``hw_layers`` graph of a tiny default-arch export (MVAU nodes unspecialised)."""
    from qonnx.core.modelwrapper import ModelWrapper

    run = tmp_path_factory.mktemp("run")
    assert train.main(["--arch", "edsr_btm_x2_c8_b1", "--steps", "4", "--batch", "2", "--patch",
                       "12", "--val-every", "4", "--out", str(run), "--quiet"]) == 0
    out = tmp_path_factory.mktemp("build")
    assert to_finn.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(out), "--input-hw", "8", "8",
                         "--golden-real", "0", "--stop-step", "hw_layers"]) == 0
    return ModelWrapper(str(next((out / "steps").glob("*_hw_layers.onnx"))))


FOLDING = {0: (3, 2), 1: (8, 2), 2: (4, 3)}  # node index -> (SIMD, PE), divisors of MW/MH


@pytest.mark.rtlsim
@pytest.mark.parametrize("idx", [0, 1, 2])
def test_mvau_node_rtl_equals_node_execution(hw_graph, idx, tmp_path):
    node = [n for n in hw_graph.graph.node if n.op_type == "MVAU"][idx]
    inst = getCustomOp(node)
    W = hw_graph.get_initializer(node.input[1]).astype(np.int64)
    T = hw_graph.get_initializer(node.input[2]).astype(np.int64)
    mw, mh = W.shape
    simd, pe = FOLDING[idx]
    in_dt, w_dt = inst.get_nodeattr("inputDataType"), inst.get_nodeattr("weightDataType")
    out_dt = inst.get_nodeattr("outputDataType")
    act = inst.get_nodeattr("ActVal")
    xnor = inst.get_nodeattr("binaryXnorMode") == 1
    rng = np.random.default_rng(idx)
    idt = DataType[in_dt]
    x = rng.integers(int(idt.min()), int(idt.max()) + 1, (6, mw))
    # the node itself (its weights, thresholds and attributes), executed by FINN in Python
    acc_w = popcount_width(mw) if xnor else int(abs(T).max()).bit_length() + 2
    golden = mvau_model(W, T, simd, pe, out_dt, act, len(x), in_dt=in_dt, w_dt=w_dt,
                        acc_dt=f"UINT{acc_w}" if xnor else f"INT{acc_w}")
    expected = mvau_execute(golden, x)
    odt = DataType[out_dt]
    common = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, NT=T.shape[1], OUT_W=odt.bitwidth(), OBIAS=act,
                  WEIGHT_FILE=sv_string(tmp_path / "w.mem"), THRESH_FILE=sv_string(tmp_path / "t.mem"))
    if xnor:
        write_weight_mem(W, simd, pe, tmp_path / "w.mem")
        write_thresh_mem(np.clip(T, 0, mw + 1), tmp_path / "t.mem")
        top, params, in_w = "xnor_mvtu", dict(common, CNT_W=acc_w), 1
    else:
        in_w = idt.bitwidth()
        write_weight_mem(W, simd, pe, tmp_path / "w.mem", width=8)
        write_thresh_mem(T, tmp_path / "t.mem", width=acc_w)
        top = "mvtu_int"
        params = dict(common, IN_W=in_w, IN_SIGNED=int(idt.signed()), W_W=8, ACC_W=acc_w)
    np.savez(tmp_path / "tb.npz", x=x, expected=expected, simd=simd, pe=pe, out_w=odt.bitwidth(),
             in_w=in_w, signed=odt.signed(), pause_in=0.3, pause_out=0.3)
    tests, fails = run_cocotb(top, [HW / "mvtu_fetch.sv", HW / f"{top}.sv"], params, tmp_path / "sim", "tb_mvtu", HERE,
                              {"TB_DATA": tmp_path / "tb.npz"})
    assert tests == 1 and fails == 0
