"""Resolve the bindings of a Nix module to the option paths they define.

`services.openssh = { settings.PermitRootLogin = "no"; };` defines the option
`services.openssh.settings.PermitRootLogin`. This module walks a parsed file and
yields one `OptionBinding` per attribute path it defines — through nested attrsets,
`config = …`, `lib.mkIf`/`mkMerge`/`mkDefault`/…, `let`/`with`, and into nested
modules (`home-manager.users.<name>`, `containers.<name>.config`, inline modules in
`imports` and in a flake's `nixosSystem { modules = [ … ]; }`).

It never evaluates anything. The walk is iterative so that deeply nested input cannot
exhaust Python's recursion limit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from tree_sitter import Node

from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    CONDITIONAL_WRAPPERS,
    MERGE_WRAPPERS,
    PASS_THROUGH_WRAPPERS,
    attrpath_names,
    bindings_of,
    callee_name,
    flatten_apply,
    nodes_of_types,
    span,
    static_string,
    unwrap_parens,
    unwrap_to_body,
)
from nixls_assist.syntax.option_binding import ModuleScope, ModuleSystem, OptionBinding, Segment
from nixls_assist.syntax.reuse import BindingGroup

# Top-level keys of a module that are not option definitions.
MODULE_META_KEYS = frozenset({"imports", "_file", "key", "disabledModules", "freeformType"})
# Functions whose `{ modules = [ … ]; }` argument holds modules of a known system.
SYSTEM_BUILDERS = {
    "nixosSystem": ModuleSystem.NIXOS,
    "homeManagerConfiguration": ModuleSystem.HOME_MANAGER,
    "darwinSystem": ModuleSystem.DARWIN,
}
# Flake outputs whose attribute values are modules.
MODULE_OUTPUTS = {
    "nixosModules": ModuleSystem.NIXOS,
    "nixosModule": ModuleSystem.NIXOS,
    "homeManagerModules": ModuleSystem.HOME_MANAGER,
    "homeModules": ModuleSystem.HOME_MANAGER,
    "darwinModules": ModuleSystem.DARWIN,
}


def module_bindings(doc: ParsedDocument, *, file_is_module: bool) -> tuple[OptionBinding, ...]:
    """All option definitions of a document in source order, computed once per version.

    `file_is_module`: the file itself is a module (NixOS / home-manager / darwin);
    otherwise only module literals embedded in it (a flake's `modules = [ … ]`) count.
    After an edit, the definitions under each top-level binding the edit did not touch are
    carried over from the previous version (see `BindingGroup`).
    """
    key = ("module_bindings", file_is_module)
    cached = doc.memo.get(key)
    if cached is None:
        previous = doc.previous.memo.get(("binding_groups", file_is_module)) \
            if doc.previous is not None else None
        walker = _Walker(doc, previous if isinstance(previous, dict) else None)
        found = list(_walk_document(doc, file_is_module, walker))
        if not _in_source_order(found):  # groups come sorted and in order; other walks not
            found.sort(key=_source_order)
        cached = doc.memo[key] = tuple(found)
        doc.memo[("binding_groups", file_is_module)] = walker.groups
    return cached  # type: ignore[return-value]


option_bindings = module_bindings


def _source_order(binding: OptionBinding) -> tuple[int, int]:
    return binding.binding_span.start, -binding.binding_span.end


def _in_source_order(bindings: list[OptionBinding]) -> bool:
    spans = [b.binding_span for b in bindings]
    return all(a.start < b.start or (a.start == b.start and a.end >= b.end)
               for a, b in pairwise(spans))


def _walk_document(
    doc: ParsedDocument, file_is_module: bool, walker: _Walker
) -> Iterator[OptionBinding]:
    expression = doc.root.child_by_field_name("expression")
    if expression is None:
        return
    if file_is_module:
        scope = ModuleScope(ModuleSystem.FILE, span(expression), "file")
        yield from walker.run(expression, scope, top_level=True)
    else:
        for node, system, origin in _embedded_modules(doc):
            yield from walker.run(node, ModuleScope(system, span(node), origin))


class _Mode(enum.Enum):
    MODULE = 1  # a whole module: function, `{ config = …; }` or shorthand attrset
    ATTRS = 2  # an attrset of definitions under a prefix


@dataclass(slots=True)
class _Task:
    node: Node
    mode: _Mode
    prefix: tuple[Segment, ...]
    scope: ModuleScope


class _Walker:
    def __init__(
        self, doc: ParsedDocument, reusable: dict[int, BindingGroup] | None = None
    ) -> None:
        self.doc = doc
        self.reusable = reusable  # the previous version's groups, by binding node id
        self.groups: dict[int, BindingGroup] = {}
        self.top_scope: ModuleScope | None = None

    def run(
        self, node: Node, scope: ModuleScope, *, top_level: bool = False
    ) -> list[OptionBinding]:
        if top_level:
            self.top_scope = scope
        found: list[OptionBinding] = []
        self._drain([_Task(node, _Mode.MODULE, (), scope)], found)
        return found

    def _drain(self, stack: list[_Task], found: list[OptionBinding]) -> None:
        while stack:
            task = stack.pop()
            pending: list[_Task] = []
            if task.mode is _Mode.MODULE:
                self._module(task, found, pending)
            else:
                self._attrs(task, found, pending)
            stack.extend(reversed(pending))

    def _group(self, binding: Node, scope: ModuleScope, explicit: bool) -> list[OptionBinding]:
        """Everything under one top-level binding: carried over, or walked to the end."""
        old = self.reusable.get(binding.id) if self.reusable is not None else None
        found = old.moved_to(binding, scope) if old is not None and old.explicit == explicit \
            else None
        if found is None:
            found, pending = [], []
            self._dispatch(binding, scope, explicit, found, pending)
            self._drain(list(reversed(pending)), found)
            found.sort(key=_source_order)  # kept in order: a moved group needs no sort
        self.groups[binding.id] = BindingGroup(binding.start_byte, explicit, scope, found)
        return found

    # -- modules ----------------------------------------------------------------

    def _module(self, task: _Task, found: list[OptionBinding], pending: list[_Task]) -> None:
        node = unwrap_to_body(task.node)
        if node is None:
            return
        if node.type == "function_expression":
            body = node.child_by_field_name("body")
            if body is not None:
                pending.append(_Task(body, _Mode.MODULE, (), task.scope))
            return
        if node.type == "apply_expression":
            # `lib.mkIf cond { … }` as a whole module is rare but legal for `config`.
            for inner in _wrapped_values(node):
                pending.append(_Task(inner, _Mode.MODULE, (), task.scope))
            return
        if node.type not in ATTRSET_KINDS:
            return
        bindings = list(bindings_of(node))
        source = self.doc.source
        explicit = any(source.startswith(_EXPLICIT_STARTS, b.start_byte)
                       and _first_name(b) in ("config", "options") for b in bindings)
        top_level = task.scope is self.top_scope
        for binding in bindings:
            if top_level:
                found += self._group(binding, task.scope, explicit)
            else:
                self._dispatch(binding, task.scope, explicit, found, pending)

    def _dispatch(self, binding: Node, scope: ModuleScope, explicit: bool,
                  found: list[OptionBinding], pending: list[_Task]) -> None:
        """One binding of a module: imports, meta keys, `config`, or a definition."""
        first = _first_name(binding)
        if first == "imports":
            self._inline_modules(binding, scope, pending)
        elif first in MODULE_META_KEYS or first == "options":
            return
        elif explicit:
            if first == "config":
                self._binding(binding, (), scope, found, pending, skip_first=True)
        else:
            self._binding(binding, (), scope, found, pending)

    def _inline_modules(self, binding: Node, scope: ModuleScope, pending: list[_Task]) -> None:
        value = unwrap_parens(binding.child_by_field_name("expression"))
        if value is None or value.type != "list_expression":
            return
        for element in value.named_children:
            element = unwrap_parens(element)
            if element is not None and element.type in ATTRSET_KINDS | {"function_expression"}:
                inner = ModuleScope(scope.system, span(element), f"{scope.origin} imports")
                pending.append(_Task(element, _Mode.MODULE, (), inner))

    # -- definitions --------------------------------------------------------------

    def _attrs(self, task: _Task, found: list[OptionBinding], pending: list[_Task]) -> None:
        node = unwrap_to_body(task.node)
        if node is None:
            return
        if node.type == "if_expression":
            for field in ("consequence", "alternative"):
                branch = node.child_by_field_name(field)
                if branch is not None:
                    pending.append(_Task(branch, _Mode.ATTRS, task.prefix, task.scope))
            return
        if node.type == "apply_expression":
            for inner in _wrapped_values(node):
                pending.append(_Task(inner, _Mode.ATTRS, task.prefix, task.scope))
            return
        if node.type in ATTRSET_KINDS:
            for binding in bindings_of(node):
                self._binding(binding, task.prefix, task.scope, found, pending)

    def _binding(
        self,
        binding: Node,
        prefix: tuple[Segment, ...],
        scope: ModuleScope,
        found: list[OptionBinding],
        pending: list[_Task],
        *,
        skip_first: bool = False,
    ) -> None:
        if binding.type in ("inherit", "inherit_from"):
            self._inherit(binding, prefix, scope, found)
            return
        if binding.type != "binding":
            return
        attrpath = binding.child_by_field_name("attrpath")
        value = binding.child_by_field_name("expression")
        if attrpath is None:
            return
        own = [self._segment(attr) for attr in attrpath.named_children if attr.type != "comment"]
        if skip_first:
            own = own[1:]
        segments = prefix + tuple(own)
        if not own:
            # `config = { … };` in an explicit module: the value is the definitions.
            if value is not None:
                pending.append(_Task(value, _Mode.ATTRS, (), scope))
            return
        boundary = _module_boundary(segments)
        descends = boundary is None and value is not None and _defines_attrs(value)
        found.append(
            OptionBinding(
                segments=segments,
                scope=scope,
                binding_span=span(binding),
                own_from=len(prefix),
                value=value,
                is_leaf=not descends and boundary is None,
                path=_labels(segments),
            )
        )
        if value is None:
            return
        if boundary is not None:
            system, origin, is_list = boundary
            for module in _modules_in(value, is_list):
                inner = ModuleScope(system, span(module), f"{origin}")
                pending.append(_Task(module, _Mode.MODULE, (), inner))
        elif descends:
            pending.append(_Task(value, _Mode.ATTRS, segments, scope))

    def _inherit(
        self,
        node: Node,
        prefix: tuple[Segment, ...],
        scope: ModuleScope,
        found: list[OptionBinding],
    ) -> None:
        attrs = node.child_by_field_name("attrs")
        if attrs is None:
            return
        for attr in attrs.named_children:
            if attr.type == "comment":
                continue
            segment = self._segment(attr)
            found.append(
                OptionBinding(
                    segments=(*prefix, segment),
                    scope=scope,
                    binding_span=span(attr),
                    own_from=len(prefix),
                    value=None,
                    is_leaf=True,
                    path=_labels((*prefix, segment)),
                )
            )

    def _segment(self, attr: Node) -> Segment:
        if attr.type == "identifier":
            return Segment(self.doc.node_text(attr), span(attr))
        if attr.type == "string_expression":
            return Segment(static_string(attr), span(attr), quoted=True)
        return Segment(None, span(attr))  # `${…}` interpolation


def _labels(segments: tuple[Segment, ...]) -> tuple[str, ...]:
    return tuple([s.name if s.name is not None else "*" for s in segments])


def _first_name(binding: Node) -> str | None:
    names = attrpath_names(binding)
    return names[0] if names else None


def _wrapped_values(node: Node) -> list[Node]:
    """The definitions inside `mkIf c X`, `mkMerge [X Y]`, `mkDefault X`, `mkOverride n X`."""
    function, args = flatten_apply(node)
    name = callee_name(function)
    if not args:
        return []
    if name in CONDITIONAL_WRAPPERS and len(args) == 2:
        return [args[1]]
    if name in PASS_THROUGH_WRAPPERS:
        return [args[-1]]
    if name in MERGE_WRAPPERS and len(args) == 1:
        items = unwrap_parens(args[0])
        if items is not None and items.type == "list_expression":
            return [e for e in items.named_children if e.type != "comment"]
    return []


def _defines_attrs(value: Node) -> bool:
    """Whether a binding's value is itself a set of definitions (so we descend)."""
    pending = [value]
    while pending:
        node = unwrap_to_body(pending.pop())
        if node is None:
            continue
        if node.type in ATTRSET_KINDS:
            return True
        if node.type == "if_expression":
            pending.extend(
                n for f in ("consequence", "alternative") if (n := node.child_by_field_name(f))
            )
        elif node.type == "apply_expression":
            pending.extend(_wrapped_values(node))
    return False


_BOUNDARY_ROOTS = frozenset({"home-manager", "containers", "specialisation"})
# How a binding of `config` / `options` can start (a cheap test before reading its name).
_EXPLICIT_STARTS = (b"config", b"options", b'"config"', b'"options"')


def _module_boundary(
    segments: tuple[Segment, ...],
) -> tuple[ModuleSystem, str, bool] | None:
    """Paths whose value is a module of another system (its paths start fresh)."""
    if not 2 <= len(segments) <= 3 or segments[0].name not in _BOUNDARY_ROOTS:
        return None
    names = [s.name for s in segments]
    if len(names) == 3 and names[:2] == ["home-manager", "users"]:
        return ModuleSystem.HOME_MANAGER, f"home-manager.users.{segments[2].label}", False
    if names == ["home-manager", "sharedModules"]:
        return ModuleSystem.HOME_MANAGER, "home-manager.sharedModules", True
    if len(names) == 3 and names[0] == "containers" and names[2] == "config":
        return ModuleSystem.NIXOS, f"containers.{segments[1].label}.config", False
    if len(names) == 3 and names[0] == "specialisation" and names[2] == "configuration":
        return ModuleSystem.NIXOS, f"specialisation.{segments[1].label}.configuration", False
    return None


def _modules_in(value: Node, is_list: bool) -> list[Node]:
    """Module literals in a boundary's value (a module, or a list of them)."""
    node = unwrap_parens(value)
    if node is None:
        return []
    if node.type == "apply_expression":
        inner = _wrapped_values(node)
        if inner:
            return [m for i in inner for m in _modules_in(i, is_list)]
    candidates = node.named_children if is_list and node.type == "list_expression" else [node]
    return [
        c
        for c in (unwrap_parens(c) for c in candidates)
        if c is not None and unwrap_to_body(c) is not None
        and unwrap_to_body(c).type in ATTRSET_KINDS | {"function_expression"}  # type: ignore[union-attr]
    ]


def _embedded_modules(doc: ParsedDocument) -> Iterator[tuple[Node, ModuleSystem, str]]:
    """Module literals inside a non-module file: `nixosSystem { modules = [ … ]; }`, flake
    outputs such as `nixosModules.foo = { … }: { … };`."""
    kinds = []
    if any(name.encode() in doc.source for name in SYSTEM_BUILDERS):
        kinds.append("apply_expression")
    if any(name.encode() in doc.source for name in MODULE_OUTPUTS):
        kinds.append("binding")
    for node in nodes_of_types(doc, *kinds) if kinds else ():
        if node.type == "apply_expression":
            function, args = flatten_apply(node)
            system = SYSTEM_BUILDERS.get(callee_name(function) or "")
            if system is not None and args:
                yield from _modules_argument(args[-1], system, callee_name(function) or "")
        elif node.type == "binding":
            yield from _module_output(node)


def _modules_argument(
    arg: Node, system: ModuleSystem, builder: str
) -> Iterator[tuple[Node, ModuleSystem, str]]:
    arg = unwrap_to_body(arg)
    if arg is None or arg.type not in ATTRSET_KINDS:
        return
    for binding in bindings_of(arg):
        if _first_name(binding) == "modules" and binding.type == "binding":
            value = binding.child_by_field_name("expression")
            if value is not None:
                for module in _modules_in(value, is_list=True):
                    yield module, system, f"{builder} modules"


def _module_output(binding: Node) -> Iterator[tuple[Node, ModuleSystem, str]]:
    attrpath = binding.child_by_field_name("attrpath")
    value = binding.child_by_field_name("expression")
    if attrpath is None or value is None:
        return
    names = [a.text.decode() if a.type == "identifier" and a.text else None
             for a in attrpath.named_children]
    if not names or names[0] not in MODULE_OUTPUTS:
        return
    system = MODULE_OUTPUTS[names[0]]
    if len(names) == 1 and names[0] != "nixosModule":
        node = unwrap_to_body(value)
        if node is not None and node.type in ATTRSET_KINDS:
            for inner in bindings_of(node):
                inner_value = inner.child_by_field_name("expression")
                if inner.type == "binding" and inner_value is not None:
                    for module in _modules_in(inner_value, is_list=False):
                        yield module, system, f"{names[0]}"
        return
    for module in _modules_in(value, is_list=False):
        yield module, system, ".".join(n or "*" for n in names)
