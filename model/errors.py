# SPDX-License-Identifier: MIT
"""User-facing errors of the toolkit: each names the file, argument or layer and the remedy."""


class ToolkitError(Exception):
    """Base class of the errors a user can act on (bad file, bad argument, bad checkpoint)."""


class ImageError(ToolkitError):
    """An image file is missing, unreadable or too small for what was asked."""


class DatasetError(ToolkitError):
    """A data folder is missing or holds no usable images."""


class UnknownArchError(ToolkitError):
    """An architecture name is not in the registry."""


class CheckpointError(ToolkitError):
    """A checkpoint is missing, truncated, or of another architecture or scale."""
