"""Carrying analysis of unchanged subtrees from one version of a document to the next.

tree-sitter's incremental parse shares every subtree the edit did not touch between the old
and the new tree, and a node's `id` is its subtree's address: while the old tree is alive,
an equal `id` in the new tree means the very same subtree, at a new offset. Results computed
for it (spans, nodes) only need moving by that offset.
"""

from __future__ import annotations

from tree_sitter import Node

from nixls_assist.findings import Span


def same_node(top: Node, old: Node, delta: int) -> Node | None:
    """`old` (a node of the previous tree, inside the subtree `top` shares with it) in the
    new tree, found by descending from `top`; None when it is not there."""
    target, wanted = old.start_byte + delta, old.id
    node = top.descendant_for_byte_range(target, old.end_byte + delta)
    if node is not None and node.id == wanted:
        return node
    # The smallest node there is a child with the same range (`true` is an identifier in a
    # variable_expression): descend from `top` comparing ids on the way.
    cursor = top.walk()
    while True:
        node = cursor.node
        if node is None:
            return None
        if node.id == wanted:
            return node
        if node.start_byte > target or cursor.goto_first_child_for_byte(target) is None:
            return None


def shifted(span: Span, delta: int) -> Span:
    return span if delta == 0 else Span(span.start + delta, span.end + delta)
