# SPDX-License-Identifier: MIT
"""The contract's rounding (half up, ``floor(x + 0.5)``) as a QONNX ``Quant`` rounding mode.

qonnx knows ROUND (half even), HALF_UP (half *away from zero*), FLOOR, CEIL, ... but not
``floor(x + 0.5)``, which is what a FINN ``MultiThreshold`` (``x >= t``) computes at ties and
what the model's quantizers do. qonnx has no registry for rounding modes, so this module
extends its resolver once, on import, with ``ROUND_HALF_UP_POS``: the only place the toolkit
touches qonnx internals. FINN's Quant -> MultiThreshold conversion ignores the attribute
(it always emits half-up thresholds), so only QONNX execution needs this.
"""
from __future__ import annotations

import numpy as np
import qonnx.custom_op.general.intquant as _intquant
import qonnx.custom_op.general.quant as _quant

MODE = "ROUND_HALF_UP_POS"


def _round_half_up_pos(x):
    return np.floor(x + 0.5)


if not getattr(_intquant.resolve_rounding_mode, "_bnfree_sr", False):
    _orig = _intquant.resolve_rounding_mode

    def resolve_rounding_mode(mode_string):
        if mode_string.upper() == MODE:
            return _round_half_up_pos
        return _orig(mode_string)

    resolve_rounding_mode._bnfree_sr = True
    _intquant.resolve_rounding_mode = resolve_rounding_mode
    _quant.resolve_rounding_mode = resolve_rounding_mode
