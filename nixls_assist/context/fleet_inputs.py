"""Which flake inputs each configuration of the fleet uses, read without evaluating.

A configuration uses the input its builder comes from (`nixpkgs.lib.nixosSystem`), the
inputs named in the builder's other arguments (`pkgs = nixpkgs.legacyPackages.…`), the
inputs' modules in its module lists (`inputs.disko.nixosModules.disko`) and every input
its module files name: `inputs.X…`, `inherit (inputs) X`, `self.inputs.X…`, or a module
argument given by `specialArgs` that holds an input. A Nix file is closed (only its
arguments reach outside it), so naming is the only way a module file can use an input;
a module written inline in `flake.nix` or a helper is read with the scope it was written
in. Where the use cannot be told — the whole `inputs` handed to something that is not a
module argument, a value the static evaluator does not know — the configuration is
marked "unknown": a change of any input may touch it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from tree_sitter import Node

from nixls_assist.context.fleet import RECURSION_LIMIT, Configuration
from nixls_assist.context.static_eval import Env, FileUnit, parsed_unit
from nixls_assist.context.static_values import (
    AttrsV,
    Builtin,
    Choice,
    External,
    FuncV,
    ListV,
    MergeV,
    SystemV,
    Thunk,
    Unknown,
    UnknownCall,
    Value,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import bindings_of, node_index

# Bindings whose value becomes module arguments: the `inputs` handed to them whole is
# read by the modules that receive it, which are walked and read in their turn.
_ARGUMENT_BINDINGS = frozenset({"specialArgs", "extraSpecialArgs", "args"})
# What `self.X` may name without reaching an input.
_SELF_PLAIN = frozenset({"rev", "shortRev", "dirtyRev", "dirtyShortRev", "lastModified",
                         "lastModifiedDate", "outPath", "sourceInfo", "narHash",
                         "nixosModules", "darwinModules", "homeManagerModules",
                         "homeModules", "modules"})
_BUDGET = 20000  # values visited per configuration before giving up (unknown)


class Reference:
    """A variable in a Nix expression: `name`, the attributes selected from it (at most
    two, when written literally), and whether it stands in module arguments."""

    def __init__(self, name: str, selected: tuple[str, ...], node: Node | None,
                 source: bytes = b"", as_path: bool = False) -> None:
        self.name = name
        self.selected = selected
        self.node = node
        self.source = source
        self.as_path = as_path  # `"${self}/x"`, `self + "/x"`: only the files it names
        self.line = node.start_point[0] + 1 if node is not None else 0
        self.bound: dict[tuple[int, int, bool], bool] = {}

    @cached_property
    def as_arguments(self) -> bool:
        """Under a binding that makes module arguments (`specialArgs = { … }`)."""
        parent = self.node.parent if self.node is not None else None
        while parent is not None:
            if parent.type == "binding":
                attrpath = parent.child_by_field_name("attrpath")
                names = attrpath.named_children if attrpath is not None else []
                if names and _text(names[-1], self.source) in _ARGUMENT_BINDINGS:
                    return True
            parent = parent.parent
        return False

    def bound_inside(self, stop: Node, own: Node | None) -> bool:
        """Bound by a function, `let` or `rec` set of the code read (`_bound_inside`);
        kept with the reference, which is kept with its document."""
        key = (stop.start_byte, stop.end_byte, own is not None)
        found = self.bound.get(key)
        if found is None:
            found = self.bound[key] = self.node is not None and _bound_inside(
                self.node, self.name, stop, own, self.source)
        return found

    def under(self, name: str, selected: tuple[str, ...]) -> Reference:
        """`args.inputs.x` read as `inputs.x`."""
        return Reference(name, selected, self.node, self.source)


@dataclass
class InputUse:
    inputs: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)  # why a change of any input may touch it

    @property
    def known(self) -> bool:
        return not self.unknown


def references(node: Node, doc: ParsedDocument) -> list[Reference]:
    """Every variable `node` mentions, with what is selected from it (once per version
    of the document: every configuration that uses a file reads it)."""
    return doc.cached(("input references", node.start_byte, node.end_byte),
                      lambda: _references(node, doc))


def _references(node: Node, doc: ParsedDocument) -> list[Reference]:
    source = doc.source
    index = node_index(doc)
    start, end = node.start_byte, node.end_byte
    found: list[Reference] = []
    for variable in index.get("variable_expression", ()):
        if start <= variable.start_byte and variable.end_byte <= end:
            found.append(_reference(variable, source))
    for attr in index.get("inherit_name", ()):  # `inherit inputs;`
        if start <= attr.start_byte and attr.end_byte <= end:
            found.append(Reference(_text(attr, source), (), attr, source))
    return found


def _reference(node: Node, source: bytes) -> Reference:
    name = _text(node, source)
    parent = node.parent
    if parent is not None and parent.type == "select_expression" and \
            parent.child_by_field_name("expression") == node:
        attrpath = parent.child_by_field_name("attrpath")
        selected: list[str] = []
        for attr in attrpath.named_children if attrpath is not None else ():
            if attr.type != "identifier" or len(selected) == 2:
                break
            selected.append(_text(attr, source))
        return Reference(name, tuple(selected), node, source)
    if parent is not None and parent.type == "inherit_from":  # `inherit (inputs) a b;`
        attrs = parent.child_by_field_name("attrs")
        names = [_text(a, source) for a in (attrs.named_children if attrs else ())
                 if a.type == "identifier"]
        inherited = () if not names else (names[0],) if len(names) == 1 else \
            ("\0" + "\0".join(names),)
        return Reference(name, inherited, node, source)
    as_path = parent is not None and (parent.type == "interpolation" or (
        parent.type == "binary_expression" and parent.child_by_field_name("left") == node
        and (op := parent.child_by_field_name("operator")) is not None
        and _text(op, source) == "+"))
    return Reference(name, (), node, source, as_path)


def _text(node: Node, source: bytes) -> str:
    return source[node.start_byte:node.end_byte].decode(errors="replace")


class _Reader:
    """The inputs one configuration uses."""

    def __init__(self, configuration: Configuration, input_names: set[str]) -> None:
        self.configuration = configuration
        self.names = input_names
        self.every_input_named = False
        self.use = InputUse()
        self.at: tuple[Path, int] = (Path(), 0)  # the variable being read, for the reasons
        self.unit: FileUnit | None = None  # the file it is in
        self.imports: set[Path] = set()  # files handed the whole `inputs`, read
        self.seen: set[int] = set()
        self.steps = 0
        system = configuration.system
        special = system.special_args.force() if system is not None and \
            system.special_args is not None else None
        self.module_args: dict[str, Thunk] = dict(special.entries) \
            if isinstance(special, AttrsV) else {}
        self.wanted = input_names | {"inputs", "self"} | set(self.module_args)

    def where(self) -> str:
        return f"{self.at[0].name}:{self.at[1]}"

    def unknown(self, why: str) -> None:
        if why not in self.use.unknown:
            self.use.unknown.append(why)

    # -- values -------------------------------------------------------------------------

    def value(self, value: Value, as_arguments: bool = False) -> None:
        self.steps += 1
        if self.steps > _BUDGET:
            self.unknown("too many values to read")
            return
        if isinstance(value, External):
            self.external(value)
            return
        if isinstance(value, UnknownCall) and value.function is not None:
            self.external(value.function)  # `import nixpkgs { overlays = …; }`: both read
            if value.argument is not None:
                self.value(value.argument.force())
            return
        if isinstance(value, Unknown):
            where = value.where
            self.unknown(f"{value.reason}" + (f" ({where.file.name}:{where.line})"
                                              if where is not None else ""))
            return
        if id(value) in self.seen:
            return
        self.seen.add(id(value))
        if isinstance(value, AttrsV):
            self.attrs(value, as_arguments)
        elif isinstance(value, ListV):
            for item in value.items:
                self.value(item.force())
        elif isinstance(value, Choice):
            for option in value.options:
                self.value(option.force())
        elif isinstance(value, MergeV):
            self.value(value.items.force())
        elif isinstance(value, FuncV):
            body = value.node
            self.expression(body, value.env, value.unit)
        elif isinstance(value, Builtin):
            if value.origin is not None:
                self.input(value.origin)
            for arg in value.args:
                self.value(arg.force())
        elif isinstance(value, SystemV):
            self.system(value)

    def external(self, value: External) -> None:
        if value.local_lib:
            return
        if value.name in self.names:
            self.input(value.name)
        elif value.name in ("inputs", "self", "perSystem"):
            self.unknown(f"`{value.name}` used whole")

    def input(self, name: str) -> None:
        if name in self.names:
            self.use.inputs.add(name)

    def attrs(self, value: AttrsV, as_arguments: bool) -> None:
        if _is_set_of(value, "inputs") or _is_set_of(value, "self"):
            if not as_arguments:
                self.unknown(f"the whole `{value.rest.name}` used")  # type: ignore[union-attr]
            return
        if value.source is not None:
            node, env, unit = value.source
            self.expression(node, env, unit)
            return
        for name, item in value.entries.items():
            self.value(item.force(), as_arguments or name in _ARGUMENT_BINDINGS)
        if value.rest is not None:
            self.value(value.rest)

    def system(self, system: SystemV) -> None:
        """The builder and its arguments other than the modules and module arguments."""
        if system.opaque_inputs is not None:
            self.unknown(system.opaque_inputs)
        if system.builder is not None and system.builder in self.names:
            self.input(system.builder)
        elif system.builder is not None:
            self.unknown(f"the builder's input `{system.builder}` is not an input of the flake")
        else:
            self.unknown(f"the builder's flake input is not known "
                         f"({system.where.file.name}:{system.where.line})")
        arguments = system.arguments.force() if system.arguments is not None else None
        if isinstance(arguments, AttrsV):
            for name, item in arguments.entries.items():
                if name not in ("modules", "specialArgs", "extraSpecialArgs", "configuration"):
                    self.value(item.force())
        elif arguments is not None:
            self.value(arguments)

    # -- expressions --------------------------------------------------------------------

    def expression(self, node: Node, env: Env | None, unit: FileUnit,
                   module: bool = False) -> None:
        """A function or attribute set written in `unit`: its variables, each looked up
        in the scope it was written in, else among the module arguments (of `node`
        itself, `args@{ … }`, when it is a module)."""
        source = unit.doc.source
        top = _top_function(node)
        universal = _universal(top, source) if module and top is not None else None
        own = top if module else None  # its formals are the module arguments: not local
        wanted = self.wanted if env is None else None  # a file: only these can matter
        for ref in references(node, unit.doc):
            if wanted is not None and ref.name not in wanted and ref.name != universal:
                continue
            if ref.bound_inside(node, own):
                continue  # a function parameter or `let` of its own: read where it is set
            self.at = (unit.path, ref.line)
            self.unit = unit
            found = env.lookup(ref.name) if env is not None else None
            if ref.name == universal and ref.selected:  # `args.inputs.x`
                ref = ref.under(ref.selected[0], ref.selected[1:])
            elif ref.name == universal:
                self.unknown(f"the module arguments `{ref.name}` used whole "
                             f"({unit.path.name}:{ref.line})")
                continue
            if found is None:
                found = self.module_args.get(ref.name)
            if found is not None:
                self.variable(found, ref)
            elif ref.name in self.names:  # an input given as a module argument
                self.input(ref.name)
            elif ref.name in ("inputs", "self"):
                self.selected(External(ref.name), ref)

    def variable(self, found: Thunk, ref: Reference) -> None:
        """A variable's value; one the evaluator does not know is read from the expression
        that sets it instead (its own variables, in its own scope)."""
        value = found.force()
        if isinstance(value, Unknown) and not isinstance(value, UnknownCall) and \
                found.expression is not None:
            if id(found) not in self.seen:
                self.seen.add(id(found))
                node, env, unit = found.expression
                at, current = self.at, self.unit
                self.expression(node, env, unit)
                self.at, self.unit = at, current
            return
        self.selected(value, ref)

    def selected(self, value: Value, ref: Reference) -> None:
        if _is_set_of(value, "inputs") or (isinstance(value, External)
                                           and value.name == "inputs"):
            if ref.selected:
                self.inherited(ref.selected[0])
            elif ref.as_arguments:
                pass
            elif (target := _imported_with(ref, self.unit)) is not None:
                self.imported(target)
            else:
                self.unknown(f"the whole `{ref.name}` handed to something that is not a "
                             f"module argument ({self.where()})")
            return
        if _is_set_of(value, "self") or (isinstance(value, External) and value.name == "self"):
            if ref.selected[:1] == ("inputs",) and len(ref.selected) == 2:
                self.inherited(ref.selected[1])
            elif ref.selected and ref.selected[0] in _SELF_PLAIN:
                pass
            elif ref.selected and isinstance(value, AttrsV) and \
                    ref.selected[0] in value.entries:  # `self.overlays`: the flake's own
                self.value(value.entries[ref.selected[0]].force())
            elif not ref.selected and (ref.as_arguments or ref.as_path):
                pass  # handed on as a module argument, or `"${self}/…"`: its files
            else:
                self.unknown(f"`{'.'.join((ref.name, *ref.selected))}` may use any input "
                             f"({self.where()})")
            return
        if isinstance(value, AttrsV) and ref.selected and ref.selected[0] in value.entries \
                and not ref.selected[0].startswith("\0"):
            self.value(value.entries[ref.selected[0]].force(), ref.as_arguments)
            return
        self.value(value, ref.as_arguments)

    def imported(self, path: Path) -> None:
        """`import ./file { inherit inputs; … }`: the inputs that file names (a file is
        closed: it can use no other), read once."""
        if path.is_dir():
            path = path / "default.nix"
        if path in self.imports:
            return
        self.imports.add(path)
        unit = parsed_unit(path) if path.is_file() else None
        if unit is None:
            self.unknown(f"the whole `inputs` handed to `{path.name}`, which cannot be read")
            return
        at, current = self.at, self.unit
        self.expression(unit.doc.tree.root_node, None, unit, module=True)
        self.at, self.unit = at, current

    def inherited(self, selected: str) -> None:
        for name in selected.strip("\0").split("\0"):
            if name in self.names:
                self.input(name)
            elif name == "self" or self.every_input_named:
                continue  # the lock names every input: no change of one can reach it
            else:
                self.unknown(f"`inputs.{name}`, not an input of the flake")

    # -- the configuration --------------------------------------------------------------

    def read(self) -> InputUse:
        configuration = self.configuration
        if configuration.system is None:
            self.unknown("not built by a builder the graph follows")
            return self.use
        self.system(configuration.system)
        for name in configuration.input_modules:
            self.input(name)
        for path in sorted(configuration.files):
            unit = parsed_unit(path)
            if unit is None:
                self.unknown(f"`{path.name}` cannot be read")
                continue
            self.expression(unit.doc.tree.root_node, None, unit, module=True)
        for value in configuration.inline:
            if _written_in(value, configuration.files):
                continue  # read with its file
            if isinstance(value, FuncV) and id(value) not in self.seen:
                self.seen.add(id(value))
                self.expression(value.node, value.env, value.unit, module=True)
            else:
                self.value(value)
        if not configuration.complete:
            self.unknown("the configuration's modules are not all followed")
        return self.use


def configuration_inputs(configuration: Configuration, input_names: set[str],
                         *, every_input_named: bool = False) -> InputUse:
    """The flake inputs `configuration` uses, or why that is not known. With
    `every_input_named` (the names come from the lock), `inputs.x` of another name is
    no input at all (dead code, or an error when evaluated), not an unknown one."""
    reader = _Reader(configuration, input_names)
    reader.every_input_named = every_input_named
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        return reader.read()
    except RecursionError:
        reader.unknown("too deep to read")
        return reader.use
    finally:
        sys.setrecursionlimit(old_limit)


def _written_in(value: Value, files: set[Path]) -> bool:
    if isinstance(value, FuncV):
        return value.unit.path in files
    if isinstance(value, AttrsV) and value.source is not None:
        return value.source[2].path in files
    return False


def _is_set_of(value: Value, name: str) -> bool:
    return isinstance(value, AttrsV) and isinstance(value.rest, External) and \
        value.rest.name == name


def _imported_with(ref: Reference, unit: FileUnit | None) -> Path | None:
    """The file of `import ./file { inherit inputs; … }` when `ref` is that `inherit`."""
    node = ref.node
    if unit is None or node is None:
        return None
    up = node.parent  # identifier → inherited_attrs → inherit → binding_set → attrset
    for kind in ("inherited_attrs", "inherit", "binding_set"):
        if up is None or up.type != kind:
            return None
        up = up.parent
    holder = up if up is not None and up.type == "attrset_expression" else None
    call = holder.parent if holder is not None else None
    if call is None or call.type != "apply_expression" or \
            call.child_by_field_name("argument") != holder:
        return None
    function = call.child_by_field_name("function")
    if function is None or function.type != "apply_expression":
        return None
    head = function.child_by_field_name("function")
    target = function.child_by_field_name("argument")
    source = unit.doc.source
    if head is None or target is None or _text(head, source) != "import" or \
            target.type != "path_expression" or "${" in _text(target, source):
        return None
    return Path(os.path.normpath(unit.path.parent / _text(target, source)))


def _top_function(node: Node) -> Node | None:
    """The function a file (or a module written inline) is."""
    while node.type in ("source_code", "parenthesized_expression"):
        children = [c for c in node.named_children if c.type != "comment"]
        if not children:
            return None
        node = children[0]
    return node if node.type == "function_expression" else None


def _universal(function: Node, source: bytes) -> str | None:
    """`args` of a module `args@{ … }:` or `args: …`."""
    universal = function.child_by_field_name("universal")
    return _text(universal, source) if universal is not None else None


def _bound_inside(ref: Node, name: str, stop: Node, own: Node | None, source: bytes) -> bool:
    """`name` at `ref` is bound by a function, `let` or `rec` set between `ref` and `stop`
    (a module's own function `own` excepted)."""
    current = ref.parent
    while current is not None:
        if current.type == "function_expression" and current != own and \
                _binds_parameter(current, name, source):
            return True
        if current.type in ("let_expression", "rec_attrset_expression") and \
                name in _bound_names(current, source):
            return True
        if current == stop:
            return False
        current = current.parent
    return False


def _binds_parameter(function: Node, name: str, source: bytes) -> bool:
    if _universal(function, source) == name:
        return True
    formals = function.child_by_field_name("formals")
    for formal in formals.named_children if formals is not None else ():
        named = formal.child_by_field_name("name") if formal.type == "formal" else None
        if named is not None and _text(named, source) == name:
            return True
    return False


def _bound_names(node: Node, source: bytes) -> set[str]:
    names: set[str] = set()
    for binding in bindings_of(node):
        if binding.type == "binding":
            attrpath = binding.child_by_field_name("attrpath")
            first = attrpath.named_children[0] if attrpath is not None and \
                attrpath.named_children else None
            if first is not None and first.type == "identifier":
                names.add(_text(first, source))
        else:
            attrs = binding.child_by_field_name("attrs")
            names.update(_text(a, source) for a in (attrs.named_children if attrs else ())
                         if a.type == "identifier")
    return names
