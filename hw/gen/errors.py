# SPDX-License-Identifier: MIT
"""Errors of the RTL generator (part of the toolkit's hierarchy: a user can act on them)."""
from model.errors import ToolkitError


class StitchError(ToolkitError):
    """A build cannot be turned into RTL: unfinished export, or a node with no RTL here."""
