"""Which other files a Nix file pulls in as modules, and as modules of which system.

`modules = [ ./hosts/laptop ]` inside `nixosSystem { … }` makes `hosts/laptop` a NixOS
module; `home-manager.users.alice = import ./home/alice.nix;` makes `alice.nix` a
home-manager module; `imports = [ ./x.nix ]` inherits the importing module's system.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.syntax.bindings import SYSTEM_BUILDERS, ModuleSystem
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import attrpath_names, callee_name, flatten_apply


@dataclass(frozen=True)
class ModuleReference:
    target: str  # the path literal as written, e.g. `./hosts/laptop`
    system: ModuleSystem  # FILE: the same system as the referencing module
    origin: str  # e.g. "nixosSystem modules", "home-manager.users.alice"


def module_references(doc: ParsedDocument) -> Iterator[ModuleReference]:
    stack = [doc.root]
    while stack:
        node = stack.pop()
        if node.type == "path_expression":
            reference = _classify_path(doc, node)
            if reference is not None:
                yield reference
            continue
        stack.extend(reversed(node.named_children))


def _classify_path(doc: ParsedDocument, path: Node) -> ModuleReference | None:
    target = doc.node_text(path)
    node = path
    parent = node.parent
    # `import ./x` / `(import ./x)` / `import ./x { … }` count like `./x`.
    while parent is not None and parent.type in ("apply_expression", "parenthesized_expression"):
        if parent.type == "apply_expression":
            function, args = flatten_apply(parent)
            if callee_name(function) != "import" or not args or args[0] != node:
                return None
        node, parent = parent, parent.parent
    in_list = parent is not None and parent.type == "list_expression"
    if in_list:
        node, parent = parent, parent.parent
        while parent is not None and parent.type == "parenthesized_expression":
            node, parent = parent, parent.parent
    if parent is None or parent.type != "binding":
        return None
    names = attrpath_names(parent)
    if in_list and names[-1:] == ["imports"]:
        return ModuleReference(target, _enclosing_system(parent), "imports")
    if in_list and names[-1:] == ["modules"]:
        builder = _enclosing_builder(parent)
        if builder is not None:
            return ModuleReference(target, SYSTEM_BUILDERS[builder], f"{builder} modules")
        return None
    if in_list and names[-2:] == ["home-manager", "sharedModules"]:
        return ModuleReference(target, ModuleSystem.HOME_MANAGER, "home-manager.sharedModules")
    if not in_list and len(names) >= 3 and names[-3:-1] == ["home-manager", "users"]:
        return ModuleReference(target, ModuleSystem.HOME_MANAGER, "home-manager.users")
    return None


def _enclosing_builder(binding: Node) -> str | None:
    """`nixosSystem` when `binding` is in the attrset argument of `….nixosSystem { … }`."""
    node = binding.parent  # binding_set
    attrset = node.parent if node is not None else None
    apply = attrset.parent if attrset is not None else None
    while apply is not None and apply.type == "parenthesized_expression":
        apply = apply.parent
    if apply is None or apply.type != "apply_expression":
        return None
    function, _ = flatten_apply(apply)
    name = callee_name(function)
    return name if name in SYSTEM_BUILDERS else None


def _enclosing_system(binding: Node) -> ModuleSystem:
    """The system of the module an `imports` binding belongs to."""
    node: Node | None = binding.parent
    while node is not None:
        if node.type == "binding":
            names = attrpath_names(node)
            if len(names) >= 3 and names[-3:-1] == ["home-manager", "users"]:
                return ModuleSystem.HOME_MANAGER
        if node.type == "list_expression" and node.parent is not None:
            owner = node.parent
            if owner.type == "binding" and attrpath_names(owner)[-1:] == ["modules"]:
                builder = _enclosing_builder(owner)
                if builder is not None:
                    return SYSTEM_BUILDERS[builder]
        node = node.parent
    return ModuleSystem.FILE
