"""flake-parts' `mkFlake`: the outputs its modules set under `flake` (`flake.nixosConfigurations`,
`flake = { … }`), followed through their `imports`."""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context.static_builtins import merge_attrs
from nixls_assist.context.static_values import (
    AttrsV,
    Builtin,
    Choice,
    External,
    FuncV,
    ListV,
    MergeV,
    PathV,
    Thunk,
    Unknown,
    Value,
    Where,
    module_arguments,
)

MAX_MODULES = 2000


def flake_parts_outputs(ev, where: Where | None, args: Thunk, module: Thunk) -> Value:
    inputs = ev.select(args.force(), "inputs", where)
    if isinstance(inputs, Unknown):
        inputs = External("inputs")
    module_args = module_arguments({
        # Lazily: `self` is the outputs this very call is computing.
        # `self` is the outputs this very call computes: what the modules walked so far set
        # (a module's `imports = [ self.flakeModules.x ]` needs the module that sets it).
        "inputs": Thunk.of(inputs),
        "self": Thunk(lambda: _self(ev, walk, inputs, where)),
        "withSystem": Thunk.of(ev.builtin("withSystem")),
        # What every flake module together defines (`config.flake.modules.nixos.…`): the
        # graph does not merge modules, so it is not known.
        "config": Thunk(lambda: AttrsV({"flake": Thunk(lambda: AttrsV(
            outputs, rest=unmerged, dynamic=walk.unresolved))}, rest=unmerged)),
    }, "flake-parts module argument")
    unmerged = Unknown(None, "the flake-parts `config` (all flake modules merged)")
    outputs: dict[str, Thunk] = {}
    walk = _Walk(ev, module_args)
    walk.module(module, where)
    for name, parts in walk.outputs.items():
        outputs[name] = Thunk(lambda parts=parts: _merged(parts, where))
    return AttrsV(outputs, rest=External("flake-parts"), dynamic=walk.unresolved)


def _self(ev, walk: _Walk, inputs: Value, where: Where | None) -> Value:
    """What the modules walked so far set, and the flake's `outPath`, `inputs`, `outputs`."""
    value = AttrsV({name: Thunk(lambda parts=parts: _merged(parts, where))
                    for name, parts in walk.outputs.items()}, rest=External("self"))
    value.entries.update({"outPath": Thunk.of(PathV(ev.root)), "inputs": Thunk.of(inputs),
                          "outputs": Thunk.of(value)})
    return value


def _merged(parts: list[Thunk], where: Where | None) -> Value:
    result: Value = AttrsV({})
    for part in parts:
        result = merge_attrs(result, part.force(), where)
    return result


class _Walk:
    def __init__(self, ev, module_args: AttrsV) -> None:
        self.ev = ev
        self.module_args = module_args
        self.outputs: dict[str, list[Thunk]] = {}
        self.unresolved: list[Unknown] = []
        self.seen: set[Path] = set()

    def module(self, thunk: Thunk, where: Where | None) -> None:
        if len(self.seen) > MAX_MODULES:
            return
        value = thunk.force()
        where = thunk.where or where
        if isinstance(value, PathV):
            path = value.path / "default.nix" if value.path.is_dir() else value.path
            if path in self.seen:
                return
            self.seen.add(path)
            value = self.ev.import_file(path, where)
        self.value(value, where)

    def value(self, value: Value, where: Where | None) -> None:
        if isinstance(value, (FuncV, Builtin)):
            value = self.ev.apply(value, Thunk.of(self.module_args), where)
        if isinstance(value, MergeV):
            self.list(value.items, where)
        elif isinstance(value, Choice):
            for option in value.options:
                self.module(option, where)
        elif isinstance(value, AttrsV):
            for holder in (value, self.ev.select(value, "config", where)):
                flake = self.ev.select(holder, "flake", where) if isinstance(holder, AttrsV) \
                    else None
                if isinstance(flake, FuncV):  # `flake = { config, lib, ... }: { … }`
                    flake = self.ev.apply(flake, Thunk.of(self.module_args), where)
                if isinstance(flake, AttrsV):
                    for name, item in flake.entries.items():
                        self.outputs.setdefault(name, []).append(item)
                    self.unresolved.extend(flake.dynamic)
                self.module_arguments(holder, where)
            imports = value.entries.get("imports")
            if imports is not None:
                self.list(imports, where)
        elif isinstance(value, Unknown):
            self.unresolved.append(Unknown(value.where or where, value.reason))

    def module_arguments(self, holder: Value, where: Where | None) -> None:
        """`_module.args.x = …`: an argument of every flake module (read lazily, once the
        modules are all walked)."""
        if not isinstance(holder, AttrsV) or "_module" not in holder.entries:
            return
        args = self.ev.select(self.ev.select(holder, "_module", where), "args", where)
        if isinstance(args, AttrsV):
            for name, item in args.entries.items():
                self.module_args.entries.setdefault(name, item)

    def list(self, thunk: Thunk, where: Where | None) -> None:
        value = thunk.force()
        if isinstance(value, ListV):
            for item in value.items:
                self.module(item, where)
        elif isinstance(value, Unknown):
            self.unresolved.append(Unknown(value.where or where, value.reason))
        elif not isinstance(value, External):
            self.module(thunk, where)
