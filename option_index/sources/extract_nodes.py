"""Reading tree-sitter-nix nodes the way the static extractor needs: strings, attribute
paths, calls, bindings and `inherit`s, with ERROR / MISSING nodes skipped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

MAX_TYPE = 160  # longest type text kept (longer ones are cut with "…")


def node_text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text else ""


def named(node: Node) -> list[Node]:
    return [c for c in node.named_children if not c.is_missing and c.type != "comment"]


def strip(node: Node | None) -> Node | None:
    """Look through parentheses, `with x;`, `let … in`, `assert …;` and function heads."""
    while node is not None:
        if node.type in ("parenthesized_expression", "source_code"):
            node = named(node)[0] if named(node) else None
        elif node.type in ("with_expression", "let_expression", "assert_expression",
                           "function_expression"):
            node = node.child_by_field_name("body") or (named(node)[-1] if named(node) else None)
        else:
            return node
    return None


def call_parts(node: Node) -> tuple[str | None, list[Node]]:
    """(name of the called function, its arguments) of `f a b`; name is the last attr of `lib.f`."""
    args: list[Node] = []
    node = strip(node)
    while node is not None and node.type == "apply_expression":
        args.append(node.child_by_field_name("argument"))
        node = strip(node.child_by_field_name("function"))
    args.reverse()
    if node is None:
        return None, args
    if node.type == "variable_expression":
        return node_text(node), args
    if node.type == "select_expression":
        attrpath = node.child_by_field_name("attrpath")
        if attrpath is not None and named(attrpath):
            return node_text(named(attrpath)[-1]), args
    return None, args


def function_of(node: Node) -> Node | None:
    """The function node of `f a b` (after parentheses)."""
    node = strip(node)
    while node is not None and node.type == "apply_expression":
        node = strip(node.child_by_field_name("function"))
    return node


def attr_of(node: Node | None, names: list[str]) -> Node | None:
    """The value bound to `names` (a.b.c) in the attrset `node`, through nested attrsets."""
    for names_here, value in bindings(node):
        if names_here == names[: len(names_here)]:
            rest = names[len(names_here):]
            return value if not rest else attr_of(value, rest)
    return None


def inherits(node: Node | None) -> Iterator[tuple[Node | None, list[str]]]:
    """(source expression or None, names) of the `inherit (x) a b;` / `inherit a;` of an
    attrset."""
    for item in _set_items(node):
        if item.type not in ("inherit", "inherit_from"):
            continue
        attrs = item.child_by_field_name("attrs")
        names = [node_text(a) for a in named(attrs)] if attrs is not None else []
        yield item.child_by_field_name("expression"), [n for n in names if n]


def _set_items(node: Node | None) -> Iterator[Node]:
    """The bindings and `inherit`s of an attrset literal (rec or not)."""
    node = strip(node)
    if node is None or node.type not in ("attrset_expression", "rec_attrset_expression"):
        return
    for bset in named(node):
        if bset.type == "binding_set":
            yield from named(bset)


def string_value(node: Node | None) -> str | None:
    """The value of a string literal without interpolation (None otherwise)."""
    node = strip(node)
    if node is None or node.type not in ("string_expression", "indented_string_expression"):
        return None
    parts = []
    for child in named(node):
        if child.type == "string_fragment":
            parts.append(node_text(child))
        elif child.type == "escape_sequence":
            parts.append(node_text(child)[1:])
        else:
            return None
    return "".join(parts)


def attr_names(attrpath: Node) -> list[str] | None:
    out = []
    for part in named(attrpath):
        if part.type == "identifier":
            out.append(node_text(part))
        elif (s := string_value(part)) is not None:
            out.append(s)
        else:
            return None  # interpolated attribute name
    return out


def bindings(node: Node | None) -> Iterator[tuple[list[str], Node]]:
    """(attribute path, value) of the bindings of an attrset (rec or not)."""
    for binding in _set_items(node):
        if binding.type != "binding":
            continue
        attrpath = binding.child_by_field_name("attrpath")
        value = binding.child_by_field_name("expression")
        if attrpath is None or value is None:
            continue
        names = attr_names(attrpath)
        if names:
            yield names, value


def path_list(node: Node | None) -> tuple[str, ...] | None:
    """`[ "a" "b" ]` -> ("a", "b"); a single dotted element is a dotted path."""
    node = strip(node)
    if node is None or node.type != "list_expression":
        return None
    segs = [string_value(e) for e in named(node)]
    if not segs or any(s is None for s in segs):
        return None
    if len(segs) == 1 and "." in segs[0]:
        return tuple(segs[0].split("."))
    return tuple(segs)  # type: ignore[arg-type]


def collapse_type(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"^with (?:lib\.)?types; ", "", text)
    text = re.sub(r"\b(?:lib\.)?types\.", "", text)
    return text if len(text) <= MAX_TYPE else text[: MAX_TYPE - 1] + "…"
