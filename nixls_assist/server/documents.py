"""Open documents by URI: the parsed text of the latest version, re-parsed incrementally."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types

from nixls_assist.loading import load_document, within_limits
from nixls_assist.server.convert import from_lsp_changes
from nixls_assist.syntax.document import ParsedDocument


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

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._open.values()))

    def open(self, item: types.TextDocumentItem) -> OpenDocument:
        path = uri_to_path(item.uri)
        text = item.text.encode("utf-8", errors="surrogateescape")
        doc = load_document(text, str(path) if path else item.uri)
        on_disk = None
        if path is not None:
            try:
                on_disk = path.read_bytes()
            except OSError:
                on_disk = None
        self._open[item.uri] = entry = OpenDocument(item.uri, item.version, doc, path, on_disk,
                                                    text)
        return entry

    def change(self, params: types.DidChangeTextDocumentParams) -> OpenDocument | None:
        entry = self._open.get(params.text_document.uri)
        if entry is None:
            return None
        lines = entry.doc.lines if entry.doc.source == entry.text else None  # already built
        result = from_lsp_changes(entry.text, list(params.content_changes), lines)
        text = result if isinstance(result, str) else result[1]
        data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
        if isinstance(result, str) or entry.doc.skipped or entry.doc.note is not None:
            # A full-text change, or a document that was loaded with a caveat: load afresh.
            entry.doc = load_document(data, entry.doc.path)
        else:
            entry.doc = within_limits(entry.doc.apply(result[0]))
        entry.text = data
        entry.version = params.text_document.version
        return entry

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)
