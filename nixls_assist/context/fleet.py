"""The fleet graph: every configuration a flake defines, and the module files each one uses.

`nixosConfigurations` / `darwinConfigurations` / `homeConfigurations` are found by
evaluating `flake.nix` statically (`static_eval.py`): `let mkHost = …`, `genAttrs`,
`mapAttrs`, `listToAttrs`, `readDir`, helpers in `./lib`, flake-parts. Each configuration's
`modules` are then followed through `imports`, directories (`default.nix`),
`home-manager.users.<name>` and `home-manager.sharedModules`. What cannot be followed
(import-tree, haumea, a function of an input over the repository's files) makes the
configuration incomplete and is named, file and line; nothing is guessed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context.static_eval import BudgetExceeded, Evaluator
from nixls_assist.context.static_values import (
    AttrsV,
    Builtin,
    Choice,
    External,
    FuncV,
    ListV,
    MergeV,
    PathV,
    StrV,
    SystemV,
    Thunk,
    Unknown,
    Value,
    Where,
)
from nixls_assist.syntax.nodes import unwrap_to_body

OUTPUTS = {
    "nixosConfigurations": "nixos",
    "darwinConfigurations": "darwin",
    "homeConfigurations": "home-manager",
    "homeManagerConfigurations": "home-manager",  # an older name some flakes still use
}
MAX_MODULE_FILES = 5000
_RECURSION_LIMIT = 20000


@dataclass(frozen=True)
class Unresolved:
    file: Path
    line: int
    expression: str
    reason: str


@dataclass
class Configuration:
    attribute: str  # "nixosConfigurations.kestrel"
    name: str
    kind: str  # "nixos" | "darwin" | "home-manager"
    # Each module file, resolved, with the module systems it is used as (a home-manager
    # module of a NixOS configuration is "home-manager").
    modules: dict[Path, set[str]] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unresolved


@dataclass
class Fleet:
    root: Path
    configurations: list[Configuration] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)  # outputs not followed
    evaluated: set[Path] = field(default_factory=set)  # files read to find them (lib, …)

    @property
    def complete(self) -> bool:
        return not self.unresolved and all(c.complete for c in self.configurations)

    def configurations_of(self, path: Path) -> list[Configuration]:
        return [c for c in self.configurations if path in c.modules]

    def systems_of(self, path: Path) -> set[str]:
        return {s for c in self.configurations for s in c.modules.get(path, ())}


def build_fleet(root: Path) -> Fleet:
    root = root.resolve()
    fleet = Fleet(root)
    flake = root / "flake.nix"
    if not flake.is_file():
        return fleet
    ev = Evaluator(root)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        _build(ev, flake, fleet)
    finally:
        sys.setrecursionlimit(old_limit)
    # Files read to find the configurations but used as no configuration's module: helpers
    # (`./lib`), host lists. A change in one may touch any configuration.
    modules = {path for c in fleet.configurations for path in c.modules}
    fleet.evaluated = {path for path in ev.loaded if path not in modules}
    return fleet


def _build(ev: Evaluator, flake: Path, fleet: Fleet) -> None:
    unit = ev.unit(flake)
    if unit is None:
        return
    flake_where = Where(flake, 1, "flake.nix")
    try:
        top = ev.import_file(flake, flake_where)
        outputs = _outputs(ev, top, flake_where)
    except (BudgetExceeded, RecursionError):
        fleet.unresolved.append(Unresolved(flake, 1, "outputs", "too deep to follow"))
        return
    if not isinstance(outputs, AttrsV):
        fleet.unresolved.append(_unresolved(outputs, flake_where))
        return
    _note_dynamic(fleet.unresolved, outputs)
    if isinstance(outputs.rest, Unknown):
        fleet.unresolved.append(_unresolved(outputs.rest, flake_where))
    cache = _WalkCache()
    for output, kind in OUTPUTS.items():
        try:
            _configurations(ev, fleet, outputs, output, kind, flake_where, cache)
        except (BudgetExceeded, RecursionError):
            fleet.unresolved.append(Unresolved(flake, 1, output, "too deep to follow"))
    if not fleet.configurations and not fleet.unresolved and _mentions_configurations(ev):
        fleet.unresolved.append(Unresolved(
            flake, 1, "outputs", "configurations are named in the flake's files but "
            "defined in a way the graph does not follow (e.g. under `legacyPackages`)"))


def _mentions_configurations(ev: Evaluator) -> bool:
    needles = tuple(name.encode() for name in OUTPUTS)
    for path in ev.loaded:
        unit = ev.unit(path) if path.is_file() else None
        if unit is not None and any(n in unit.doc.source for n in needles):
            return True
    return False


def _outputs(ev: Evaluator, top: Value, where: Where) -> Value:
    if not isinstance(top, AttrsV) or "outputs" not in top.entries:
        return Unknown(where, "`flake.nix` has no `outputs`")
    names: list[str] = []
    declared = top.entries.get("inputs")
    if declared is not None and isinstance(declared.force(), AttrsV):
        names = list(declared.force().entries)  # type: ignore[union-attr]
    entries = {name: Thunk.of(External(name)) for name in names}
    result: list[Thunk] = []
    self_thunk = Thunk(lambda: _self(result[0].force(), ev, where))
    entries["self"] = self_thunk
    inputs = Thunk.of(AttrsV(entries, rest=External("inputs")))
    function = top.entries["outputs"].force()
    if isinstance(function, FuncV):  # name the outputs' body when it cannot be followed
        body = function.node.child_by_field_name("body")
        where = function.unit.where(body) if body is not None else where
    result.append(Thunk(lambda: ev.apply(function, inputs, where)))
    value = result[0].force()
    return value if not isinstance(value, External) else Unknown(
        where, f"outputs made by `{value.name}`, which the graph does not follow")


def _self(outputs: Value, ev: Evaluator, where: Where) -> Value:
    base = AttrsV({"outPath": Thunk.of(PathV(ev.root))}, rest=External("self"))
    if isinstance(outputs, AttrsV):
        return AttrsV({**outputs.entries, **base.entries}, rest=External("self"))
    return base


def _configurations(ev: Evaluator, fleet: Fleet, outputs: AttrsV, output: str, kind: str,
                    flake_where: Where, cache: _WalkCache) -> None:
    thunk = outputs.entries.get(output)
    if thunk is None:
        return
    value = thunk.force()
    if isinstance(value, External):
        return  # e.g. flake-parts' own (empty) default
    if not isinstance(value, AttrsV):
        fleet.unresolved.append(_unresolved(value, flake_where))
        return
    _note_dynamic(fleet.unresolved, value)
    if isinstance(value.rest, Unknown):
        fleet.unresolved.append(_unresolved(value.rest, flake_where))
    for name, item in value.entries.items():
        configuration = Configuration(f"{output}.{name}", name, kind)
        fleet.configurations.append(configuration)
        system = item.force()
        if isinstance(system, SystemV):
            configuration.kind = system.kind
            _ModuleWalk(ev, configuration, cache).run(system)
        else:
            configuration.unresolved.append(_unresolved(
                system, flake_where, None if isinstance(system, Unknown)
                else "not built by `nixosSystem`, `darwinSystem` or "
                "`homeManagerConfiguration`"))


def _note_dynamic(into: list[Unresolved], value: AttrsV) -> None:
    for unknown in value.dynamic:
        if unknown.where is not None:
            into.append(Unresolved(unknown.where.file, unknown.where.line,
                                   unknown.where.expression, unknown.reason))


def _unresolved(value: Value, fallback: Where, reason: str | None = None) -> Unresolved:
    where = value.where if isinstance(value, Unknown) and value.where is not None else fallback
    why = reason or (value.reason if isinstance(value, Unknown) else "not followed")
    return Unresolved(where.file, where.line, where.expression, why)


class _ModuleArgs(dict[str, Thunk]):
    """A configuration's module arguments (`specialArgs`) that note which names the module
    being walked reads, so that its walk can be reused by a configuration whose arguments
    agree on those names. Reading them all (a copy, `builtins.attrNames`) notes them all."""

    def __init__(self, entries: dict[str, Thunk]) -> None:
        super().__init__(entries)
        self.frames: list[dict[str, Thunk | None]] = []
        self.whole: list[bool] = []  # per frame: every name was read (the key set matters)

    def _note(self, name: str) -> None:
        if self.frames:
            self.frames[-1].setdefault(name, dict.get(self, name))

    def _note_all(self) -> None:
        if self.frames:
            for name in dict.keys(self):
                self._note(name)
            self.whole[-1] = True

    def get(self, name: str, default: Thunk | None = None) -> Thunk | None:  # type: ignore[override]
        self._note(name)
        return dict.get(self, name, default)

    def __getitem__(self, name: str) -> Thunk:
        self._note(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self._note(name)
        return dict.__contains__(self, name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.__iter__(self)

    def keys(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.keys(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.values(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.items(self)

    def __len__(self) -> int:
        self._note_all()
        return dict.__len__(self)

    def agrees(self, reads: dict[str, Thunk | None], whole: bool) -> bool:
        if whole and dict.keys(self) != reads.keys():
            return False
        return all(dict.get(self, name) is value for name, value in reads.items())


# What walking one module file did, besides walking the files it imports (each its own
# step): the effects in order, replayed for a later configuration whose arguments agree.
# ("file", path, system, where) | ("module", path, system) | ("miss", where, reason);
# `_INCOMING` stands for the `where` the file was imported from.
_INCOMING = Where(Path("/"), 0, "")
_Effect = tuple[object, ...]


@dataclass
class _FileWalk:
    reads: dict[str, Thunk | None]
    whole: bool
    effects: list[_Effect]


class _WalkCache:
    """Module file walks shared by the configurations of one fleet build: most files are
    used by many configurations and read no argument that differs between them."""

    def __init__(self) -> None:
        self.walks: dict[tuple[Path, str], list[_FileWalk]] = {}
        self.files: dict[Path, tuple[Path, bool]] = {}  # a module path → its file, in the repo
        self.leaves: dict[Path, bool] = {}  # module files that import nothing (`_is_leaf`)


class _ModuleWalk:
    """One configuration's modules, file by file."""

    def __init__(self, ev: Evaluator, configuration: Configuration,
                 cache: _WalkCache | None = None) -> None:
        self.ev = ev
        self.configuration = configuration
        self.visited: set[tuple[Path, str]] = set()
        self.args: dict[str, AttrsV] = {}
        self.module_args = _ModuleArgs({})
        self.cache = cache or _WalkCache()
        # The effects of the file being walked (None: replaying, nothing to note).
        self.effects: list[tuple[list[_Effect] | None, Where | None]] = []

    def run(self, system: SystemV) -> None:
        special = system.special_args.force() if system.special_args is not None else None
        self.module_args = _ModuleArgs(dict(special.entries) if isinstance(special, AttrsV)
                                       else {})
        base = AttrsV(self.module_args, rest=External("module argument", local_lib=True))
        self.args = {"nixos": base, "darwin": base, "home-manager": base}
        try:
            self.list(system.modules, system.kind, system.where)
        except (BudgetExceeded, RecursionError):
            self.miss(system.where, "too deep to follow")

    def _note(self, effect: _Effect) -> None:
        if self.effects:
            into, incoming = self.effects[-1]
            if into is not None:
                into.append(tuple(_INCOMING if part is not None and part == incoming
                                  else part for part in effect))

    def miss(self, where: Where | None, reason: str) -> None:
        if where is None:
            return
        self._note(("miss", where, reason))
        found = Unresolved(where.file, where.line, where.expression, reason)
        if found not in self.configuration.unresolved:
            self.configuration.unresolved.append(found)

    def add(self, path: Path, system: str) -> None:
        self._note(("module", path, system))
        self.configuration.modules.setdefault(path, set()).add(system)
    def list(self, thunk: Thunk, system: str, where: Where | None) -> None:
        value = thunk.force()
        where = thunk.where or where
        if isinstance(value, ListV):
            for item in value.items:
                self.module(item, system, where)
        elif isinstance(value, Choice):
            for option in value.options:
                self.list(option, system, where)
        elif isinstance(value, Unknown):
            self.miss(value.where or where, value.reason)
        elif not isinstance(value, External):
            self.module(thunk, system, where)

    def module(self, thunk: Thunk, system: str, where: Where | None) -> None:
        value = thunk.force()
        where = thunk.where or where
        if isinstance(value, PathV):
            self.file(value.path, system, where)
        elif isinstance(value, StrV) and value.value.startswith("/"):
            self.file(Path(value.value), system, where)
        elif isinstance(value, ListV | Choice):
            self.list(thunk, system, where)
        elif isinstance(value, Unknown):
            self.miss(value.where or where, value.reason)
        elif not isinstance(value, External):
            if isinstance(value, AttrsV) and value.origin is None and thunk.where is not None:
                value.origin = thunk.where.file  # a module written inline, in that file
            self.value(value, system, where)

    def file(self, path: Path, system: str, where: Where | None) -> None:
        known = self.cache.files.get(path)
        if known is None:
            resolved = path / "default.nix" if path.is_dir() else path
            known = self.cache.files[path] = (resolved, resolved.is_relative_to(self.ev.root))
        path, inside = known
        if not inside:
            self.miss(where, "a module outside the repository")
            return
        modules = self.configuration.modules
        if path not in modules and len(modules) >= MAX_MODULE_FILES:
            return
        modules.setdefault(path, set()).add(system)
        self._note(("file", path, system, where))
        if (path, system) in self.visited:
            return
        self.visited.add((path, system))
        leaf = self.cache.leaves.get(path)
        if leaf is None:
            leaf = self.cache.leaves[path] = _is_leaf(self.ev, path)
        if leaf:
            return  # nothing to follow: walking it would add nothing
        key = (path, system)
        for walk in self.cache.walks.get(key, ()):
            if self.module_args.agrees(walk.reads, walk.whole):
                self._replay(walk.effects, where)
                return
        effects: list[_Effect] = []
        self.effects.append((effects, where))
        self.module_args.frames.append({})
        self.module_args.whole.append(False)
        try:
            self.value(self.ev.import_file(path, where), system, where)
        finally:
            self.effects.pop()
            reads = self.module_args.frames.pop()
            whole = self.module_args.whole.pop()
        self.cache.walks.setdefault(key, []).append(_FileWalk(reads, whole, effects))

    def _replay(self, effects: list[_Effect], incoming: Where | None) -> None:
        self.effects.append((None, None))
        try:
            for effect in effects:
                kind, *rest = (incoming if part is _INCOMING else part for part in effect)
                if kind == "file":
                    self.file(*rest)  # type: ignore[arg-type]
                elif kind == "module":
                    self.add(*rest)  # type: ignore[arg-type]
                else:
                    self.miss(*rest)  # type: ignore[arg-type]
        finally:
            self.effects.pop()

    def value(self, value: Value, system: str, where: Where | None) -> None:
        origin = value.unit.path if isinstance(value, FuncV) else \
            value.origin if isinstance(value, AttrsV) else None
        if origin is not None and origin.is_relative_to(self.ev.root):
            self.add(origin, system)
        if isinstance(value, (FuncV, Builtin)):
            value = self.ev.apply(value, Thunk.of(self.args[system]), where)
        if isinstance(value, MergeV):
            self.list(value.items, system, where)
        elif isinstance(value, Choice):
            for option in value.options:
                self.module(option, system, where)
        elif isinstance(value, AttrsV):
            self.attrs(value, system, where, origin)
        elif isinstance(value, Unknown):
            self.miss(value.where or where, value.reason)

    def attrs(self, module: AttrsV, system: str, where: Where | None,
              origin: Path | None) -> None:
        imports = module.entries.get("imports")
        if imports is not None:
            self.list(imports, system, where)
        if system == "home-manager":
            return
        unit = self.ev.unit(origin) if origin is not None and origin.is_file() else None
        if unit is not None and b"home-manager" not in unit.doc.source:
            return  # no `home-manager.users` to find: skip evaluating its `config`
        config = module.entries.get("config")
        for holder in (module, config.force() if config is not None else None):
            for part in _merged_parts(holder):
                self.home_manager(part, where)

    def home_manager(self, holder: AttrsV, where: Where | None) -> None:
        hm = holder.entries.get("home-manager")
        value = hm.force() if hm is not None else None
        if not isinstance(value, AttrsV):
            return
        users = value.entries.get("users")
        users_value = users.force() if users is not None else None
        if isinstance(users_value, AttrsV):
            for dynamic in users_value.dynamic:
                self.miss(dynamic.where, "a home-manager user whose name is not known")
            for user in users_value.entries.values():
                self.module(user, "home-manager", where)
        elif isinstance(users_value, Unknown):
            self.miss(users_value.where or where, users_value.reason)
        shared = value.entries.get("sharedModules")
        if shared is not None:
            self.list(shared, "home-manager", where)


_LEAF_BODIES = frozenset({"attrset_expression", "rec_attrset_expression"})
# What `_is_leaf` looks through (with parentheses) to a module file's attribute set.
_WRAPPERS = frozenset({"function_expression", "let_expression", "with_expression"})
_FOLLOWED = (b"imports", b"home-manager", b"sharedModules")


def _is_leaf(ev: Evaluator, path: Path) -> bool:
    """A module file that is an attribute set literal (under its function header, `let` and
    `with`) naming neither `imports` nor home-manager: it imports nothing, so its walk would
    only evaluate it to find nothing (most files of a large fleet)."""
    unit = ev.unit(path) if path.is_file() else None
    if unit is None:
        return False
    source = unit.doc.source
    if any(word in source for word in _FOLLOWED):
        return False
    node = unit.doc.tree.root_node
    node = next((c for c in node.named_children if c.type != "comment"), None)
    node = unwrap_to_body(node, _WRAPPERS)
    if node is None or node.type not in _LEAF_BODIES:
        return False
    ev.loaded.add(path)
    return True


def _merged_parts(value: Value | None) -> list[AttrsV]:
    if isinstance(value, AttrsV):
        return [value]
    if isinstance(value, MergeV):
        items = value.items.force()
        if isinstance(items, ListV):
            return [p for item in items.items for p in _merged_parts(item.force())]
    return []
