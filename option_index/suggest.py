"""Did-you-mean for unknown option paths: edit distance on the failing segment, siblings first."""

from __future__ import annotations

from collections.abc import Sequence

from option_index.model import Lookup
from option_index.paths import is_placeholder, show_path
from option_index.tree import OptionTree

_EXISTS = (Lookup.FOUND, Lookup.PREFIX, Lookup.UNDER_FREEFORM)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute; transposition counts as 2)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _first_failure(tree: OptionTree, path: tuple[str, ...]) -> int | None:
    for i in range(1, len(path) + 1):
        if tree.resolve(path[:i])[0] not in _EXISTS:
            return i - 1
    return None


def suggest(tree: OptionTree, path: Sequence[str], limit: int = 3) -> list[str]:
    path = tuple(path)
    fail = _first_failure(tree, path)
    if fail is None:
        return []
    seg, parent, rest = path[fail], path[:fail], path[fail + 1:]
    threshold = max(2, len(seg) // 3)
    scored: list[tuple[int, str]] = []
    for name in tree.sibling_names(parent):
        if is_placeholder(name):
            continue
        dist = edit_distance(seg.lower(), name.lower())
        if dist <= threshold:
            candidate = (*parent, name, *rest)
            if tree.resolve(candidate)[0] in _EXISTS:
                scored.append((dist, show_path(candidate)))
    scored.sort()
    out = [p for _, p in scored]
    if len(out) < limit and path:
        # Same last segment elsewhere in the same namespace (moved into a sub-attrset).
        far = []
        for segs in tree.nodes_named(path[-1]):
            if segs[0] == path[0] and tree.get_path(segs) is not None:
                dist = sum(edit_distance(a, b) for a, b in zip(segs, path, strict=False))
                far.append((dist + abs(len(segs) - len(path)), show_path(segs)))
        out += [p for _, p in sorted(far) if p not in out]
    return out[:limit]
