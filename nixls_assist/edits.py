"""Applying edits to a document's bytes, refusing overlaps instead of corrupting text."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from nixls_assist.findings import Edit


class OverlappingEdits(ValueError):
    """Two edits touch the same bytes; applying both would corrupt the file."""


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """`source` with `edits` applied; edits for other files must be filtered out first."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    for before, after in itertools.pairwise(ordered):
        if after.span.start < before.span.end:
            raise OverlappingEdits(f"edits at bytes {before.span} and {after.span} overlap")
    result = source
    for edit in reversed(ordered):
        if edit.span.end > len(result) or edit.span.start < 0:
            raise OverlappingEdits(f"edit {edit.span} lies outside the document")
        result = result[: edit.span.start] + edit.new_text.encode("utf-8") + result[edit.span.end :]
    return result
