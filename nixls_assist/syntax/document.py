"""A parsed Nix document: source bytes, its tree-sitter tree, and incremental re-parsing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import tree_sitter
import tree_sitter_nix

from nixls_assist.findings import Span
from nixls_assist.syntax.positions import LineIndex

T = TypeVar("T")

NIX = tree_sitter.Language(tree_sitter_nix.language())


def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(NIX)


@dataclass(frozen=True)
class TextChange:
    """Replace bytes [start, end) of the old source with `new_text`."""

    start: int
    end: int
    new_text: str


@dataclass(frozen=True)
class LoadNote:
    """Why a file was skipped (`skipped`) or analysed with a caveat."""

    message: str
    skipped: bool
    expected: bool = False  # skipped by design (an encrypted file): nothing to act on


class ParsedDocument:
    """Immutable view of one version of a Nix file."""

    def __init__(
        self,
        source: bytes,
        tree: tree_sitter.Tree,
        path: str | None = None,
        note: LoadNote | None = None,
    ) -> None:
        self.source = source
        self.tree = tree
        self.path = path
        self.note = note
        # The byte range of this version that differs from the previous one (`apply`), None
        # when parsed from scratch: checks of the whole tree can look at this part only.
        self.edited: tuple[int, int] | None = None
        # The version this one was edited from, while its analyses can still be reused
        # (see syntax/reuse.py); it keeps that version's tree alive, so ids stay unique.
        self.previous: ParsedDocument | None = None
        # Derived data computed once per version (bindings, scopes), keyed by its producer.
        self.memo: dict[object, object] = {}

    def cached(self, key: object, compute: Callable[[], T]) -> T:
        """`compute()` once per document version; later calls with `key` reuse it."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[return-value]

    @property
    def skipped(self) -> bool:
        return self.note is not None and self.note.skipped

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @cached_property
    def text(self) -> str:
        return self.source.decode("utf-8", errors="replace")

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.source)

    def node_text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def span_text(self, span: Span) -> str:
        return self.source[span.start : span.end].decode("utf-8", errors="replace")

    def apply(self, changes: list[TextChange], *, scratch: bool = False) -> ParsedDocument:
        """A new document with `changes` applied in order, re-parsed incrementally.

        The new version reuses this one's analyses (`previous`) and retires older versions.
        `scratch`: a throwaway variant (completion's repaired copy) that reuses this version's
        analyses but leaves its history alone.
        """
        source = self.source
        tree = self.tree.copy()  # edit() mutates; this version must stay valid
        lines = self.lines  # of the current `source`; recomputed only between changes
        for number, change in enumerate(changes):
            if number:
                lines = LineIndex(source)
            new_bytes = change.new_text.encode("utf-8")
            start_point = _point(lines, source, change.start)
            old_end_point = _point(lines, source, change.end)
            source = source[: change.start] + new_bytes + source[change.end :]
            new_end = change.start + len(new_bytes)
            tree.edit(
                start_byte=change.start,
                old_end_byte=change.end,
                new_end_byte=new_end,
                start_point=start_point,
                old_end_point=old_end_point,
                new_end_point=_end_point(start_point, new_bytes),
            )
        new_tree = _parser().parse(source, tree)
        doc = ParsedDocument(source, new_tree, self.path, self.note)
        if len(changes) == 1:
            doc.edited = _edited_range(tree, new_tree, changes[0])
        # Reuse the last version that was analysed; never keep a longer chain alive.
        doc.previous = self if self.memo else self.previous
        if scratch:
            return doc
        if self.memo and self.previous is not None:
            _retire(self.previous)
        self.previous = None
        return doc


# Versions nothing needs any more. Freeing one (its tree, its analyses: thousands of objects)
# takes about a millisecond, so the server drops them after publishing, not mid-keystroke.
_RETIRED: list[ParsedDocument] = []
RETIRED_LIMIT = 8


def _retire(doc: ParsedDocument) -> None:
    if len(_RETIRED) >= RETIRED_LIMIT:
        _RETIRED.clear()
    _RETIRED.append(doc)


def release_retired() -> None:
    """Free the versions `apply` retired (call it when idle)."""
    _RETIRED.clear()


def _edited_range(
    old: tree_sitter.Tree, new: tree_sitter.Tree, change: TextChange
) -> tuple[int, int]:
    """The range covering the new text and every range whose structure changed."""
    start = change.start
    end = change.start + len(change.new_text.encode("utf-8"))
    for changed in new.changed_ranges(old):
        start, end = min(start, changed.start_byte), max(end, changed.end_byte)
    return start, end


def _end_point(start: tuple[int, int], inserted: bytes) -> tuple[int, int]:
    """Where inserted text ends, from where it starts (no need to index the new text)."""
    newlines = inserted.count(b"\n")
    if not newlines:
        return start[0], start[1] + len(inserted)
    return start[0] + newlines, len(inserted) - inserted.rfind(b"\n") - 1


def _point(lines: LineIndex, source: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter points count bytes within the line, not UTF-16 units."""
    line, _ = lines.position(offset)
    return line, offset - lines.line_start(line)


def parse(text: str | bytes, path: str | None = None) -> ParsedDocument:
    source = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
    return ParsedDocument(source, _parser().parse(source), path)


def skipped(path: str | None, message: str, *, expected: bool = False) -> ParsedDocument:
    """A placeholder for a file that is not analysed (too large, binary, encrypted)."""
    note = LoadNote(message, skipped=True, expected=expected)
    return ParsedDocument(b"", _parser().parse(b""), path, note)
