"""Package lists of a Nix file (`environment.systemPackages`, `home.packages`, …) and the
edit that adds a package to one, in the list's own style.

`with pkgs; [ … ]` gets `foo`, a plain list gets `pkgs.foo`; a package already in the list
is never added twice; a multi-line list gets a new line with the indentation of its last
entry, a one-line list a space-separated entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Edit, Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import enclosing_path, path_name
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    bindings_of,
    callee_name,
    flatten_apply,
    unwrap_parens,
)

NIXOS_PACKAGES = ("environment", "systemPackages")
HOME_PACKAGES = ("home", "packages")
USER_PACKAGES_TAIL = "packages"  # users.users.<name>.packages
DEV_SHELL_KEYS = ("packages", "nativeBuildInputs", "buildInputs")


@dataclass(frozen=True)
class PackageList:
    option: str  # "environment.systemPackages", "home.packages", "packages", …
    path: tuple[str, ...]  # full attribute path of the binding in the file
    binding: Node
    list_node: Node  # the list new entries go into
    with_pkgs: bool  # entries are written bare (`with pkgs; [ … ]`)
    entries: frozenset[str]  # attribute paths under pkgs already listed


def package_lists(doc: ParsedDocument) -> list[PackageList]:
    """Every `environment.systemPackages`, `home.packages` and `users.users.<n>.packages` list."""
    found = []
    for binding in _bindings(doc.root):
        attrpath = binding.child_by_field_name("attrpath")
        if attrpath is None:
            continue
        path = enclosing_path(doc, binding) + tuple(
            path_name(doc, a) for a in attrpath.named_children if a.type != "comment"
        )
        option = _option_of(path)
        if option is None:
            continue
        plist = list_of(doc, binding, option, path)
        if plist is not None:
            found.append(plist)
    return found


def _option_of(path: tuple[str, ...]) -> str | None:
    if path[-2:] == NIXOS_PACKAGES:
        return "environment.systemPackages"
    if path[-2:] == HOME_PACKAGES:
        return "home.packages"
    if len(path) >= 4 and path[-4:-2] == ("users", "users") and path[-1] == USER_PACKAGES_TAIL:
        return "users.users.<name>.packages"
    return None


def list_of(
    doc: ParsedDocument, binding: Node, option: str, path: tuple[str, ...] = ()
) -> PackageList | None:
    """The list a binding's value is (through `with pkgs;`, parentheses, `mkIf`, `++`)."""
    value = binding.child_by_field_name("expression")
    lists: list[tuple[Node, bool]] = []
    _collect_lists(doc, value, False, lists)
    if not lists:
        return None
    entries = frozenset(e for node, with_pkgs in lists for e in _entries(doc, node, with_pkgs))
    target, with_pkgs = lists[0]
    return PackageList(option, path, binding, target, with_pkgs, entries)


def _collect_lists(
    doc: ParsedDocument, node: Node | None, with_pkgs: bool, out: list[tuple[Node, bool]]
) -> None:
    node = unwrap_parens(node)
    if node is None:
        return
    if node.type == "list_expression":
        out.append((node, with_pkgs))
    elif node.type == "with_expression":
        environment = node.child_by_field_name("environment")
        is_pkgs = environment is not None and doc.node_text(environment) == "pkgs"
        _collect_lists(doc, node.child_by_field_name("body"), with_pkgs or is_pkgs, out)
    elif node.type == "binary_expression" and node.child_by_field_name("operator") is not None:
        operator = node.child_by_field_name("operator")
        if operator is not None and doc.node_text(operator) == "++":
            _collect_lists(doc, node.child_by_field_name("left"), with_pkgs, out)
            _collect_lists(doc, node.child_by_field_name("right"), with_pkgs, out)
    elif node.type == "apply_expression":
        function, args = flatten_apply(node)
        if callee_name(function) in ("mkIf", "mkBefore", "mkAfter", "mkDefault", "mkForce",
                                     "mkOrder", "optionals") and args:
            _collect_lists(doc, args[-1], with_pkgs, out)
    elif node.type == "let_expression":
        _collect_lists(doc, node.child_by_field_name("body"), with_pkgs, out)


def _entries(doc: ParsedDocument, node: Node, with_pkgs: bool) -> Iterator[str]:
    for element in node.named_children:
        element = unwrap_parens(element)
        if element is None or element.type == "comment":
            continue
        text = doc.node_text(element)
        if element.type == "variable_expression":
            yield text
        elif element.type == "select_expression" and element.child_by_field_name("default") is None:
            yield text.removeprefix("pkgs.")


def package_text(plist: PackageList, attr: str) -> str:
    return attr if plist.with_pkgs else f"pkgs.{attr}"


def missing(plist: PackageList, attrs: Iterable[str]) -> list[str]:
    """`attrs` not yet in the list, in order, without repeats."""
    out: list[str] = []
    for attr in attrs:
        if attr not in plist.entries and attr not in out:
            out.append(attr)
    return out


def insertion_edit(doc: ParsedDocument, plist: PackageList, attrs: Iterable[str]) -> Edit | None:
    """Add the missing `attrs` to the list; None when all are there already."""
    new = [package_text(plist, a) for a in missing(plist, attrs)]
    if not new:
        return None
    node = plist.list_node
    source = doc.source
    elements = [c for c in node.named_children if c.type != "comment"]
    children = list(node.named_children)
    close = node.end_byte - 1  # the `]`
    if not elements:
        inner = source[node.start_byte + 1 : close].decode("utf-8", errors="replace")
        if "\n" not in inner:
            return Edit(Span(node.start_byte, node.end_byte), "[ " + " ".join(new) + " ]")
        indent = _indent_of_line(source, node.start_byte) + "  "
        text = "".join(f"\n{indent}{n}" for n in new)
        return Edit(Span(node.start_byte + 1, node.start_byte + 1), text)
    last = children[-1]
    line_end = source.find(b"\n", last.end_byte)
    line_end = len(source) if line_end < 0 else line_end
    if close < line_end or b"\n" not in source[node.start_byte : close]:
        # one-line list, or `]` right after the last entry: keep it on that line
        after = elements[-1].end_byte
        return Edit(Span(after, after), "".join(f" {n}" for n in new))
    first_of_line = _first_on_line(source, elements[-1].start_byte)
    indent = _indent_of_line(source, elements[-1].start_byte if first_of_line
                             else elements[0].start_byte)
    crlf = source[line_end - 1 : line_end] == b"\r"
    newline = "\r\n" if crlf else "\n"
    at = line_end - 1 if crlf else line_end
    return Edit(Span(at, at), "".join(f"{newline}{indent}{n}" for n in new))


def _indent_of_line(source: bytes, offset: int) -> str:
    start = source.rfind(b"\n", 0, offset) + 1
    line = source[start:offset].decode("utf-8", errors="replace")
    return line[: len(line) - len(line.lstrip())]


def _first_on_line(source: bytes, offset: int) -> bool:
    start = source.rfind(b"\n", 0, offset) + 1
    return not source[start:offset].strip()


def declared_packages(doc: ParsedDocument) -> set[str]:
    """Attribute paths this file declares: list entries, and `programs.<x>.enable = true`."""
    declared: set[str] = set()
    for plist in package_lists(doc):
        declared |= plist.entries
    for binding in _bindings(doc.root):
        attrpath = binding.child_by_field_name("attrpath")
        value = binding.child_by_field_name("expression")
        if attrpath is None or value is None or doc.node_text(value) != "true":
            continue
        path = enclosing_path(doc, binding) + tuple(
            path_name(doc, a) for a in attrpath.named_children if a.type != "comment"
        )
        if len(path) >= 3 and path[-3] == "programs" and path[-1] == "enable":
            declared.add(path[-2])
    return declared


def _bindings(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "binding":
            yield node
        stack.extend(reversed(node.children))


def module_attrset(doc: ParsedDocument) -> tuple[Node | None, bool]:
    """The top attrset of a module file, and whether `pkgs` is one of its arguments."""
    node = unwrap_parens(doc.root.child_by_field_name("expression"))
    has_pkgs = False
    if node is not None and node.type == "function_expression":
        formals = node.child_by_field_name("formals")
        if formals is not None:
            has_pkgs = any(
                f.type == "formal" and f.child_by_field_name("name") is not None
                and doc.node_text(f.child_by_field_name("name")) == "pkgs"
                for f in formals.named_children
            )
        node = unwrap_parens(node.child_by_field_name("body"))
    while node is not None and node.type == "let_expression":
        node = unwrap_parens(node.child_by_field_name("body"))
    if node is None or node.type not in ATTRSET_KINDS:
        return None, has_pkgs
    return node, has_pkgs


def creation_edit(doc: ParsedDocument, option: str, attrs: list[str]) -> Edit | None:
    """`option = with pkgs; [ … ];` as a new binding of a module that has `pkgs`."""
    attrset, has_pkgs = module_attrset(doc)
    if attrset is None or not has_pkgs or not attrs:
        return None
    if any(b.type == "binding" and _first(doc, b) == "config" for b in bindings_of(attrset)):
        return None  # an explicit `config = …` module: the user should choose where
    members = list(bindings_of(attrset))
    text = f"{option} = [ " + " ".join(f"pkgs.{a}" for a in attrs) + " ];"
    source = doc.source
    if members:
        last = members[-1]
        line_end = source.find(b"\n", last.end_byte)
        line_end = len(source) if line_end < 0 else line_end
        if attrset.end_byte > line_end and _first_on_line(source, last.start_byte):
            indent = _indent_of_line(source, last.start_byte)
            return Edit(Span(line_end, line_end), f"\n{indent}{text}")
        return Edit(Span(last.end_byte, last.end_byte), f" {text}")
    inner = source[attrset.start_byte + 1 : attrset.end_byte - 1]
    if b"\n" in inner:
        indent = _indent_of_line(source, attrset.start_byte) + "  "
        return Edit(Span(attrset.start_byte + 1, attrset.start_byte + 1), f"\n{indent}{text}")
    return Edit(Span(attrset.start_byte, attrset.end_byte), "{ " + text + " }")


def _first(doc: ParsedDocument, binding: Node) -> str | None:
    attrpath = binding.child_by_field_name("attrpath")
    if attrpath is None or not attrpath.named_children:
        return None
    return path_name(doc, attrpath.named_children[0])
