# SPDX-License-Identifier: MIT
"""Graph passes FINN and qonnx do not have, one qonnx ``Transformation`` per module."""
from .abc import (ConvertConstSubToAdd, DuplicateForkedPad, DuplicateForkedWeightQuant,
                  FactorPoTMulOutOfAdd, MoveScalarMulBeforeTranspose)
from .absorb_pad import AbsorbConstPadIntoIm2Col
from .absorb_prelu import AbsorbPReLUIntoMultiThreshold
from .binary_pad import SetBinaryIm2ColPadBit
from .narrow_eltwise import NarrowElementwiseOutputDatatype
from .split_bipolar_fork import DuplicateSharedBipolarThreshold
from .thresholds_before_d2s import MoveMultiThresholdBeforeDepthToSpace
from .xnor_acc import SetXnorPopcountAccumulator
from .transpose_before_sub import MoveTransposeBeforeChannelConstOp

__all__ = ["AbsorbConstPadIntoIm2Col", "ConvertConstSubToAdd", "DuplicateForkedPad", "DuplicateForkedWeightQuant", "FactorPoTMulOutOfAdd", "MoveScalarMulBeforeTranspose", "DuplicateSharedBipolarThreshold", "AbsorbPReLUIntoMultiThreshold",
           "MoveMultiThresholdBeforeDepthToSpace", "MoveTransposeBeforeChannelConstOp",
           "NarrowElementwiseOutputDatatype", "SetBinaryIm2ColPadBit", "SetXnorPopcountAccumulator"]
