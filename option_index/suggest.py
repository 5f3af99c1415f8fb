"""Did-you-mean for unknown option paths: edit distance on the failing segment, siblings first."""

from __future__ import annotations

from collections.abc import Sequence

from option_index.model import Lookup
from option_index.paths import ANY as ANY_SEGMENT
from option_index.paths import from_key, is_placeholder, show_path
from option_index.store.tree import OptionTree

_EXISTS = (Lookup.FOUND, Lookup.PREFIX, Lookup.UNDER_FREEFORM)


def edit_distance(a: str, b: str, *, swaps: bool = False) -> int:
    """Levenshtein distance (insert, delete, substitute; transposition counts as 2); with
    `swaps`, swapping two neighbouring letters (`enabel`) counts as one edit."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if swaps and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


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


_HOW_RANK = {"case": 0, "plural": 1, "spelling": 2}


def closeness(written: str, declared: str) -> str | None:
    """How `written` is a slip of `declared`: "case", "plural", "spelling", or None.

    Conservative on purpose: names that differ only in digits (`nssmdns4` / `nssmdns6`,
    `extraPackages` / `extraPackages32`) are distinct options, never slips of each other.
    """
    if written == declared:
        return None
    if written.lower() == declared.lower():
        return "case"
    if _strip_digits(written) == _strip_digits(declared):
        return None
    for a, b in ((written, declared), (declared, written)):
        if a in (b + "s", b + "es"):
            return "plural"
    shorter = min(len(written), len(declared))
    limit = 2 if shorter >= 8 else 1 if shorter >= 4 else 0
    if limit and edit_distance(written.lower(), declared.lower(), swaps=True) <= limit:
        return "spelling"
    return None


def _strip_digits(name: str) -> str:
    return "".join(c for c in name if not c.isdigit())


def close_sibling(tree: OptionTree, path: Sequence[str]) -> tuple[int, str, str] | None:
    """A near-identical sibling of the first name of `path` the tree does not have.

    Returns (index of the misspelt segment, the declared name, how close) when all hold:
    - every segment before it resolves to an attribute set of options (no `<name>` placeholder
      passed through, no freeform option: names there are the user's own data);
    - that set is two or more segments deep and declares options itself (a module such as
      `services.openssh`, not a namespace of modules such as `services` or `programs`);
    - a sibling is a case / singular-plural / one-or-two-letter slip of the name, and the path
      with that sibling exists.
    """
    path = tuple(path)
    if ANY_SEGMENT in path:
        return None
    for i in range(len(path)):
        outcome = tree.resolve(path[: i + 1])[0]
        if outcome is Lookup.UNKNOWN:
            break
        if outcome not in (Lookup.PREFIX, Lookup.FOUND):
            return None
    else:
        return None
    parent = path[:i]
    outcome, _, key = tree.resolve(parent)
    if i < 2 or outcome is not Lookup.PREFIX or key is None:
        return None
    if any(is_placeholder(s) for s in from_key(key)):
        return None
    children = tree.children(parent)
    if not any(option is not None for _, option in children):
        return None
    best: tuple[int, str, str] | None = None
    for name, _ in children:
        if is_placeholder(name):
            continue
        how = closeness(path[i], name)
        if how is None or tree.resolve((*parent, name, *path[i + 1:]))[0] not in _EXISTS:
            continue
        if best is None or _HOW_RANK[how] < _HOW_RANK[best[2]]:
            best = (i, name, how)
    return best
