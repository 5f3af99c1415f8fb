"""What surrounds a node: the attribute path of the bindings around it, the call it is an
argument of, a `mkIf false`, a VM variant or test, an installer image, an option declaration.

Questions the rules ask about a node's place in the tree, answered once here.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    attrpath_names,
    binding_name,
    bindings_of,
    callee_name,
    descendants_of_types,
    flatten_apply,
    nodes_of_types,
    static_string,
    unwrap_parens,
)

# Calls whose arguments are documentation or option declarations, not definitions.
DECLARATION_CALLS = frozenset(
    {"mkOption", "mkEnableOption", "mkPackageOption", "mkPackageOptionMD", "literalExpression",
     "literalExample", "literalMD", "mdDoc", "mkRemovedOptionModule", "mkRenamedOptionModule",
     "mkChangedOptionModule", "mkAliasOptionModule"}
)
# NixOS VM tests: everything inside them is a throwaway machine.
TEST_CALLS = frozenset({"nixosTest", "runNixOSTest", "makeTest", "simpleTest", "makeNixOSTest"})


def enclosing_path(doc: ParsedDocument, node: Node) -> tuple[str, ...]:
    """The attribute names of the bindings around `node`, outermost first (`*` if dynamic)."""
    names: list[str] = []
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "binding" and child == parent.child_by_field_name("expression"):
            attrpath = parent.child_by_field_name("attrpath")
            own = [path_name(doc, a) for a in (attrpath.named_children if attrpath else [])
                   if a.type != "comment"]
            names[:0] = own
        child, parent = parent, parent.parent
    return tuple(names)


def path_name(doc: ParsedDocument, attr: Node) -> str:
    """An attribute's name in a path, `*` when it is dynamic."""
    if attr.type == "identifier":
        return doc.node_text(attr)
    if attr.type == "string_expression":
        return static_string(attr) or "*"
    return "*"


def enclosing_call(node: Node, names: frozenset[str]) -> Node | None:
    """The nearest enclosing `f …` application whose function is one of `names`."""
    parent = node.parent
    while parent is not None:
        if parent.type == "apply_expression":
            function, _ = flatten_apply(parent)
            if callee_name(function) in names:
                return parent
        parent = parent.parent
    return None


def under_mkif_false(doc: ParsedDocument, node: Node) -> bool:
    """Inside `mkIf false { … }`: switched off, so nothing in it reaches the store (yet)."""
    parent = node.parent
    while parent is not None:
        if parent.type == "apply_expression":
            function, args = flatten_apply(parent)
            if callee_name(function) == "mkIf" and len(args) == 2 \
                    and doc.node_text(unwrap_parens(args[0]) or args[0]) == "false" \
                    and args[1].start_byte <= node.start_byte:
                return True
        parent = parent.parent
    return False


def in_vm_variant(doc: ParsedDocument, node: Node) -> bool:
    """Inside a `virtualisation.vmVariant…` binding: a throwaway VM build."""
    return any("vmVariant" in name for name in enclosing_path(doc, node))


# Modules that make a configuration an installer / live image (nixpkgs
# nixos/modules/installer/{cd-dvd,sd-card,netboot}/…), named in `imports` or `modules`.
_INSTALLER_MODULE = re.compile(
    r"installer/(?:cd-dvd|sd-card|netboot)/|installation-cd-[\w.-]*\.nix"
    r"|iso-image\.nix|sd-image[\w.-]*\.nix|netboot[\w.-]*\.nix"
)
_IMAGE_OPTIONS = frozenset({"isoImage", "sdImage"})
_MODULE_LIST_NAMES = frozenset({"imports", "modules"})
_PATH_KINDS = ("path_expression", "spath_expression", "string_expression",
               "indented_string_expression")


def in_installer_image(doc: ParsedDocument, node: Node) -> bool:
    """Whether a module around `node` builds an installer / live image: one of its enclosing
    attribute sets sets `isoImage.*` / `sdImage.*`, or has an `imports` / `modules` list
    naming nixpkgs' installer modules (by path, string or `<nixpkgs/…>`)."""
    parent = node.parent
    while parent is not None:
        if parent.type in ATTRSET_KINDS:
            for binding in bindings_of(parent):
                names = attrpath_names(binding)
                if not names:
                    continue
                if names[0] in _IMAGE_OPTIONS:
                    return True
                value = binding.child_by_field_name("expression")
                if names[-1] in _MODULE_LIST_NAMES and value is not None and any(
                    _INSTALLER_MODULE.search(doc.node_text(found))
                    for found in descendants_of_types(value, *_PATH_KINDS)
                ):
                    return True
        parent = parent.parent
    return False


def names_test_driver(doc: ParsedDocument) -> bool:
    """Whether `nixosTest` & co. appear in the text at all (else nothing is inside a test)."""
    return any(name.encode() in doc.source for name in TEST_CALLS)


def in_vm_test(doc: ParsedDocument, node: Node) -> bool:
    """Inside a NixOS VM test (`nixosTest { … }`) or a `virtualisation.vmVariant…` binding."""
    return enclosing_call(node, TEST_CALLS) is not None or in_vm_variant(doc, node)


def declaration_spans(doc: ParsedDocument) -> list[tuple[int, int]]:
    """Byte ranges of option declarations (`mkOption { … }`, `options = …`): documentation."""
    names = [*DECLARATION_CALLS, "options"]
    if not any(name.encode() in doc.source for name in names):
        return []
    spans = []
    for node in nodes_of_types(doc, "apply_expression", "binding"):
        if node.type == "apply_expression":
            function, _ = flatten_apply(node)
            if callee_name(function) in DECLARATION_CALLS:
                spans.append((node.start_byte, node.end_byte))
        elif "options" in (binding_name(node), *attrpath_names(node)[:1]):
            spans.append((node.start_byte, node.end_byte))
    return spans
