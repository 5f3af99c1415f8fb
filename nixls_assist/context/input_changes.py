"""Which flake inputs a change of `flake.lock` or of `flake.nix`'s `inputs` changes.

Two locks are compared input by input: a root input changed when its locked node, or
any node it reaches through its own inputs and `follows`, differs. A changed `flake.nix`
changes the inputs whose declarations differ (and the inputs that follow them); a change
anywhere else in it (the outputs) is reported as such: it may touch every configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tree_sitter import Node

from nixls_assist.context.flake_lock import FlakeLock
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.nodes import bindings_of

_HARMLESS = frozenset({"description"})  # top-level attributes no configuration reads


@dataclass
class InputChange:
    inputs: set[str] = field(default_factory=set)
    everything: bool = False  # the outputs changed, or the change cannot be read


def lock_changes(old: FlakeLock | None, new: FlakeLock | None) -> InputChange:
    """The root inputs whose locked closure differs between two locks."""
    if old is None or new is None:
        names = set(new.root_inputs() if new else ()) | set(old.root_inputs() if old else ())
        return InputChange(names, everything=old is None and new is None)
    old_prints, new_prints = _Prints(old), _Prints(new)
    names = set(old.root_inputs()) | set(new.root_inputs())
    return InputChange({n for n in names if old_prints.of_input(n) != new_prints.of_input(n)})


class _Prints:
    """A node's fingerprint: its locked source and its inputs' fingerprints."""

    def __init__(self, lock: FlakeLock) -> None:
        self.lock = lock
        self.memo: dict[str, str] = {}

    def of_input(self, name: str) -> str | None:
        node = self.lock.resolve([name])
        return self.of_node(node.name, set()) if node is not None else None

    def of_node(self, name: str, busy: set[str]) -> str:
        if name in self.memo:
            return self.memo[name]
        if name in busy:
            return "cycle"
        busy.add(name)
        node = self.lock.nodes[name]
        inputs = {}
        for key, target in sorted(node.inputs.items()):
            resolved = self.lock.resolve(target) if isinstance(target, list) else \
                self.lock.nodes.get(target)
            inputs[key] = self.of_node(resolved.name, busy) if resolved is not None else None
        busy.discard(name)
        text = json.dumps([node.locked, node.original, node.flake, inputs], sort_keys=True)
        self.memo[name] = text
        return text


def followers(lock: FlakeLock | None, changed: set[str]) -> set[str]:
    """The root inputs that reach a changed root input through their own inputs
    (`home-manager.inputs.nixpkgs.follows = "nixpkgs"`), with the changed ones."""
    if lock is None or not changed:
        return set(changed)
    roots = lock.root_inputs()
    targets = {n.name for name in changed if (n := lock.resolve([name])) is not None}
    result = set(changed)
    for name in roots:
        node = lock.resolve([name])
        if node is not None and _reaches(lock, node.name, targets, set()):
            result.add(name)
    return result


def _reaches(lock: FlakeLock, name: str, targets: set[str], seen: set[str]) -> bool:
    if name in seen:
        return False
    seen.add(name)
    node = lock.nodes.get(name)
    for target in (node.inputs.values() if node is not None else ()):
        resolved = lock.resolve(target) if isinstance(target, list) else lock.nodes.get(target)
        if resolved is not None and (resolved.name in targets
                                     or _reaches(lock, resolved.name, targets, seen)):
            return True
    return False


def flake_changes(old: bytes | None, new: bytes | None) -> InputChange:
    """What differs between two versions of `flake.nix`: the inputs whose declarations
    differ, or `everything` when anything else (the outputs) does."""
    if old is None or new is None:
        return InputChange(everything=True)
    before, after = _declarations(old), _declarations(new)
    if before is None or after is None or before[0] != after[0]:
        return InputChange(everything=True)
    names = set(before[1]) | set(after[1])
    return InputChange({n for n in names if before[1].get(n) != after[1].get(n)})


def _declarations(source: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    """(the top-level attributes other than `inputs`, the declaration of each input), as
    text with the whitespace normalised; None when the file is not an attribute set."""
    doc = parse(source, "flake.nix")
    if doc.tree.root_node.has_error:
        return None
    top = next((c for c in doc.tree.root_node.named_children if c.type != "comment"), None)
    if top is None or top.type not in ("attrset_expression", "rec_attrset_expression"):
        return None
    others: dict[str, str] = {}
    inputs: dict[str, str] = {}
    for binding in bindings_of(top):
        path = _path(binding, source)
        if binding.type != "binding" or not path:
            others[_text(binding, source)] = ""
            continue
        value = binding.child_by_field_name("expression")
        if path[0] != "inputs":
            if path[0] not in _HARMLESS:
                others[".".join(path)] = _text(value, source) if value is not None else ""
        elif len(path) > 1:  # `inputs.nixpkgs.url = …;`
            _add(inputs, path[1], ".".join(path[2:]), value, source)
        elif value is not None and value.type in ("attrset_expression",
                                                  "rec_attrset_expression"):
            for inner in bindings_of(value):
                inner_path = _path(inner, source)
                if inner.type != "binding" or not inner_path:
                    others["inputs " + _text(inner, source)] = ""
                    continue
                _add(inputs, inner_path[0], ".".join(inner_path[1:]),
                     inner.child_by_field_name("expression"), source)
        else:
            others["inputs"] = _text(value, source) if value is not None else ""
    return others, inputs


def _add(into: dict[str, str], name: str, rest: str, value: Node | None,
         source: bytes) -> None:
    into[name] = into.get(name, "") + f"{rest}={_text(value, source) if value else ''};"


def _path(binding: Node, source: bytes) -> list[str]:
    attrpath = binding.child_by_field_name("attrpath")
    if attrpath is None:
        return []
    return [_text(a, source).strip('"') for a in attrpath.named_children
            if a.type != "comment"]


def _text(node: Node, source: bytes) -> str:
    return " ".join(source[node.start_byte:node.end_byte].decode(errors="replace").split())
