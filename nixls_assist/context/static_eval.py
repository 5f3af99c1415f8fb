"""A static evaluator for the part of Nix that wires a flake to its module files.

Lazy like Nix, it follows `let`, functions, attribute sets, lists, `import`, path
interpolation and the library functions fleets build their configurations with
(`static_builtins.py`). Whatever it cannot know — a flake input's contents, `pkgs`,
`config`, a condition on the host — is `External` or `Unknown`, never guessed. It never
runs a build, reads the network or the Nix store: only the repository's own files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from nixls_assist.context.static_values import (
    AttrsV,
    BoolV,
    Builtin,
    Choice,
    External,
    FuncV,
    ListV,
    NullV,
    NumV,
    PathV,
    StrV,
    SystemV,
    Thunk,
    Unknown,
    Value,
    Where,
)
from nixls_assist.syntax.document import ParsedDocument, parse
from nixls_assist.syntax.nodes import STRING_KINDS, bindings_of
from option_index.sources.nix_files import relative_to_root

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_STEPS = 3_000_000


class BudgetExceeded(Exception):
    """The evaluation took more steps than a configuration graph should."""


@dataclass
class FileUnit:
    path: Path
    doc: ParsedDocument

    def where(self, node: Node) -> Where:
        text = self.doc.node_text(node)
        text = " ".join(text.split())
        if len(text) > 80:
            text = text[:77] + "…"
        return Where(self.path, node.start_point[0] + 1, text)


# Parsed files shared by every graph this process builds (the server rebuilds it after an
# edit): (path) → (mtime, size, unit). Bounded; a changed file is parsed again.
_PARSED: dict[Path, tuple[int, int, FileUnit]] = {}
_PARSED_LIMIT = 20000


def _parsed(path: Path) -> FileUnit | None:
    try:
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            return None
        cached = _PARSED.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        unit = FileUnit(path, parse(path.read_bytes(), str(path)))
    except OSError:
        return None
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[path] = (stat.st_mtime_ns, stat.st_size, unit)
    return unit


class Env:
    __slots__ = ("parent", "scope", "vars")

    def __init__(self, parent: Env | None = None, scope: Thunk | None = None) -> None:
        self.vars: dict[str, Thunk] = {}
        self.parent = parent
        self.scope = scope  # a `with` expression's attribute set

    def lookup(self, name: str) -> Thunk | None:
        env: Env | None = self
        while env is not None:
            found = env.vars.get(name)
            if found is not None:
                return found
            env = env.parent
        env = self
        while env is not None:  # lexical bindings beat every `with`
            if env.scope is not None:
                scope = env.scope.force()
                if isinstance(scope, AttrsV) and name in scope.entries:
                    return scope.entries[name]
            env = env.parent
        return None

    def has_opaque_scope(self) -> bool:
        env: Env | None = self
        while env is not None:
            if env.scope is not None and not isinstance(env.scope.force(), AttrsV):
                return True
            env = env.parent
        return False


class Evaluator:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.steps = 0
        self._units: dict[Path, FileUnit | None] = {}
        self._imports: dict[Path, Thunk] = {}
        self.loaded: set[Path] = set()  # every file the evaluation read

    # -- files --------------------------------------------------------------------------

    def unit(self, path: Path) -> FileUnit | None:
        if path not in self._units:
            self._units[path] = _parsed(path)
        return self._units[path]

    def import_file(self, path: Path, where: Where | None) -> Value:
        if path.is_dir():
            path = path / "default.nix"
        cached = self._imports.get(path)
        if cached is None:
            unit = self.unit(path) if path.is_file() else None
            if unit is None:
                return Unknown(where, f"`{self.display(path)}` is not a readable file")
            self.loaded.add(path)
            cached = self._imports[path] = Thunk(lambda: _from_file(
                self.eval(unit.doc.root, Env(), unit), path))
        return cached.force()

    def display(self, path: Path) -> str:
        return relative_to_root(path, self.root)

    # -- expressions --------------------------------------------------------------------

    def thunk(self, node: Node, env: Env, unit: FileUnit) -> Thunk:
        return Thunk(lambda: self.eval(node, env, unit))

    def eval(self, node: Node, env: Env, unit: FileUnit) -> Value:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded
        kind = node.type
        method = getattr(self, "_e_" + kind, None)
        if method is not None:
            return method(node, env, unit)
        return Unknown(unit.where(node), f"`{kind}` is not followed")

    def _e_source_code(self, node: Node, env: Env, unit: FileUnit) -> Value:
        children = [c for c in node.named_children if c.type != "comment"]
        return self.eval(children[0], env, unit) if children else NullV()

    def _e_parenthesized_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        inner = node.child_by_field_name("expression")
        return self.eval(inner, env, unit) if inner is not None else NullV()

    def _e_integer_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        return NumV(float(node.text or b"0"))

    _e_float_expression = _e_integer_expression

    def _e_uri_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        return StrV(unit.doc.node_text(node))

    def _e_spath_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        return External(unit.doc.node_text(node))

    _e_hpath_expression = _e_spath_expression

    def _e_path_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "path_fragment":
                parts.append(unit.doc.node_text(child))
            elif child.type == "interpolation":
                value = self._interpolated(child, env, unit)
                if isinstance(value, External):
                    return value
                if value is None:
                    return Unknown(unit.where(node), "a path with an unknown part")
                parts.append(value)
        text = "".join(parts)
        base = Path(text) if text.startswith("/") else unit.path.parent / text
        return PathV(Path(os.path.normpath(base)))

    def _interpolated(self, node: Node, env: Env, unit: FileUnit) -> str | External | None:
        inner = node.child_by_field_name("expression")
        if inner is None:
            return None
        value = coerce_path(self.eval(inner, env, unit))
        if isinstance(value, StrV):
            return value.value
        if isinstance(value, PathV):
            return str(value.path)
        if isinstance(value, NumV):
            return str(int(value.value))
        if isinstance(value, External):
            return value
        return None

    def _e_string_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(unit.doc.node_text(child))
            elif child.type == "interpolation":
                value = self._interpolated(child, env, unit)
                if isinstance(value, External):
                    return value  # `"${modulesPath}/…"`, `"${inputs.x}/…"`: from outside
                if value is None:
                    return Unknown(unit.where(node), "a string with an unknown part")
                parts.append(value)
            elif child.type == "escape_sequence":
                parts.append(unit.doc.node_text(child)[-1])
            elif child.type == "dollar_escape":
                parts.append("$")
        return StrV("".join(parts))

    _e_indented_string_expression = _e_string_expression

    def _e_variable_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        name = unit.doc.node_text(node)
        found = env.lookup(name)
        if found is not None:
            return found.force()
        if name in ("true", "false"):
            return BoolV(name == "true")
        if name == "null":
            return NullV()
        builtin = self.builtin(name)
        if builtin is not None:
            return builtin
        if name == "builtins":
            return External("builtins", local_lib=True)
        if env.has_opaque_scope():
            return External(f"`with` scope ({name})", local_lib=True)
        return Unknown(unit.where(node), f"`{name}` is not defined")

    def builtin(self, name: str) -> Value | None:
        from nixls_assist.context.static_builtins import BUILTINS
        from nixls_assist.context.static_configurations import CONFIGURATION_BUILTINS

        spec = BUILTINS.get(name) or CONFIGURATION_BUILTINS.get(name)
        return Builtin(name, spec[0], spec[1]) if spec is not None else None

    def _attr_name(self, attr: Node, env: Env, unit: FileUnit) -> str | None:
        if attr.type == "identifier":
            return unit.doc.node_text(attr)
        if attr.type in STRING_KINDS:
            value = self.eval(attr, env, unit)
            return value.value if isinstance(value, StrV) else None
        if attr.type == "interpolation":
            value = self._interpolated(attr, env, unit)
            return value if isinstance(value, str) else None
        return None

    def _e_select_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        expression = node.child_by_field_name("expression")
        attrpath = node.child_by_field_name("attrpath")
        default = node.child_by_field_name("default")
        if expression is None or attrpath is None:
            return Unknown(unit.where(node), "an incomplete selection")
        value = self.eval(expression, env, unit)
        for attr in (a for a in attrpath.named_children if a.type != "comment"):
            name = self._attr_name(attr, env, unit)
            if name is None:
                return Unknown(unit.where(node), "an attribute with an unknown name")
            value = self.select(value, name, unit.where(node))
            if isinstance(value, _Missing):
                if default is not None:
                    return self.eval(default, env, unit)
                return Unknown(unit.where(node), f"no attribute `{name}`")
        return value

    def select(self, value: Value, name: str, where: Where | None) -> Value:
        if isinstance(value, AttrsV):
            found = value.entries.get(name)
            if found is not None:
                return found.force()
            if value.rest is not None:
                return self.select(value.rest, name, where)
            return _MISSING
        if isinstance(value, External):
            if name == "mkFlake" and "flake-parts" not in value.name:
                return External(value.name, value.local_lib)  # snowfall-lib, nixos-unified…
            if value.name == "inputs":  # an input the `inputs` block does not name plainly
                return External(name)
            return self.builtin(name) or External(value.name, value.local_lib)
        if isinstance(value, SystemV):
            return self._system_attribute(value, name, where)
        if isinstance(value, _Missing):
            return value
        if isinstance(value, Unknown):
            builtin = self.builtin(name)  # `lib.mkIf` where `lib` is not known
            if builtin is not None:
                return builtin
            return value if value.where is not None or where is None else Unknown(
                where, value.reason)
        return Unknown(where, f"`{name}` selected from a value that has no attributes")

    def _system_attribute(self, system: SystemV, name: str, where: Where | None) -> Value:
        """`cfg.extendModules { modules = …; }`: the same configuration with more modules."""
        if name == "override" and system.override is not None:
            return system.override
        if name != "extendModules":
            return External(f"configuration {name}")

        def extend(ev: Evaluator, at: Where | None, args: Thunk) -> Value:
            from nixls_assist.context.static_builtins import merge_attrs

            def modules() -> Value:
                more = self.select(args.force(), "modules", at)
                more = ListV([]) if isinstance(more, _Missing) else more
                return ListV([system.modules, Thunk.of(more)])

            def special_args() -> Value:
                more = self.select(args.force(), "specialArgs", at)
                base = system.special_args.force() if system.special_args else AttrsV({})
                return base if isinstance(more, _Missing) else merge_attrs(base, more, at)

            return SystemV(system.kind, Thunk(modules), Thunk(special_args), system.where)

        return Builtin("extendModules", 1, extend)

    def _e_has_attr_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        expression = node.child_by_field_name("expression")
        attrpath = node.child_by_field_name("attrpath")
        if expression is None or attrpath is None:
            return Unknown(unit.where(node), "an incomplete `?`")
        value = self.eval(expression, env, unit)
        for attr in (a for a in attrpath.named_children if a.type != "comment"):
            name = self._attr_name(attr, env, unit)
            if not isinstance(value, AttrsV) or name is None:
                return Unknown(unit.where(node), "an unknown `?`")
            if name not in value.entries:
                return Unknown(unit.where(node), "an unknown `?`") if value.rest else BoolV(False)
            value = value.entries[name].force()
        return BoolV(True)

    def _e_list_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        items = []
        for element in node.named_children:
            if element.type == "comment":
                continue
            thunk = self.thunk(element, env, unit)
            thunk.where = unit.where(element)
            items.append(thunk)
        return ListV(items)

    def _e_function_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        return FuncV(node, env, unit)

    def _e_apply_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        function = node.child_by_field_name("function")
        argument = node.child_by_field_name("argument")
        if function is None or argument is None:
            return Unknown(unit.where(node), "an incomplete application")
        return self.apply(self.eval(function, env, unit), self.thunk(argument, env, unit),
                          unit.where(node))

    def apply(self, function: Value, argument: Thunk, where: Where | None) -> Value:
        self.steps += 1
        if isinstance(function, FuncV):
            return self._call(function, argument)
        if isinstance(function, Builtin):
            args = (*function.args, argument)
            if len(args) < function.arity:
                return Builtin(function.name, function.arity, function.apply, args)
            return function.apply(self, where, *args)
        if isinstance(function, External):
            given = argument.force()
            if _mentions_local_path(given):
                return Unknown(where, f"a function of `{function.name}` over the repository's "
                                      "files")
            if isinstance(given, (External, StrV, NumV, BoolV, NullV)):
                return External(function.name, function.local_lib)
            # A library function the graph does not know, over the repository's own values:
            # its result is not known (it may well be a list of the repository's modules).
            return Unknown(where, f"a call of a function from `{function.name}` the graph "
                                  "does not follow")
        if isinstance(function, Unknown):
            return function
        return Unknown(where, "a call of something that is not a function")

    def _call(self, function: FuncV, argument: Thunk) -> Value:
        node, unit = function.node, function.unit
        env = Env(function.env)
        universal = node.child_by_field_name("universal")
        if universal is not None:
            env.vars[unit.doc.node_text(universal)] = argument
        formals = node.child_by_field_name("formals")
        if formals is not None:
            for formal in formals.named_children:
                if formal.type != "formal":
                    continue
                name_node = formal.child_by_field_name("name")
                if name_node is None:
                    continue
                name = unit.doc.node_text(name_node)
                default = formal.child_by_field_name("default")
                env.vars[name] = Thunk(
                    lambda name=name, default=default: self._formal(argument, name, default,
                                                                    env, unit))
        body = node.child_by_field_name("body")
        return self.eval(body, env, unit) if body is not None else NullV()

    def _formal(self, argument: Thunk, name: str, default: Node | None, env: Env,
                unit: FileUnit) -> Value:
        value = self.select(argument.force(), name, None)
        if isinstance(value, _Missing):
            if default is not None:
                return self.eval(default, env, unit)
            return Unknown(None, f"argument `{name}` not given")
        return value

    def _e_let_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        inner = Env(env)
        built = self.attrs(node, inner, env, unit)
        inner.vars.update(built.entries)
        body = node.child_by_field_name("body")
        return self.eval(body, inner, unit) if body is not None else NullV()

    def _e_attrset_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        return self.attrs(node, env, env, unit)

    def _e_rec_attrset_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        inner = Env(env)
        built = self.attrs(node, inner, env, unit)
        inner.vars.update(built.entries)
        return built

    def _e_let_attrset_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        built = self._e_rec_attrset_expression(node, env, unit)
        assert isinstance(built, AttrsV)
        body = built.entries.get("body")
        return body.force() if body is not None else NullV()

    def attrs(self, node: Node, env: Env, outer: Env, unit: FileUnit) -> AttrsV:
        """The attribute set of `node`'s bindings: values in `env`, `inherit x` in `outer`."""
        tree: dict[str, object] = {}
        dynamic: list[Unknown] = []
        for binding in bindings_of(node):
            if binding.type == "binding":
                self._bind(binding, env, unit, tree, dynamic)
            elif binding.type in ("inherit", "inherit_from"):
                source = binding.child_by_field_name("expression")
                attrs = binding.child_by_field_name("attrs")
                for attr in attrs.named_children if attrs is not None else ():
                    name = self._attr_name(attr, env, unit)
                    if name is None:
                        continue
                    where = unit.where(attr)
                    if source is None:
                        tree[name] = Thunk(lambda name=name, where=where: _lookup(
                            self, outer, name, where))
                    else:
                        tree[name] = Thunk(lambda name=name, where=where, source=source:
                                           _missing_unknown(self.select(
                                               self.eval(source, env, unit), name, where),
                                               where))
        result = _freeze(tree)
        result.dynamic = dynamic
        return result

    def _bind(self, binding: Node, env: Env, unit: FileUnit, tree: dict[str, object],
              dynamic: list[Unknown]) -> None:
        attrpath = binding.child_by_field_name("attrpath")
        expression = binding.child_by_field_name("expression")
        if attrpath is None or expression is None:
            return
        names = []
        unknown_name = None
        for attr in (a for a in attrpath.named_children if a.type != "comment"):
            name = self._attr_name(attr, env, unit)
            if name is None:
                unknown_name = Unknown(unit.where(binding),
                                       "a name that is not known without evaluating")
                break
            names.append(name)
        if unknown_name is not None and not names:
            dynamic.append(unknown_name)
            return
        level = tree
        for name in names if unknown_name is not None else names[:-1]:
            existing = level.get(name)
            if not isinstance(existing, dict):
                fresh: dict[str, object] = {}
                if isinstance(existing, Thunk):
                    fresh[_BASE] = existing
                level[name] = fresh
                existing = fresh
            level = existing
        if unknown_name is not None:
            # `apps.${system} = …`: only `apps` gets a name nobody knows, not this set
            level.setdefault(_DYNAMIC, []).append(unknown_name)  # type: ignore[union-attr]
            return
        thunk = self.thunk(expression, env, unit)
        existing = level.get(names[-1])
        if isinstance(existing, dict):
            existing[_BASE] = thunk
        else:
            level[names[-1]] = thunk

    def _e_with_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        scope = node.child_by_field_name("environment")
        body = node.child_by_field_name("body")
        if body is None:
            return NullV()
        inner = Env(env, self.thunk(scope, env, unit) if scope is not None else None)
        return self.eval(body, inner, unit)

    def _e_assert_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        body = node.child_by_field_name("body")
        return self.eval(body, env, unit) if body is not None else NullV()

    def _e_if_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        condition = node.child_by_field_name("condition")
        then = node.child_by_field_name("consequence")
        other = node.child_by_field_name("alternative")
        if then is None or other is None:
            return Unknown(unit.where(node), "an incomplete `if`")
        test = self.eval(condition, env, unit) if condition is not None else None
        if isinstance(test, BoolV):
            return self.eval(then if test.value else other, env, unit)
        return Choice([self.thunk(then, env, unit), self.thunk(other, env, unit)])

    def _e_unary_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        argument = node.child_by_field_name("argument")
        operator = node.child_by_field_name("operator")
        value = self.eval(argument, env, unit) if argument is not None else None
        if operator is not None and operator.type == "!" and isinstance(value, BoolV):
            return BoolV(not value.value)
        if operator is not None and operator.type == "-" and isinstance(value, NumV):
            return NumV(-value.value)
        return Unknown(unit.where(node), "an unknown operand")

    def _e_binary_expression(self, node: Node, env: Env, unit: FileUnit) -> Value:
        from nixls_assist.context.static_operators import binary

        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None:
            return Unknown(unit.where(node), "an incomplete operation")
        return binary(self, operator.type, self.thunk(left, env, unit),
                      self.thunk(right, env, unit), unit.where(node))


def _from_file(value: Value, path: Path) -> Value:
    if isinstance(value, AttrsV) and value.origin is None:
        value.origin = path
    return value


def coerce_path(value: Value) -> Value:
    """`self` / an attribute set with `outPath` stands for that path in `"${…}"` and `+`."""
    if isinstance(value, AttrsV) and "outPath" in value.entries:
        return value.entries["outPath"].force()
    return value


class _Missing(Unknown):
    """An attribute that is not there (an `or` default applies)."""


_MISSING = _Missing(None, "missing attribute")
_BASE = "\0base"  # `a = { … }; a.b = …;`: the literal under the nested bindings
_DYNAMIC = "\0dynamic"  # `a.${x} = …`: the names of `a` nobody knows without evaluating


def _missing_unknown(value: Value, where: Where) -> Value:
    return Unknown(where, "no such attribute") if isinstance(value, _Missing) else value


def _lookup(evaluator: Evaluator, env: Env, name: str, where: Where) -> Value:
    found = env.lookup(name)
    if found is not None:
        return found.force()
    builtin = evaluator.builtin(name)
    if builtin is not None:
        return builtin
    if env.has_opaque_scope():
        return External(f"`with` scope ({name})", local_lib=True)
    return Unknown(where, f"`{name}` is not defined")


def _freeze(tree: dict[str, object]) -> AttrsV:
    entries: dict[str, Thunk] = {}
    for name, item in tree.items():
        if name in (_BASE, _DYNAMIC):
            continue
        if isinstance(item, Thunk):
            entries[name] = item
        else:
            assert isinstance(item, dict)
            nested = _freeze(item)
            nested.dynamic = list(item.get(_DYNAMIC, ()))  # type: ignore[arg-type]
            base = item.get(_BASE)
            if isinstance(base, Thunk):
                entries[name] = Thunk(lambda base=base, nested=nested: _merge_under(base, nested))
            else:
                entries[name] = Thunk.of(nested)
    return AttrsV(entries)


def _merge_under(base: Thunk, nested: AttrsV) -> Value:
    from nixls_assist.context.static_builtins import merge_attrs

    value = base.force()
    if isinstance(value, AttrsV):  # `a = { x.y = 1; }; a.x.z = 2;` merges all the way down
        return merge_attrs(value, nested, None, recursive=True)
    return nested


def _mentions_local_path(value: Value, depth: int = 0) -> bool:
    if isinstance(value, PathV):
        return True
    if depth > 1:
        return False
    if isinstance(value, ListV):
        return any(_mentions_local_path(item.force(), depth + 1) for item in value.items[:20])
    if isinstance(value, AttrsV):
        return any(_mentions_local_path(item.force(), depth + 1)
                   for name, item in list(value.entries.items())[:20]
                   if name not in ("inputs", "self", "specialArgs", "lib", "pkgs", "file"))
    return False
