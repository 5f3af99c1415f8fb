"""Turning raw bytes into a ParsedDocument, with clear notes instead of crashes."""

from __future__ import annotations

from tree_sitter import Node

from nixls_assist.syntax.document import LoadNote, ParsedDocument, parse, skipped

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Deepest syntax tree analysed. Real files stay under ~40 levels; far deeper trees (generated
# or malicious: 10,000 nested attrsets) make path resolution and parent walks quadratic.
MAX_TREE_DEPTH = 1000
# The header git-crypt writes in front of every file it encrypts.
GIT_CRYPT_HEADER = b"\0GITCRYPT\0"


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
    if data.startswith(GIT_CRYPT_HEADER):
        return skipped(path, "encrypted with git-crypt (the repository is locked); not checked",
                       expected=True)
    if b"\0" in data:
        return skipped(path, "binary file (contains NUL bytes); not checked")
    doc = parse(data, path)
    if too_deep(doc):
        return skipped(path, _too_deep_message())
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        doc.note = LoadNote(
            f"not valid UTF-8 (first bad byte at offset {exc.start}); positions near it may be off",
            skipped=False,
        )
    return doc


def within_limits(doc: ParsedDocument) -> ParsedDocument:
    """`doc`, or a skipped placeholder when an edit made it nest too deeply (server path)."""
    return skipped(doc.path, _too_deep_message()) if too_deep(doc) else doc


def too_deep(doc: ParsedDocument, limit: int = MAX_TREE_DEPTH) -> bool:
    """Whether the syntax tree nests more than `limit` levels (an iterative cursor walk).

    After an incremental edit of a document that was within the limit, only the smallest
    node around the edited range can have grown deeper: the walk starts there.
    """
    if doc.edited is None:
        return _deeper_than(doc.root, limit)
    node, depth = _covering(doc.root, *doc.edited)
    return _deeper_than(node, limit - depth)


def _covering(root: Node, start: int, end: int) -> tuple[Node, int]:
    """The smallest node containing [start, end), and how deep it is."""
    cursor = root.walk()
    depth = 0
    while cursor.goto_first_child_for_byte(start) is not None:
        node = cursor.node
        if node is None or not (node.start_byte <= start and end <= node.end_byte):
            cursor.goto_parent()
            break
        depth += 1
    return cursor.node or root, depth


def _deeper_than(node: Node, limit: int) -> bool:
    if limit < 0:
        return True
    if node.descendant_count <= limit:
        return False  # a path of more than `limit` levels needs more nodes than that
    cursor = node.walk()
    depth = 0
    while True:
        if cursor.goto_first_child():
            depth += 1
            if depth > limit:
                return True
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return False
            depth -= 1


def _too_deep_message() -> str:
    return f"nested too deeply to analyse (more than {MAX_TREE_DEPTH} levels); not checked"
