# SPDX-License-Identifier: MIT
"""Self-contained builds: the paths a build's graphs store point into the build itself.

FINN keeps absolute paths in node attributes (a dataflow partition's ``model``, generated
code folders). On disk a build stores them relative to itself (``$BUILD/...``); loading a
graph of a build makes them absolute again under that build. A copied or moved build then
works where it is and never reads or writes its original.
"""
from __future__ import annotations

from pathlib import Path

#: node attributes FINN and qonnx hold file system paths in
PATH_ATTRS = ("model", "code_gen_dir_cppsim", "code_gen_dir_ipgen", "ipgen_path", "ip_path",
              "executable_path", "rtlsim_so")
TOKEN = "$BUILD"


def _nodes(model):
    """Every node of a graph (a partition's subgraphs are separate files, not nested)."""
    return list(model.graph.node)


def _rewrite(model, fn) -> int:
    n = 0
    for node in _nodes(model):
        for a in node.attribute:
            if a.name in PATH_ATTRS and a.s:
                old = a.s.decode()
                new = fn(old)
                if new != old:
                    a.s = new.encode()
                    n += 1
    return n


def relativize(model, build: Path) -> int:
    """Paths under ``build`` -> ``$BUILD/...`` (in place); returns how many changed."""
    root = str(Path(build).resolve())
    return _rewrite(model, lambda p: TOKEN + p[len(root):] if p == root or p.startswith(root + "/") else p)


def absolutize(model, build: Path) -> int:
    """``$BUILD/...`` -> paths under ``build`` (in place)."""
    root = str(Path(build).resolve())
    return _rewrite(model, lambda p: root + p[len(TOKEN):] if p.startswith(TOKEN) else p)


def save(model, path: Path, build: Path) -> None:
    """Save ``model`` with its paths relative to ``build`` (the in-memory graph keeps its
    absolute paths)."""
    import copy

    from qonnx.core.modelwrapper import ModelWrapper

    m = ModelWrapper(copy.deepcopy(model.model))
    relativize(m, build)
    m.save(str(path))


def load(path: Path, build: Path):
    """A graph of ``build`` with its paths under ``build``."""
    from qonnx.core.modelwrapper import ModelWrapper

    m = ModelWrapper(str(path))
    absolutize(m, build)
    return m
