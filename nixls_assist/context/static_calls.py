"""A key for a call of the static evaluator (`Evaluator._call`) that equal arguments
share: `import ./lib { lib = inputs.nixpkgs.lib; }` written once per host is one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixls_assist.context.static_values import FuncV, Thunk
from nixls_assist.syntax.nodes import bindings_of

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixls_assist.context.static_eval import Env, FileUnit

_LITERALS = frozenset({"string_expression", "path_expression", "integer_expression",
                       "float_expression"})


def call_key(function: FuncV, argument: Thunk) -> tuple[tuple[object, ...],
                                                          tuple[object, ...]] | None:
    """(key, what keeps the key's objects alive) of a call of a function with formals
    (`{ lib, … }:`, which Nix forces its argument for) on an argument written as a plain
    attribute set of literals, lexical variables and selections from them, without
    forcing anything; None for any other call."""
    if argument.expression is None or argument.forced is not None or \
            function.node.child_by_field_name("formals") is None:
        return None
    node, env, unit = argument.expression
    if node.type != "attrset_expression":
        return None
    entries: list[tuple[str, object]] = []
    alive: list[object] = [function.env, env]  # the ids in the key stay theirs
    for binding in bindings_of(node):
        if binding.type == "inherit":
            attrs = binding.child_by_field_name("attrs")
            for attr in attrs.named_children if attrs is not None else ():
                found = env.lexical(attr.text.decode()) if attr.text else None
                if found is None:
                    return None
                alive.append(found)
                entries.append((attr.text.decode(), ("var", id(found))))  # type: ignore[union-attr]
            continue
        attrpath = binding.child_by_field_name("attrpath")
        value = binding.child_by_field_name("expression")
        names = attrpath.named_children if attrpath is not None else []
        if binding.type != "binding" or value is None or len(names) != 1 or \
                names[0].type != "identifier":
            return None
        key = _expression_key(value, env, unit, alive)
        if key is None:
            return None
        entries.append((names[0].text.decode(), key))  # type: ignore[union-attr]
    return ((function.unit.path, function.node.start_byte, id(function.env),
             tuple(sorted(entries))), tuple(alive))


def _expression_key(node: Node, env: Env, unit: FileUnit, alive: list[object]) -> object | None:
    if node.type in _LITERALS and not any(c.type == "interpolation" for c in node.children):
        # A relative path means a file beside the file it is written in.
        return ("literal", node.type, node.text,
                unit.path.parent if node.type == "path_expression" else None)
    head, path = node, ()
    if node.type == "select_expression":
        head = node.child_by_field_name("expression")  # type: ignore[assignment]
        attrpath = node.child_by_field_name("attrpath")
        if head is None or attrpath is None or node.child_by_field_name("default") is not None:
            return None
        names = attrpath.named_children
        if any(n.type != "identifier" for n in names):
            return None
        path = tuple(n.text for n in names)
    if head.type != "variable_expression" or not head.text:
        return None
    found = env.lexical(head.text.decode())
    if found is None:
        return None
    alive.append(found)
    return ("variable", id(found), path)
