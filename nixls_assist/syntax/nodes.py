"""Small, reusable questions about tree-sitter-nix nodes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, Query, QueryCursor

from nixls_assist.findings import Span
from nixls_assist.syntax.document import NIX, ParsedDocument

ATTRSET_KINDS = frozenset({"attrset_expression", "rec_attrset_expression"})
STRING_KINDS = frozenset({"string_expression", "indented_string_expression"})

# Module-system functions whose last argument is (a wrapper of) the definition itself.
PASS_THROUGH_WRAPPERS = frozenset(
    {"mkDefault", "mkForce", "mkOverride", "mkBefore", "mkAfter", "mkOrder", "mkOptionDefault",
     "mkImageMediaOverride", "mkFixStrictness", "mkVMOverride"}
)
CONDITIONAL_WRAPPERS = frozenset({"mkIf"})
MERGE_WRAPPERS = frozenset({"mkMerge"})


def span(node: Node) -> Span:
    return Span(node.start_byte, node.end_byte)


def unwrap_parens(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression":
        node = node.child_by_field_name("expression")
    return node


def parent_through_parens(node: Node) -> Node | None:
    """The node's parent above any parentheses around it: `(x)`'s binding, call or string."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return parent


# `let … in`, `with …;` and `assert …;`: expressions whose value is their `body`.
SCOPING_KINDS = frozenset({"let_expression", "with_expression", "assert_expression"})


def unwrap_to_body(node: Node | None, through: frozenset[str] = SCOPING_KINDS) -> Node | None:
    """Through parentheses and the expressions of the kinds `through` (each to its `body`;
    add `function_expression` to pass a function's header too) to the value inside."""
    while node is not None:
        if node.type == "parenthesized_expression":
            node = node.child_by_field_name("expression")
        elif node.type in through:
            node = node.child_by_field_name("body")
        else:
            return node
    return None


def callee_name(node: Node) -> str | None:
    """`lib.mkIf` / `mkIf` / `lib.modules.mkIf` → `mkIf`; None for anything else."""
    node = unwrap_parens(node)
    if node is None:
        return None
    if node.type == "variable_expression":
        name = node.child_by_field_name("name")
        return name.text.decode() if name is not None and name.text else None
    if node.type == "select_expression" and node.child_by_field_name("default") is None:
        attrpath = node.child_by_field_name("attrpath")
        if attrpath is not None and attrpath.named_child_count:
            last = attrpath.named_children[-1]
            if last.type == "identifier" and last.text:
                return last.text.decode()
    return None


def flatten_apply(node: Node) -> tuple[Node, list[Node]]:
    """`f a b c` → (f, [a, b, c])."""
    args: list[Node] = []
    while node.type == "apply_expression":
        arg = node.child_by_field_name("argument")
        if arg is not None:
            args.append(arg)
        function = node.child_by_field_name("function")
        if function is None:
            break
        node = function
    args.reverse()
    return node, args


def definition_value(node: Node | None) -> Node | None:
    """The definition under `( … )`, `mkDefault x`, `mkForce x`, `mkOverride n x`, `mkIf c x`."""
    while node is not None:
        node = unwrap_parens(node)
        if node is None or node.type != "apply_expression":
            return node
        function, args = flatten_apply(node)
        name = callee_name(function)
        if name in PASS_THROUGH_WRAPPERS and args:
            node = args[-1]
        elif name in CONDITIONAL_WRAPPERS and len(args) == 2:
            node = args[1]
        else:
            return node
    return None


def literal_path(node: Node | None) -> str | None:
    """`./secrets/wg.key` or `./secrets + "/wg.key"` → its text; None for anything else."""
    node = unwrap_parens(node)
    if node is None:
        return None
    if node.type in ("path_expression", "hpath_expression"):
        if any(c.type == "interpolation" for c in node.named_children):
            return None
        return node.text.decode("utf-8", errors="replace") if node.text else None
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if operator is None or operator.type != "+":
            return None
        base = literal_path(left)
        tail = static_string(right) if right is not None else None
        if base is not None and tail is not None:
            return base + tail
    return None


def bindings_of(attrset: Node) -> Iterator[Node]:
    """`binding`, `inherit` and `inherit_from` children of an attrset or let expression."""
    for child in attrset.named_children:
        if child.type == "binding_set":
            yield from (b for b in child.named_children if b.type != "comment")


def attr_name(attr: Node) -> str | None:
    """The static name of an attribute (`a`, `"a"`), None for `${…}` / interpolated strings."""
    if attr.type == "identifier":
        return attr.text.decode("utf-8", errors="replace") if attr.text else None
    return static_string(attr)


def attrpath_names(binding: Node) -> list[str | None]:
    """The names of a binding's attribute path: `a."b".${c} = …` → ["a", "b", None]."""
    attrpath = binding.child_by_field_name("attrpath") if binding.type == "binding" else None
    if attrpath is None:
        return []
    return [attr_name(a) for a in attrpath.named_children if a.type != "comment"]


def binding_name(binding: Node) -> str | None:
    """The last name of a binding's attribute path (`environment.etc."x".text` → `text`)."""
    names = attrpath_names(binding)
    return names[-1] if names else None


def static_string(node: Node) -> str | None:
    """The value of a string literal without interpolation; None when dynamic."""
    if node.type not in STRING_KINDS:
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(child.text.decode("utf-8", errors="replace") if child.text else "")
        elif child.type == "escape_sequence":
            raw = child.text.decode() if child.text else ""
            parts.append(_unescape(raw))
        elif child.type == "dollar_escape":
            parts.append("$")
        elif child.type == "comment":
            continue
        else:
            return None
    return "".join(parts)


def _unescape(raw: str) -> str:
    mapping = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "''\\n": "\n", "''\\t": "\t"}
    if raw in mapping:
        return mapping[raw]
    if raw.startswith("''"):
        return raw[-1] if raw != "'''" else "''"
    return raw[1:] if raw.startswith("\\") else raw


_QUERIES: dict[tuple[str, ...], Query] = {}


def descendants_of_types(root: Node, *types: str) -> list[Node]:
    """Nodes of the given types under `root` (itself included), in document order (parents
    before children), found by tree-sitter's query engine instead of a Python walk."""
    query = _QUERIES.get(types)
    if query is None:
        query = _QUERIES[types] = Query(NIX, "[" + " ".join(f"({t})" for t in types) + "] @n")
    found = QueryCursor(query).captures(root).get("n", [])
    return sorted(found, key=lambda node: (node.start_byte, -node.end_byte))


# The node kinds the rules look for, and a few shapes (capture names): one pass of the query
# engine per document finds them all (each separate pass costs about as much as this one).
# Not `binding` / `attrset_expression`: rarely asked for, and making ~1,000 nodes of them
# would cost every version.
INDEXED_KINDS = (
    "apply_expression", "binding_set", "function_expression",
    "indented_string_expression", "inherit", "inherit_from", "integer_expression",
    "interpolation", "let_attrset_expression", "let_expression", "path_expression",
    "rec_attrset_expression", "string_expression", "variable_expression", "with_expression",
)
INDEXED_SHAPES = """
    (inherit attrs: (inherited_attrs attr: (identifier) @inherit_name))
"""
_INDEX_QUERY = Query(NIX, "\n".join(f"({kind}) @{kind}" for kind in INDEXED_KINDS)
                     + INDEXED_SHAPES)


def node_index(doc: ParsedDocument) -> dict[str, list[Node]]:
    """Capture name (a kind in INDEXED_KINDS, or a shape's name) → its nodes in the document,
    computed once per version. The lists are in no guaranteed order."""
    return doc.cached("node_index", lambda: QueryCursor(_INDEX_QUERY).captures(doc.root))


def nodes_of_types(doc: ParsedDocument, *types: str) -> list[Node]:
    """`descendants_of_types` of the whole document, computed once per version."""
    if all(kind in INDEXED_KINDS for kind in types):
        index = node_index(doc)
        return doc.cached(("nodes_of_types", types), lambda: sorted(
            (node for kind in types for node in index.get(kind, ())),
            key=lambda node: (node.start_byte, -node.end_byte)))
    return doc.cached(("nodes_of_types", types), lambda: descendants_of_types(doc.root, *types))
