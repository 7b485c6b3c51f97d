# SPDX-License-Identifier: MIT
"""Graph passes FINN and qonnx do not have, as qonnx ``Transformation``s."""
from .abc import ConvertConstSubToAdd, FactorPoTMulOutOfAdd, MoveScalarMulBeforeTranspose
from .absorb_pad import AbsorbConstPadIntoIm2Col
from .absorb_prelu import AbsorbPReLUIntoMultiThreshold
from .binary_pad import SetBinaryIm2ColPadBit
from .bipolar_weights import SetBipolarWeights
from .lift_folding import LiftMVAUFoldingLimit
from .forks import DuplicateForkedPad, DuplicateForkedWeightQuant, DuplicateSharedBipolarThreshold
from .narrow_eltwise import NarrowElementwiseOutputDatatype
from .thresholds_before_d2s import MoveMultiThresholdBeforeDepthToSpace
from .transpose_before_sub import MoveTransposeBeforeChannelConstOp
from .xnor_acc import SetXnorPopcountAccumulator

__all__ = ["AbsorbConstPadIntoIm2Col", "AbsorbPReLUIntoMultiThreshold", "ConvertConstSubToAdd",
           "DuplicateForkedPad", "DuplicateForkedWeightQuant", "DuplicateSharedBipolarThreshold",
           "FactorPoTMulOutOfAdd", "LiftMVAUFoldingLimit", "MoveMultiThresholdBeforeDepthToSpace",
           "MoveScalarMulBeforeTranspose", "MoveTransposeBeforeChannelConstOp",
           "NarrowElementwiseOutputDatatype", "SetBinaryIm2ColPadBit", "SetBipolarWeights",
           "SetXnorPopcountAccumulator"]
