# SPDX-License-Identifier: MIT
"""BN-free binary super-resolution networks in Brevitas (Jiang et al., AAAI 2021)."""
from .registry import DEFAULT_ARCH, REGISTRY, build, build_from_config, model_from_checkpoint

__all__ = ["DEFAULT_ARCH", "REGISTRY", "build", "build_from_config", "model_from_checkpoint"]
