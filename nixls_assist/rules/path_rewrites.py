"""Minimal edits that move a definition to a new option path, keeping the file's shape.

`hardware.opengl.driSupport32Bit = true;` → `hardware.graphics.enable32Bit = true;` is one
edit of the attrpath. When the old path is split across nested attrsets
(`hardware.opengl = { enable = true; driSupport32Bit = true; };`) and every definition
inside moves under the same new parent, the outer attrpath is renamed once and the inner
names that change are renamed too; otherwise no automatic rewrite is offered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nixls_assist.findings import Edit, Span
from nixls_assist.syntax.bindings import OptionBinding
from option_index.paths import show_path

# (old path) → new path, or None when the definition has no rename target.
RenameTarget = Callable[[OptionBinding], tuple[str, ...] | None]


def rename_edits(
    binding: OptionBinding,
    new_path: Sequence[str],
    bindings: Sequence[OptionBinding],
    target_of: RenameTarget,
) -> tuple[Edit, ...] | None:
    """Edits that rename `binding` to `new_path`, or None when no minimal rewrite exists."""
    new_path = tuple(new_path)
    own_from = binding.own_from
    if binding.path[:own_from] == new_path[:own_from] and len(new_path) > own_from:
        return (_attrpath_edit(binding, new_path[own_from:]),)
    parent = _parent(binding, bindings)
    if parent is None:
        return None
    return _rename_parent(parent, bindings, target_of)


def _attrpath_edit(binding: OptionBinding, segments: Sequence[str]) -> Edit:
    return Edit(binding.own_span, show_path(segments))


def _parent(binding: OptionBinding, bindings: Sequence[OptionBinding]) -> OptionBinding | None:
    """The binding whose attrset value holds `binding` (`hardware.opengl = { … }`)."""
    for candidate in bindings:
        if (
            candidate is not binding
            and candidate.scope == binding.scope
            and len(candidate.segments) == binding.own_from
            and candidate.binding_span.start <= binding.binding_span.start
            and binding.binding_span.end <= candidate.binding_span.end
        ):
            return candidate
    return None


def _rename_parent(
    parent: OptionBinding, bindings: Sequence[OptionBinding], target_of: RenameTarget
) -> tuple[Edit, ...] | None:
    """Rename the outer attrpath when every definition inside moves under one new parent."""
    depth = len(parent.segments)
    leaves = [
        b for b in bindings
        if b.is_leaf and b.scope == parent.scope and b is not parent
        and parent.binding_span.start <= b.binding_span.start
        and b.binding_span.end <= parent.binding_span.end
    ]
    if not leaves:
        return None
    new_parent: tuple[str, ...] | None = None
    inner: list[Edit] = []
    for leaf in leaves:
        target = target_of(leaf)
        if target is None or len(target) <= depth:
            return None  # a definition with no new home: moving the parent would break it
        if new_parent is None:
            new_parent = target[:depth]
        if target[:depth] != new_parent:
            return None
        # The segments between the parent and the leaf's own attrpath must not change.
        if target[depth : leaf.own_from] != leaf.path[depth : leaf.own_from]:
            return None
        if target[leaf.own_from :] != leaf.path[leaf.own_from :]:
            inner.append(_attrpath_edit(leaf, target[leaf.own_from :]))
    assert new_parent is not None
    if new_parent[: parent.own_from] != parent.path[: parent.own_from]:
        return None
    return (_attrpath_edit(parent, new_parent[parent.own_from :]), *inner)


def deletion_edit(source: bytes, span: Span) -> Edit:
    """Delete a binding; when it is alone on its line(s), delete the whole lines."""
    start, end = span.start, span.end
    line_start = source.rfind(b"\n", 0, start) + 1
    line_end = source.find(b"\n", end)
    line_end = len(source) if line_end == -1 else line_end
    before = source[line_start:start]
    after = source[end:line_end]
    if before.strip() == b"" and after.strip() == b"":
        return Edit(Span(line_start, min(line_end + 1, len(source))), "")
    return Edit(Span(start, end), "")
