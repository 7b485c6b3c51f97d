# SPDX-License-Identifier: MIT
"""Ctrl-C at any moment of a command: exit code 130, and an output directory that exists is
marked unfinished (``FAILED.txt`` naming the step), never left looking finished.

A command calls ``install()`` first, before its heavy imports (torch, Brevitas, FINN): an
import that swallows ``KeyboardInterrupt`` in a bare ``except:`` can then no longer lose the
interrupt, because the handler does not raise into the interrupted code: it marks the output
and ends the process (``os._exit``). ``watch(out)`` names the directory once the command
knows it, ``step(name)`` the work in progress, ``finished()`` once the output is complete.
Light: standard library only.
"""
from __future__ import annotations

import atexit
import os
import signal
import sys
from pathlib import Path

_state = {"out": None, "step": None, "finished": False, "marker": "FAILED.txt", "what": ""}


def install() -> None:
    """Handle SIGINT (Ctrl-C) and SIGTERM as an interrupt of this command."""
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    # Python gives both signals back their default action while the interpreter shuts down
    # (after the atexit handlers, before it frees torch's and FINN's modules, which takes a
    # second): a Ctrl-C there killed a command that had finished, with no line and no exit
    # code of its own (measured: an export interrupted 5.7-6.6 s after its start, its build
    # already DONE). Registered first, this runs last of the atexit handlers: from then on
    # the signals are ignored, and the finished command exits with its own code.
    atexit.register(_ignore_from_now)


def _ignore_from_now() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def watch(out, marker: str = "FAILED.txt", what: str = "build") -> None:
    """The command's output directory (marked with ``marker`` when interrupted)."""
    _state.update(out=Path(out), marker=marker, what=what, step=None, finished=False)


def step(name: str) -> None:
    _state["step"] = name


def finished() -> None:
    """The output is complete: an interrupt now only ends the process."""
    _state["finished"] = True


def _handler(signum, frame):  # noqa: ARG001
    out, st = _state["out"], _state["step"]
    where = f"step {st}" if st else "before the first step"
    msg = "interrupted"
    try:
        if out is not None and out.is_dir() and not _state["finished"]:
            tmp = out / f".{_state['marker']}.tmp"
            tmp.write_text(f"{where}: interrupted (KeyboardInterrupt)\n")
            os.replace(tmp, out / _state["marker"])
            msg = (f"interrupted {where}: {out} is not a finished {_state['what']} "
                   f"({_state['marker']})")
        elif out is not None and _state["finished"]:
            msg = f"interrupted after {out} was finished"
        from model import toollog   # the console even while tool output goes to a log

        err = toollog.console_err()
        err.write(msg + "\n")
        err.flush()
    finally:
        os._exit(130)
