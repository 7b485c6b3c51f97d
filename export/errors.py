# SPDX-License-Identifier: MIT
"""Errors of the export flow: name the node, its op type, the step and the remedy."""
from model.errors import ToolkitError


class ExportError(ToolkitError):
    """The export could not continue."""


class UnsupportedGraphError(ExportError):
    """A node or pattern the flow cannot map to the dataflow hardware."""

    def __init__(self, node, what: str, remedy: str, step: str | None = None):
        self.node_name = getattr(node, "name", str(node))
        self.op_type = getattr(node, "op_type", "?")
        self.step = step
        where = f" in step {step}" if step else ""
        super().__init__(f"node {self.node_name!r} ({self.op_type}){where}: {what}; {remedy}")


class VerificationError(ExportError):
    """A step's graph no longer computes the golden output."""
