"""Placeholder-aware walks over one release's option tree in a Store.

The tree is read lazily, one parent at a time, and cached: a lookup touches only the few nodes on
its path, so opening stays instant and repeated lookups (every keystroke) hit memory.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence

from option_index.model import Lookup, Option
from option_index.paths import ANY, from_key, is_name_placeholder, show_path, to_key
from option_index.store.database import Store

_MISSING = object()
# A query segment "*" (interpolated name) may have to try every child; bound the work.
_WILDCARD_BUDGET = 4000


class _Lru(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key, value):
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class _Node:
    """A cached tree node: its option (if any) and its children by name."""

    __slots__ = ("children", "key", "option", "placeholder", "star")

    def __init__(self, key: str, option: Option | None, children: dict[str, str]) -> None:
        self.key = key
        self.option = option
        self.children = children
        names = [n for n in children if is_name_placeholder(n)]
        self.placeholder = children[names[0]] if names else None
        self.star = children.get(ANY)


class OptionTree:
    """Lookups in the releases selected by `mask` of `store`."""

    def __init__(self, store: Store, mask: int, cache_size: int = 50_000) -> None:
        self.store = store
        self.mask = mask
        self._nodes: _Lru = _Lru(cache_size)

    def _node(self, key: str) -> _Node:
        node = self._nodes.get(key)
        if node is None:
            kids = dict(self.store.children(key, self.mask))
            node = self._nodes.put(key, _Node(key, self._option(key) if key else None, kids))
        return node

    def _option(self, key: str) -> Option | None:
        row = self.store.option(key, self.mask)
        if row is None:
            return None
        type_, ro, default, example, description, decls = row
        return Option.with_traits(
            show_path(from_key(key)), type_, read_only=bool(ro), default=default,
            example=example, description=description, declarations=tuple(json.loads(decls)),
        )

    def get_path(self, segments: Sequence[str]) -> Option | None:
        """The option stored at exactly these segments (placeholders spelled as stored)."""
        return self._node(to_key(segments)).option

    def _candidates(self, node: _Node, segment: str) -> list[str]:
        if segment == ANY:
            out = [k for k in (node.placeholder, node.star) if k]
            return out + [k for k in node.children.values() if k not in out]
        out = []
        if (k := node.children.get(segment)) is not None:
            out.append(k)
        if node.placeholder:
            out.append(node.placeholder)
        if node.star and node.star not in out:
            out.append(node.star)
        return out

    def resolve(self, path: Sequence[str]) -> tuple[Lookup, Option | None, str | None]:
        """(outcome, option, key of the node reached). The key is set for FOUND and PREFIX."""
        if not path:
            return Lookup.PREFIX, None, ""
        root = self._node("")
        if path[0] != ANY and path[0] not in root.children:
            return Lookup.NOT_INDEXED, None, None
        budget = [_WILDCARD_BUDGET]
        return self._walk(root, path, 0, budget)

    def _walk(self, node: _Node, path: Sequence[str], i: int, budget: list[int]):
        if i == len(path):
            if node.option is not None:
                return Lookup.FOUND, node.option, node.key
            return Lookup.PREFIX, None, node.key
        best = None
        for key in self._candidates(node, path[i]):
            budget[0] -= 1
            if budget[0] < 0:
                # Too many ways to read an interpolated name: do not judge.
                return Lookup.UNDER_FREEFORM, node.option, None
            result = self._walk(self._node(key), path, i + 1, budget)
            if result[0] is not Lookup.UNKNOWN:
                return result
            best = best or result
        opt = node.option
        if opt is not None and (opt.freeform or (not node.children and _declares_children(opt))):
            return Lookup.UNDER_FREEFORM, opt, None
        return best or (Lookup.UNKNOWN, None, None)

    def children(self, path: Sequence[str]) -> list[tuple[str, Option | None]]:
        """Next segments below `path` (resolved through placeholders), for completion."""
        outcome, _, key = self.resolve(path)
        if key is None or outcome not in (Lookup.FOUND, Lookup.PREFIX):
            return []
        node = self._node(key)
        return sorted(((name, self._node(k).option) for name, k in node.children.items()),
                      key=lambda item: item[0])

    def sibling_names(self, path: Sequence[str]) -> list[str]:
        """Names of the children of the node `path` resolves to ([] when it does not)."""
        key = self.resolve(path)[2]
        if key is None:
            return []
        return list(self._node(key).children)

    def nodes_named(self, name: str) -> list[tuple[str, ...]]:
        return [from_key(k) for k in self.store.nodes_named(name, self.mask)]


def _declares_children(opt: Option) -> bool:
    """A submodule-typed option with no sub-options in the set: we know nothing below it."""
    return "submodule" in opt.type
