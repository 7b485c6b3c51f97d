# SPDX-License-Identifier: MIT
"""BN-free binary super-resolution networks in Brevitas (Jiang et al., AAAI 2021)."""
import warnings

# known-harmless, filtered where it arises: Brevitas' graph utilities note at import that an
# optional CUDA kernel package is absent (nothing here uses Hadamard rotations)
warnings.filterwarnings("ignore", message="fast_hadamard_transform package not found",
                        module="brevitas")
from .registry import (DEFAULT_ARCH, REGISTRY, build, build_from_config, load_pretrained,
                       model_from_checkpoint, pretrained_names)

__all__ = ["DEFAULT_ARCH", "REGISTRY", "build", "build_from_config", "load_pretrained",
           "model_from_checkpoint", "pretrained_names"]
