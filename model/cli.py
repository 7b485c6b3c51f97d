# SPDX-License-Identifier: MIT
"""Command-line plumbing shared by every command: an argument parser whose errors are one
line (exit code 2, no usage dump), and range-checked argument types."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


class ToolkitParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` that reports a bad argument in one line on stderr
    (``prog: error: argument --x: ...; see prog --help``) and exits with code 2."""

    def error(self, message: str):
        print(f"{self.prog}: error: {message}; see {self.prog} --help", file=sys.stderr)
        raise SystemExit(2)


def _parse(text: str, cast, kind: str):
    """``cast(text)``, or the argument error that names what was expected."""
    try:
        return cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None


def positive_int(text: str) -> int:
    """An integer > 0 (``--steps``, ``--batch``, ``--patch``, frame sizes)."""
    v = _parse(text, int, "an integer")
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{v} must be a positive integer")
    return v


def non_negative_int(text: str) -> int:
    v = _parse(text, int, "an integer")
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} must be 0 or more")
    return v


def positive_float(text: str) -> float:
    """A finite number > 0 (``--target-fps``, ``--clock-ns``, ``--lr``)."""
    v = _parse(text, float, "a number")
    if not (v > 0 and v != float("inf")):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return v


def probability(text: str) -> float:
    """A number in [0, 1) (random stall probabilities)."""
    v = _parse(text, float, "a number")
    if not 0.0 <= v < 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be in [0, 1)")
    return v


# ---------------------------------------------------------------- outputs
# The rule every command follows: it writes only into the paths it was given, creates them,
# and never deletes what it did not create; an existing output is replaced only when it is
# the command's own kind of output, anything else is refused with one line.
def _error(msg: str):
    from .errors import ToolkitError

    return ToolkitError(msg)


def output_file(path: Path, flag: str, inputs: tuple = ()) -> Path:
    """A file a command will write: not a directory, not under a file, not one of ``inputs``
    (``(flag, path)`` pairs: the output may not overwrite what the command reads)."""
    path = Path(path)
    if path.is_dir():
        raise _error(f"{flag} {path} is a directory; give a file name")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise _error(f"{flag} {path}: {parent} is a file, not a folder")
    for in_flag, inp in inputs:
        if inp is not None and same_file(path, inp):
            raise _error(f"{flag} {path} is the same file as {in_flag} {inp}; the output would "
                         "overwrite the input: give another output name")
    return path


def output_dir(path: Path, flag: str, own: tuple = (), what: str = "output") -> Path:
    """A directory a command will write into: new, empty, or holding an earlier output of
    the same command (one of the ``own`` entries present). A file, or a directory holding
    anything else, is refused."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise _error(f"{flag} {path} is a file; give a directory")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise _error(f"{flag} {path}: {parent} is a file, not a folder")
    if path.is_dir():
        entries = sorted(e.name for e in path.iterdir())
        if entries and not any((path / o).exists() for o in own):
            raise _error(f"{flag} {path} holds files that are not a {what} "
                         f"({', '.join(entries[:3])}{'...' if len(entries) > 3 else ''}); give "
                         "an empty or new directory")
    return path


def same_file(a: Path, b: Path) -> bool:
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def inside(a: Path, b: Path) -> bool:
    """Whether ``a`` is ``b`` or lies inside it."""
    a, b = Path(a).resolve(), Path(b).resolve()
    return a == b or b in a.parents
