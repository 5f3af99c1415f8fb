"""What a NixOS module file literally sets: the values the posture rules (NXA7xx) read.

Conservative by construction: a value counts only when it is a literal (`true`, `"yes"`,
a list of strings), written plainly or under `mkForce`. `mkDefault` / `mkOverride` (another
module may win), a variable, a function call or a definition inside a NixOS test, a
`virtualisation.vmVariant`, an installer image or a `mkIf false` is unknowable or not the machine's:
it is read as "unknown", and an unknown value never makes a rule fire.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Span
from nixls_assist.syntax.bindings import module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import (
    in_installer_image,
    in_vm_variant,
    names_test_driver,
    under_mkif_false,
)
from nixls_assist.syntax.nodes import (
    STRING_KINDS,
    callee_name,
    flatten_apply,
    static_string,
    unwrap_parens,
)
from nixls_assist.syntax.option_binding import ModuleSystem, OptionBinding

UNKNOWN = object()  # a value that cannot be read statically
_STRONG = frozenset({"mkForce"})


@dataclass(frozen=True)
class Definition:
    binding: OptionBinding
    value: object  # bool, str, tuple[str | object, ...] or UNKNOWN

    @property
    def span(self) -> Span:
        return self.binding.own_span

    @property
    def path(self) -> tuple[str, ...]:
        return self.binding.path


def nixos_definitions(doc: ParsedDocument, ctx: FileContext) -> list[Definition]:
    """The NixOS option definitions of the file with their literal values, once per version."""
    return doc.cached(("posture_definitions", ctx.kind.value),
                      lambda: list(_definitions(doc, ctx)))


def _definitions(doc: ParsedDocument, ctx: FileContext):  # type: ignore[no-untyped-def]
    if ctx.kind not in (FileKind.NIXOS, FileKind.MODULE, FileKind.FLAKE):
        return
    if names_test_driver(doc) and ctx.kind is not FileKind.FLAKE:
        return  # a NixOS test: throwaway machines
    file_is_module = ctx.kind.is_module
    for binding in module_bindings(doc, file_is_module=file_is_module):
        system = binding.scope.system
        if system is ModuleSystem.FILE:
            if ctx.kind is not FileKind.NIXOS and ctx.kind is not FileKind.MODULE:
                continue
        elif system is not ModuleSystem.NIXOS:
            continue
        if not binding.is_leaf or binding.value is None or not _relevant(binding.path):
            continue
        if "containers" in binding.scope.origin or in_vm_variant(doc, binding.value) \
                or under_mkif_false(doc, binding.value) or in_installer_image(doc, binding.value):
            continue
        yield Definition(binding, literal(doc, binding.value))


# The option paths the posture rules read: the others are not looked at (the exclusion
# checks below walk up the tree, too slow to run for every binding of a generated file).
_PREFIXES = (("services", "openssh"), ("users", "users"), ("networking", "firewall"),
             ("networking", "nftables"), ("nix", "settings"), ("nix", "trustedUsers"),
             ("security", "sudo"), ("services", "redis"))


def _relevant(path: tuple[str, ...]) -> bool:
    if path[:1] == ("services",) and path[-1:] == ("enable",):
        return True
    return any(path[:len(prefix)] == prefix for prefix in _PREFIXES)


def literal(doc: ParsedDocument, node: Node | None) -> object:
    node = unwrap_parens(node)
    if node is None:
        return UNKNOWN
    if node.type == "apply_expression":
        function, args = flatten_apply(node)
        name = callee_name(function)
        if name in _STRONG and len(args) == 1:
            return literal(doc, args[0])
        return UNKNOWN
    if node.type == "variable_expression":
        text = doc.node_text(node)
        return {"true": True, "false": False}.get(text, UNKNOWN)
    if node.type in STRING_KINDS:
        text = static_string(node)
        return text if text is not None else UNKNOWN
    if node.type == "list_expression":
        return tuple(literal(doc, item) for item in node.named_children
                     if item.type != "comment")
    return UNKNOWN


def find(definitions: list[Definition], *paths: tuple[str, ...]) -> list[Definition]:
    return [d for d in definitions if d.path in paths]
