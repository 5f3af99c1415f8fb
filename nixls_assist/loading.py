"""Turning raw bytes into a ParsedDocument, with clear notes instead of crashes."""

from __future__ import annotations

from nixls_assist.syntax.document import LoadNote, ParsedDocument, parse, skipped

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def load_document(
    data: bytes, path: str | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedDocument:
    """Parse `data`; oversized and binary files become skipped documents with a note."""
    if len(data) > max_bytes:
        return skipped(
            path,
            f"file too large to analyse ({len(data) / 1e6:.1f} MB > "
            f"{max_bytes / 1e6:.0f} MB limit); not checked",
        )
    if b"\0" in data:
        return skipped(path, "binary file (contains NUL bytes); not checked")
    doc = parse(data, path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        doc.note = LoadNote(
            f"not valid UTF-8 (first bad byte at offset {exc.start}); positions near it may be off",
            skipped=False,
        )
    return doc
