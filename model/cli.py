# SPDX-License-Identifier: MIT
"""Command-line plumbing shared by every command: an argument parser whose errors are one
line (exit code 2, no usage dump), and range-checked argument types."""
from __future__ import annotations

import argparse
import sys


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
