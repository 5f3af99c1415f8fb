"""The agenix rules file (`secrets.nix`), read statically.

agenix's CLI evaluates this file: an attrset whose keys are `.age` paths (relative to the
file's directory) and whose values give the recipients, `{ publicKeys = [ … ]; }`. Most are
written literally, often after a `let` naming the keys:

    let host = "ssh-ed25519 AAAA…"; users = [ alice ]; in
    { "wifi.age".publicKeys = [ host ] ++ users; }

What is literal is read; anything computed (`mkSecrets [ … ]`, `import ./default.nix`) makes
the registry incomplete, and the rules that need the whole registry then stay silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    attr_name,
    attrpath_names,
    bindings_of,
    span,
    static_string,
    unwrap_parens,
)

# ssh-ed25519 / ssh-rsa / ecdsa public keys and age recipients (age1…, age1yubikey1…).
PUBLIC_KEY = re.compile(
    r"^(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) \S+|^age1[0-9a-z]+$")


@dataclass(frozen=True)
class RulesEntry:
    """`"wifi.age".publicKeys = [ host ];`: one secret of the registry."""

    name: str  # as written: `wifi.age`, `hosts/a/wifi.age`
    span: Span  # the key
    binding_span: Span  # the whole binding
    recipients: tuple[str, ...] | None  # the keys, when every element resolves to a literal
    recipient_names: tuple[str, ...]  # the let-bound names the list uses, in order
    recipients_text: str  # the publicKeys expression as written (for a new entry's fix)


@dataclass(frozen=True)
class AgenixRules:
    entries: tuple[RulesEntry, ...]
    complete: bool  # every top-level key is a literal `….age` name
    keys: dict[str, str]  # let-bound names of a single key → that key
    insert_at: int | None = None  # where a new entry goes (the start of the `}` line)
    indent: str = "  "  # the indentation of the entries

    def entry(self, name: str) -> RulesEntry | None:
        wanted = name.removeprefix("./")
        return next((e for e in self.entries if e.name.removeprefix("./") == wanted), None)


def looks_like_rules_file(name: str, source: bytes) -> bool:
    """A file agenix's CLI would read: `secrets.nix` that names `publicKeys`."""
    return name == "secrets.nix" and b"publicKeys" in source


def read_agenix_rules(doc: ParsedDocument) -> AgenixRules:
    root = doc.root.named_children[0] if doc.root.named_child_count else None
    node = unwrap_parens(root)
    scope: dict[str, Node] = {}
    while node is not None and node.type == "let_expression":
        for binding in _let_bindings(node):
            names = attrpath_names(binding)
            value = binding.child_by_field_name("expression")
            if len(names) == 1 and names[0] is not None and value is not None:
                scope[names[0]] = value
        node = unwrap_parens(node.child_by_field_name("body"))
    if node is None or node.type not in ATTRSET_KINDS:
        return AgenixRules((), False, {})
    keys = {name: key for name, value in scope.items()
            if (key := static_string(value)) is not None and PUBLIC_KEY.match(key)}
    entries: list[RulesEntry] = []
    complete = True
    for binding in bindings_of(node):
        if binding.type != "binding":
            complete = False
            continue
        attrpath = binding.child_by_field_name("attrpath")
        first = attrpath.named_children[0] if attrpath is not None \
            and attrpath.named_child_count else None
        name = attr_name(first) if first is not None else None
        if first is None or name is None or not name.endswith(".age"):
            complete = False
            continue
        value = binding.child_by_field_name("expression")
        names = attrpath_names(binding)
        keys_node = value if names[1:] == ["publicKeys"] else _public_keys_of(value) \
            if len(names) == 1 else None
        recipients, used = _recipients(doc, keys_node, scope, set())
        entries.append(RulesEntry(
            name, span(first), span(binding), recipients, tuple(used),
            doc.node_text(keys_node) if keys_node is not None else ""))
    insert_at, indent = _insertion_point(doc, node, entries)
    return AgenixRules(tuple(entries), complete, keys, insert_at, indent)


def _insertion_point(doc: ParsedDocument, body: Node,
                     entries: list[RulesEntry]) -> tuple[int | None, str]:
    """The start of the closing brace's line when the brace stands alone on it."""
    source = doc.source
    close = body.end_byte - 1
    line_start = source.rfind(b"\n", 0, close) + 1
    if not entries or source[line_start:close].strip() or source[close:close + 1] != b"}":
        return None, "  "
    last = entries[-1].binding_span.start
    last_line = source.rfind(b"\n", 0, last) + 1
    indent = source[last_line:last].decode("utf-8", errors="replace")
    return line_start, indent if not indent.strip() else "  "


def _let_bindings(let: Node) -> list[Node]:
    found: list[Node] = []
    for child in let.named_children:
        if child.type == "binding_set":
            found.extend(c for c in child.named_children if c.type == "binding")
    return found


def _public_keys_of(value: Node | None) -> Node | None:
    value = unwrap_parens(value)
    if value is None or value.type not in ATTRSET_KINDS:
        return None
    for binding in bindings_of(value):
        if binding.type == "binding" and attrpath_names(binding) == ["publicKeys"]:
            return binding.child_by_field_name("expression")
    return None


def _recipients(doc: ParsedDocument, node: Node | None, scope: dict[str, Node],
                seen: set[str]) -> tuple[tuple[str, ...] | None, list[str]]:
    """The literal keys of a `publicKeys` expression (lists, `++`, let-bound names); None
    when any part is computed. Also the let-bound names it goes through."""
    node = unwrap_parens(node)
    if node is None:
        return None, []
    if node.type == "list_expression":
        keys: list[str] = []
        used: list[str] = []
        resolved = True
        for element in node.named_children:
            if element.type == "comment":
                continue
            part, names = _recipients(doc, element, scope, seen)
            used.extend(names)
            if part is None:
                resolved = False
            else:
                keys.extend(part)
        return (tuple(keys) if resolved else None), used
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is None or operator.type != "++":
            return None, []
        left, left_names = _recipients(doc, node.child_by_field_name("left"), scope, seen)
        right, right_names = _recipients(doc, node.child_by_field_name("right"), scope, seen)
        both = left + right if left is not None and right is not None else None
        return both, left_names + right_names
    if node.type == "variable_expression":
        name = doc.node_text(node)
        if name not in scope or name in seen:
            return None, []
        keys_of, used = _recipients(doc, scope[name], scope, seen | {name})
        return keys_of, [name, *used]
    literal = static_string(node)
    if literal is not None:
        return (literal,), []
    return None, []
