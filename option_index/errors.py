"""Errors raised by option_index, each carrying a sentence that tells the user what to do.

option_index must not import nixls_assist, so it has its own small hierarchy; the CLI and the
server map these to their own error types (exit code 2, a `showMessage`).
"""

from __future__ import annotations


class OptionIndexError(Exception):
    """Base class: `str(error)` is a complete, user-facing sentence."""


class IndexUnavailable(OptionIndexError):
    """No usable index for a (system, release); the message names the command that fixes it."""


class DownloadError(OptionIndexError):
    """A download failed (HTTP error, timeout, broken connection); the old index is untouched."""


class InvalidOptionsFile(OptionIndexError):
    """The input is not an options.json in a shape we know (or is corrupt / truncated)."""


class StoreCorrupt(OptionIndexError):
    """An on-disk index file is unreadable, truncated or has another schema version."""


class CacheNotWritable(OptionIndexError):
    """The cache directory cannot be created or written."""


class InvalidArchive(OptionIndexError):
    """A downloaded source archive is corrupt, unsafe to unpack or not the expected tree."""


class HashMismatch(OptionIndexError):
    """A downloaded source does not have the narHash its flake.lock records."""
