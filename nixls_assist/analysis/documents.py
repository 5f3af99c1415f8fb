"""Open documents by URI: the parsed text of the latest version, re-parsed incrementally.

The editor's text is held once, here; the server converts LSP changes to byte
`TextChange`s (or a full text) and hands them over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from nixls_assist.loading import load_document, within_limits
from nixls_assist.syntax.document import ParsedDocument, TextChange


@dataclass
class OpenDocument:
    uri: str
    version: int
    doc: ParsedDocument
    path: Path | None
    on_disk: bytes | None = None  # the file's content when it was opened
    # The editor's text. Not `doc.source`: a skipped document (too large, binary, too deep)
    # holds no source, and incremental changes must apply to the real text.
    text: bytes = b""


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
        self._open[uri] = entry = OpenDocument(uri, version, doc, path, on_disk, data)
        return entry

    def change(self, uri: str, version: int,
               change: tuple[list[TextChange], bytes] | str) -> OpenDocument | None:
        """Apply `change`: incremental byte changes plus the resulting text, or a full text."""
        entry = self._open.get(uri)
        if entry is None:
            return None
        text = change if isinstance(change, str) else change[1]
        data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
        if isinstance(change, str) or entry.doc.skipped or entry.doc.note is not None:
            # A full-text change, or a document that was loaded with a caveat: load afresh.
            entry.doc = load_document(data, entry.doc.path)
        else:
            entry.doc = within_limits(entry.doc.apply(change[0]))
        entry.text = data
        entry.version = version
        return entry

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)
