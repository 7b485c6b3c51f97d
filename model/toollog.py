# SPDX-License-Identifier: MIT
"""Tool output to a log file, results to the console.

While a command works, the libraries under it print: torch's ONNX exporter (its progress and
"torchvision is not installed" warnings), qonnx/FINN transformations, Python warnings, g++ and
Verilator in subprocesses. ``to_file(path)`` sends all of that to ``path`` (appended): both
file descriptors 1 and 2, which carry Python's ``sys.stdout``/``sys.stderr`` as well as C/C++
code, subprocesses and logging handlers that hold the original streams (the Python stream
objects are not swapped: a handler created meanwhile would keep a closed one). When
``sys.stdout`` is not a descriptor (pytest's capture) Python-level prints stay there. The
command's own lines go to ``say()`` (the console it had before), and an interrupt's one line
still reaches the console (``model.interrupt`` writes to ``console_err()``). Nested uses
keep the outermost log.
Standard library only; nothing in the field's libraries does this for a whole process.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

_consoles: list[tuple] = []     # (stdout, stderr) of the console while redirected


def console():
    """The stream for the command's own progress lines (the console even while redirected)."""
    return _consoles[-1][0] if _consoles else sys.stdout


def console_err():
    return _consoles[-1][1] if _consoles else sys.stderr


def say(msg: str) -> None:
    s = console()
    s.write(msg + "\n")
    s.flush()


def _console_stream(orig, fdnum: int, saved: int):
    """The console as a stream: a new stream on the saved descriptor when ``orig`` wrote to
    ``fdnum`` (that descriptor now goes to the log), else ``orig`` itself (pytest's capture,
    a Jupyter kernel's stream: they do not write to the descriptor)."""
    try:
        if isinstance(orig, io.TextIOWrapper) and orig.fileno() == fdnum:
            return open(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    except (AttributeError, OSError, ValueError):
        pass
    return orig


@contextlib.contextmanager
def to_file(path):
    if _consoles:
        yield
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for s in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            s.flush()
    saved = (os.dup(1), os.dup(2))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    orig = (sys.stdout, sys.stderr)
    cons = (_console_stream(orig[0], 1, saved[0]), _console_stream(orig[1], 2, saved[1]))
    _consoles.append(cons)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        yield
    finally:
        for s in orig:
            with contextlib.suppress(Exception):
                s.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        _consoles.pop()
        for s, o in zip(cons, orig):
            if s is not o:
                s.close()
        for f in saved:
            os.close(f)
