"""Open documents by URI: the parsed text of the latest version, re-parsed incrementally.

The editor's text is held once, here; the server converts LSP changes to byte
`TextChange`s (or a full text) and hands them over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from nixls_assist.syntax.document import ParsedDocument, TextChange
from nixls_assist.syntax.loading import load_document, within_limits


@dataclass(frozen=True)
class OpenDocument:
    """One version of an open document. Immutable: a change makes the next version, so
    whoever holds a version (a diagnostics run, a code action) sees it whole."""

    uri: str
    version: int
    doc: ParsedDocument
    path: Path | None
    on_disk: bytes | None = None  # the file's content when it was opened
    # The editor's text when `doc.source` is not it: a skipped document (too large, binary,
    # too deep) holds no source, and a loading caveat may have changed it. Else None: the
    # text is held once, as `doc.source`.
    raw: bytes | None = None

    @property
    def text(self) -> bytes:
        """The editor's text of this version: what incremental changes apply to."""
        return self.doc.source if self.raw is None else self.raw


def _version(uri: str, version: int, doc: ParsedDocument, path: Path | None,
             on_disk: bytes | None, text: bytes) -> OpenDocument:
    raw = None if doc.source is text or doc.source == text else text
    return OpenDocument(uri, version, doc, path, on_disk, raw)


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


class DocumentStore:
    def __init__(self) -> None:
        self._open: dict[str, OpenDocument] = {}

    def get(self, uri: str) -> OpenDocument | None:
        return self._open.get(uri)

    def __iter__(self) -> Iterator[OpenDocument]:
        return iter(list(self._open.values()))

    def open(self, uri: str, version: int, text: str) -> OpenDocument:
        path = uri_to_path(uri)
        data = text.encode("utf-8", errors="surrogateescape")
        doc = load_document(data, str(path) if path else uri)
        on_disk = None
        if path is not None:
            try:
                on_disk = path.read_bytes()
            except OSError:
                on_disk = None
        self._open[uri] = entry = _version(uri, version, doc, path, on_disk, data)
        return entry

    def change(self, uri: str, version: int,
               change: tuple[list[TextChange], bytes] | str) -> OpenDocument | None:
        """The next version: incremental byte changes plus the resulting text, or a full
        text. The previous version is left as it was."""
        entry = self._open.get(uri)
        if entry is None:
            return None
        text = change if isinstance(change, str) else change[1]
        data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
        if isinstance(change, str) or entry.doc.skipped or entry.doc.note is not None:
            # A full-text change, or a document that was loaded with a caveat: load afresh.
            doc = load_document(data, entry.doc.path)
        else:
            doc = within_limits(entry.doc.apply(change[0]))
        self._open[uri] = entry = _version(uri, version, doc, entry.path, entry.on_disk, data)
        return entry

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)
