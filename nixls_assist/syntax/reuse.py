"""Carrying analysis of unchanged subtrees from one version of a document to the next.

tree-sitter's incremental parse shares every subtree the edit did not touch between the old
and the new tree, and a node's `id` is its subtree's address: while the old tree is alive,
an equal `id` in the new tree means the very same subtree, at a new offset. Results computed
for it (spans, nodes) only need moving by that offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.option_binding import ModuleScope, OptionBinding, Segment


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


@dataclass(slots=True)
class BindingGroup:
    """The definitions under one top-level binding of a file module, as computed for one
    version: reusable by the next version when the binding's subtree is shared."""

    start: int  # where the binding started
    explicit: bool  # whether its module had `config` / `options` (changes the dispatch)
    scope: ModuleScope  # the file's scope in that version
    bindings: list[OptionBinding]

    def moved_to(self, binding: Node, scope: ModuleScope) -> list[OptionBinding] | None:
        """The same definitions for `binding` (the shared subtree) in the new version."""
        delta = binding.start_byte - self.start
        scopes = {id(self.scope): scope}
        # A nested definition shares its prefix's Segment objects: move each one once.
        segments: dict[int, Segment] = {}
        moved = []
        for old in self.bindings:
            value = None
            if old.value is not None:
                value = same_node(binding, old.value, delta)
                if value is None:
                    return None
            new_scope = scopes.get(id(old.scope))
            if new_scope is None:
                new_scope = scopes[id(old.scope)] = ModuleScope(
                    old.scope.system, shifted(old.scope.span, delta), old.scope.origin)
            path = old.segments
            if delta:
                moved_path = []
                for segment in path:
                    new = segments.get(id(segment))
                    if new is None:
                        where = segment.span
                        new = segments[id(segment)] = Segment(
                            segment.name, Span(where.start + delta, where.end + delta),
                            segment.quoted)
                    moved_path.append(new)
                path = tuple(moved_path)
            moved.append(OptionBinding(path, new_scope, shifted(old.binding_span, delta),
                                       old.own_from, value, old.is_leaf, old.path))
        return moved
