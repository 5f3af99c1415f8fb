"""Folding ranges and selection ranges, from the tree alone.

Folding: every attribute set, list, `let … in`, indented string, argument set and
parenthesised expression that spans lines, and each block comment or run of line comments.
Selection: from the smallest node at a position outwards, each distinct range once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument

_FOLDED = frozenset({
    "attrset_expression", "rec_attrset_expression", "let_attrset_expression",
    "list_expression", "let_expression", "indented_string_expression", "formals",
    "parenthesized_expression",
})
# Folds whose closing delimiter stays visible (`}` / `]` / `''` / `)` on their own line).
_CLOSED = _FOLDED - {"let_expression"}  # `let`: down to the line before `in`


class FoldKind(enum.Enum):
    REGION = "region"
    COMMENT = "comment"


@dataclass(frozen=True)
class Fold:
    start_line: int  # 0-based, inclusive
    end_line: int
    kind: FoldKind


def folding_ranges(doc: ParsedDocument) -> list[Fold]:
    folds: dict[tuple[int, int], Fold] = {}
    comments: list[tuple[int, int]] = []  # line comments: (first line, last line)
    stack = [doc.tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_point[0] > node.start_point[0]:  # a one-line node holds no fold
            stack.extend(reversed(node.children))
        elif node.type != "comment":
            continue
        start, end = node.start_point[0], node.end_point[0]
        if node.type == "comment":
            if doc.source[node.start_byte:node.start_byte + 2] == b"/*":
                if end > start:
                    folds.setdefault((start, end), Fold(start, end, FoldKind.COMMENT))
            elif comments and comments[-1][1] == start - 1:
                comments[-1] = (comments[-1][0], start)
            else:
                comments.append((start, start))
            continue
        if node.type not in _FOLDED or end <= start:
            continue
        if node.type == "let_expression":  # the bindings, down to the line before `in`
            token = next((c for c in node.children if c.type == "in"), None)
            end = token.start_point[0] if token is not None else end
        last = end - 1 if node.type in _CLOSED or node.type == "let_expression" else end
        if last > start:
            folds.setdefault((start, last), Fold(start, last, FoldKind.REGION))
    for start, end in comments:
        if end > start:
            folds.setdefault((start, end), Fold(start, end, FoldKind.COMMENT))
    return sorted(folds.values(), key=lambda f: (f.start_line, -f.end_line))


def selection_chain(doc: ParsedDocument, offset: int) -> list[Span]:
    """The ranges around `offset`, innermost first, each strictly larger than the last."""
    node: Node | None = doc.tree.root_node.descendant_for_byte_range(offset, offset)
    chain: list[Span] = []
    while node is not None:
        span = Span(node.start_byte, node.end_byte)
        if not chain or (span.start <= chain[-1].start and span.end >= chain[-1].end
                         and span != chain[-1]):
            chain.append(span)
        node = node.parent
    whole = Span(0, len(doc.source))
    if not chain or chain[-1] != whole:
        chain.append(whole)
    return chain
