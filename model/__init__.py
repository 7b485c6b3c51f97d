# SPDX-License-Identifier: MIT
"""BN-free binary super-resolution networks in Brevitas (Jiang et al., AAAI 2021).

The names below load on first use (PEP 562), so that the light modules of this package
(``model.cli``, ``model.errors``, ``model.interrupt``) can be imported by a command before
torch and Brevitas: a command installs its interrupt handler first.
"""
import warnings

# known-harmless, filtered where it arises: Brevitas' graph utilities note at import that an
# optional CUDA kernel package is absent (nothing here uses Hadamard rotations)
warnings.filterwarnings("ignore", message="fast_hadamard_transform package not found",
                        module="brevitas")

__all__ = ["DEFAULT_ARCH", "REGISTRY", "build", "build_from_config", "load_pretrained",
           "model_from_checkpoint", "pretrained_names"]


def __getattr__(name):
    if name in __all__:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
