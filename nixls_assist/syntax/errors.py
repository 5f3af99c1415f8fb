"""Where Nix's own parser would reject a file, read off the tree-sitter tree.

tree-sitter-nix 0.1.0 recovers from a few constructs that are *valid* Nix with
ERROR / MISSING nodes — most importantly the trailing comma that nixfmt (RFC 166)
writes after the last function formal. Those recoveries are not syntax errors.
Nix stops at the first error, so only the first real one is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument


@dataclass(frozen=True)
class SyntaxProblem:
    span: Span
    message: str


def first_syntax_error(doc: ParsedDocument) -> SyntaxProblem | None:
    """The first place Nix's parser rejects `doc`, or None when it parses."""
    root = doc.root
    if doc.source.startswith(b"\xef\xbb\xbf"):
        return SyntaxProblem(Span(0, 3), "unexpected byte-order mark (Nix rejects it; save as UTF-8 without BOM)")
    if root.child_by_field_name("expression") is None and not _has_error(root):
        end = len(doc.source)
        return SyntaxProblem(Span(end, end), "unexpected end of file; expected an expression")
    if not root.has_error:
        return None
    for node in _error_nodes(root):
        if _is_valid_recovery(node):
            continue
        return _describe(doc, node)
    return None


def _has_error(node: Node) -> bool:
    return node.has_error or node.is_missing


def _error_nodes(root: Node) -> list[Node]:
    """ERROR and MISSING nodes in document order, outermost first (iterative walk)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def _is_valid_recovery(node: Node) -> bool:
    """Grammar recoveries for valid Nix: a trailing comma after the last formal."""
    parent = node.parent
    if node.is_missing and parent is not None and parent.type == "formal":
        # `{ a, b, }:` → (formal name: (MISSING identifier)) right before `}`.
        previous = parent.prev_sibling
        following = parent.next_sibling
        return (
            previous is not None
            and previous.type == ","
            and following is not None
            and following.type in ("}", "ellipses")
            and parent.start_byte == parent.end_byte
        ) or (previous is not None and previous.type == "," and following is None)
    if node.is_error and parent is not None and parent.type == "formals":
        # `{ x ? 0, }:` → (formals (formal …) (ERROR ",")) right before `}`.
        tokens = [c for c in node.children if c.type != "comment"]
        following = node.next_sibling
        return (
            len(tokens) == 1
            and tokens[0].type == ","
            and following is not None
            and following.type == "}"
        )
    return False


def _describe(doc: ParsedDocument, node: Node) -> SyntaxProblem:
    if node.is_missing:
        # Nix reports the token it could not accept, not the gap before it.
        at = _skip_trivia(doc.source, node.start_byte)
        if at >= len(doc.source):
            end = len(doc.source.rstrip())
            return SyntaxProblem(Span(end, end), f"unexpected end of file; expected `{node.type}`")
        token = doc.root.descendant_for_byte_range(at, at)
        stop = token.end_byte if token is not None and token.end_byte > at else at + 1
        shown = doc.source[at:stop].decode("utf-8", errors="replace")[:20]
        return SyntaxProblem(Span(at, stop), f"unexpected `{shown}`; expected `{node.type}`")
    token = _first_token(node)
    if token is None:
        at = node.start_byte
        if at >= len(doc.source.rstrip()):
            return SyntaxProblem(Span(at, at), "unexpected end of file")
        return SyntaxProblem(Span(at, max(at, node.end_byte)), "syntax error")
    text = doc.node_text(token)
    content_end = len(doc.source.rstrip())
    if text in _OPENERS and _skip_trivia(doc.source, node.end_byte) >= len(doc.source):
        # An unclosed construct swallowed the rest of the file: Nix reports the end.
        return SyntaxProblem(Span(content_end, content_end), "unexpected end of file")
    shown = text if len(text) <= 20 else text[:20] + "…"
    return SyntaxProblem(Span(token.start_byte, token.end_byte), f"unexpected `{shown}`")


def _skip_trivia(source: bytes, offset: int) -> int:
    """The offset of the next token: past whitespace, `# …` and `/* … */` comments."""
    while offset < len(source):
        byte = source[offset : offset + 1]
        if byte.isspace():
            offset += 1
        elif byte == b"#":
            newline = source.find(b"\n", offset)
            offset = len(source) if newline == -1 else newline + 1
        elif source.startswith(b"/*", offset):
            close = source.find(b"*/", offset + 2)
            offset = len(source) if close == -1 else close + 2
        else:
            break
    return offset


_OPENERS = frozenset({"{", "(", "[", "let", "rec", '"', "''", "${", "if", "with", "assert"})


def _first_token(node: Node) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.child_count == 0 and current.end_byte > current.start_byte:
            return current
        stack.extend(reversed(current.children))
    return None
