# SPDX-License-Identifier: MIT
"""Named configurations (``model.build("edsr_btm_x2_c32_b4")``) and checkpoint I/O.

Names state the design: ``{backbone}_{block}_x{scale}_c{channels}_b{blocks}``. Config keys
equal ``BinarySRNet`` constructor arguments, and checkpoints store the config, so a
checkpoint alone rebuilds its model.
"""
from __future__ import annotations

import difflib
import functools
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from .errors import CheckpointError, UnknownArchError
from .nets import BinarySRNet

#: the hardware-exact default: BTM blocks, EDSR backbone, x2
DEFAULT_ARCH = "edsr_btm_x2_c32_b4"


def _entry(backbone: str, block: str, scale: int, channels: int, blocks: int, **extra):
    return functools.partial(dict, backbone=backbone, block=block, scale=scale,
                             channels=channels, blocks=blocks, **extra)


_SIZES = ((8, 1), (16, 2), (32, 4), (64, 8), (64, 16))
#: name -> partial returning the constructor config of that name; ``..._bintail``: the
#: paper's binary-weight upsampler (sub-pixel conv with weights ±α over 8-bit activations)
REGISTRY: dict[str, functools.partial] = {
    f"{bb}_{blk}_x{s}_c{c}_b{b}": _entry(bb, blk, s, c, b)
    for bb in ("edsr", "vdsr")
    for blk in ("btm", "bn", "mrb", "fp")
    for s in (2, 3, 4)
    for c, b in _SIZES
}
#: tail variant -> name suffix (``_bintailm3``: α with a 3-bit significand; ``_bintailm3c``:
#: the same, one α per colour shared by its r² sub-pixel phases)
TAIL_SUFFIX = {"binary": "_bintail", "binary_m3": "_bintailm3", "binary_m3c": "_bintailm3c"}
REGISTRY.update({
    f"edsr_{blk}_x{s}_c{c}_b{b}{suf}": _entry("edsr", blk, s, c, b, tail=tail)
    for tail, suf in TAIL_SUFFIX.items()
    for blk in ("btm", "bn", "mrb")
    for s in (2, 3, 4)
    for c, b in _SIZES
})


def config_for(name: str, **overrides: Any) -> dict:
    """The constructor config of a registered name, with overrides applied."""
    if name not in REGISTRY:
        close = difflib.get_close_matches(name, REGISTRY, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownArchError(
            f"unknown arch {name!r}.{hint} Names are "
            "{edsr|vdsr}_{btm|bn|mrb|fp}_x{2|3|4}_c{C}_b{B}"
            f"[{'|'.join(TAIL_SUFFIX.values())}]; see "
            "model.registry.REGISTRY.")
    cfg = REGISTRY[name]()
    cfg.update(overrides)
    return cfg


def build(name: str = DEFAULT_ARCH, **overrides: Any) -> BinarySRNet:
    """Build a registered network.

    Args:
        name: registry name, e.g. ``"edsr_btm_x2_c32_b4"``.
        **overrides: constructor arguments replacing the name's (e.g. ``mean=...``).

    Returns:
        The network, with ``.config`` (its full constructor config) and ``.arch``.
    """
    cfg = config_for(name, **overrides)
    return build_from_config(cfg, arch=name)


def build_from_config(cfg: dict, arch: str = "custom") -> BinarySRNet:
    """Rebuild a network from a stored constructor config."""
    cfg = dict(cfg)
    net = BinarySRNet(**cfg)
    net.config, net.arch = cfg, arch
    return net


def teacher_name(student_arch: str) -> str:
    """The full-precision teacher of the same shape as a registered student."""
    bb, _blk, rest = student_arch.split("_", 2)
    for suf in sorted(TAIL_SUFFIX.values(), key=len, reverse=True):   # _bintailm3 first
        rest = rest.removesuffix(suf)
    return f"{bb}_fp_{rest}"


# ---------------------------------------------------------------- checkpoints
def atomic_write(path: Path, write, mode: str = "wb") -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it into place:
    never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_save(obj: Any, path: Path) -> None:
    """torch.save to a temporary name beside ``path``, then rename."""
    atomic_write(path, lambda f: torch.save(obj, f))


#: the pretrained checkpoints shipped with the package (NAME.pt, NAME.json beside it)
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
PRETRAINED_PREFIX = "pretrained:"


def pretrained_names() -> list[str]:
    """Names of the pretrained checkpoints in the package (``pretrained:NAME``)."""
    return sorted(p.stem for p in PRETRAINED_DIR.glob("*.pt"))


def resolve_checkpoint(path) -> Path:
    """``pretrained:NAME`` -> the packaged checkpoint file; any other path unchanged."""
    s = str(path)
    if not s.startswith(PRETRAINED_PREFIX):
        return Path(path)
    name = s[len(PRETRAINED_PREFIX):]
    f = PRETRAINED_DIR / f"{name}.pt"
    if not name or not f.is_file():
        names = pretrained_names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean pretrained:{close[0]}? " if close else ""
        raise CheckpointError(f"no pretrained checkpoint {s!r}; {hint}available: "
                              + ", ".join(f"pretrained:{n}" for n in names))
    return f


def load_checkpoint(path: Path, arch: str | None = None, scale: int | None = None) -> dict:
    """Load and validate a checkpoint written by ``model.train``.

    Args:
        path: the ``ckpt.pt`` file, or ``pretrained:NAME`` for one shipped with the package.
        arch, scale: when given, the checkpoint must be of this arch / scale.

    Returns:
        The checkpoint dict (keys ``arch``, ``config``, ``model``, ``step``, ...).
    """
    path = resolve_checkpoint(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist; pass the ckpt.pt that "
                              "model.train wrote (runs/NAME/ckpt.pt)")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # torch raises RuntimeError/EOFError/UnpicklingError/zip errors
        raise CheckpointError(f"checkpoint {path} is truncated or not a torch checkpoint "
                              f"({type(e).__name__}: {e}); re-run model.train or use "
                              "another ckpt.pt") from e
    if not isinstance(ck, dict) or not {"config", "model"} <= set(ck):
        raise CheckpointError(f"checkpoint {path} has no 'config'/'model' entries: it was "
                              "not written by model.train")
    if arch is not None and ck.get("arch") != arch:
        raise CheckpointError(f"checkpoint {path} is of arch {ck.get('arch')!r}, not {arch!r}; "
                              "drop --arch or pass a checkpoint of that arch")
    if scale is not None and ck["config"].get("scale") != scale:
        raise CheckpointError(f"checkpoint {path} is a x{ck['config'].get('scale')} model, not "
                              f"x{scale}; pass --scale {ck['config'].get('scale')} or another "
                              "checkpoint")
    return ck


#: the binary-weight upsampler's learned log2(alpha) (model.quantizers.BinaryWeightPerChannelPoTParam)
TAIL_LOG2_ALPHA = "tail.weight_quant.tensor_quant.scaling_impl.value"


def upgrade_state(state: dict, net) -> dict:
    """A state dict from before the binary tail's alpha became a parameter (alpha was
    2^round(log2(mean |W|)) per output channel, from the weights): the parameter set to
    log2(mean |W|), which rounds to the same alpha, so the network computes exactly what it
    computed when it was trained."""
    # (named_parameters: Brevitas leaves the parameter out of state_dict() until it is set)
    if TAIL_LOG2_ALPHA in dict(net.named_parameters()) and TAIL_LOG2_ALPHA not in state \
            and "tail.weight" in state:
        state = dict(state)
        w = state["tail.weight"]
        state[TAIL_LOG2_ALPHA] = torch.log2(w.abs().mean((1, 2, 3), keepdim=True).clamp_min(2.0 ** -16))
    return state


def model_from_checkpoint(path: Path, arch: str | None = None, scale: int | None = None):
    """Rebuild the network stored in a checkpoint, weights loaded, in eval mode."""
    ck = load_checkpoint(path, arch, scale)
    net = build_from_config(ck["config"], ck.get("arch", "custom"))
    try:
        net.load_state_dict(upgrade_state(ck["model"], net))
    except RuntimeError as e:
        raise CheckpointError(f"checkpoint {path}: weights do not fit its own config ({e})") from e
    return net.eval(), ck


def load_pretrained(name: str = DEFAULT_ARCH):
    """A pretrained network shipped with the package, weights loaded, in eval mode, and its
    record (training command, steps, evaluation): ``net, info = load_pretrained()``.
    ``name`` is a file stem in ``model/pretrained`` (with or without ``pretrained:``)."""
    import json

    if not str(name).startswith(PRETRAINED_PREFIX):
        name = PRETRAINED_PREFIX + str(name)
    path = resolve_checkpoint(name)
    net, _ = model_from_checkpoint(path)
    info = json.loads(path.with_suffix(".json").read_text())
    return net, info
