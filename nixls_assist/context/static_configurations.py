"""The library functions that build configurations and flakes, for the static evaluator:
`nixosSystem` / `darwinSystem` / `homeManagerConfiguration`, flake-parts' `mkFlake` and
`withSystem`, flake-utils' `eachSystem`, `callPackage`, `makeOverridable`."""

from __future__ import annotations

from collections.abc import Callable

from nixls_assist.context.static_builtins import _get, _list, _u, b_import, merge_attrs
from nixls_assist.context.static_values import (
    AttrsV,
    Builtin,
    External,
    FuncV,
    ListV,
    PathV,
    StrV,
    SystemV,
    Thunk,
    Unknown,
    Value,
)


def _system(kind: str, modules_name: str, args_name: str):
    def build(ev, where, arg):
        def modules() -> Value:
            value = arg.force()
            found = _get(ev, value, modules_name)
            if found is None and kind == "home-manager":
                configuration = _get(ev, value, "configuration")  # the pre-22.11 form
                if configuration is not None:
                    return ListV([Thunk.of(configuration)])
            return found if found is not None else ListV([])

        def special_args() -> Value:
            found = _get(ev, arg.force(), args_name)
            return found if found is not None else AttrsV({})

        return SystemV(kind, Thunk(modules), Thunk(special_args), where, arguments=arg)
    return build


def b_with_system(ev, where, system, f):
    return ev.apply(f.force(), Thunk.of(External("perSystem", local_lib=True)), where)


def b_make_overridable(ev, where, f, args):
    result = ev.apply(f.force(), args, where)

    def override(ev, at, new):
        def merged() -> Value:
            change = new.force()
            if isinstance(change, (FuncV, Builtin)):
                change = ev.apply(change, args, at)
            return merge_attrs(args.force(), change, at)
        return b_make_overridable(ev, at, f, Thunk(merged))

    if isinstance(result, SystemV):
        result.override = Builtin("override", 1, override)
    elif isinstance(result, AttrsV):
        result = AttrsV({**result.entries, "override": Thunk.of(Builtin("override", 1, override))},
                        result.rest, list(result.dynamic))
    return result


def b_call_package(ev, where, f, args):
    return b_call_package_with(ev, where, Thunk.of(External("pkgs")), f, args)


def b_call_package_with(ev, where, auto, f, args):
    function = f.force()
    if isinstance(function, PathV):
        function = b_import(ev, where, f)
    given = merge_attrs(auto.force(), args.force(), where)
    return ev.apply(function, Thunk.of(given), where)


def b_import_apply(ev, where, path, args):
    return ev.apply(b_import(ev, where, path), args, where)


def b_mk_flake(ev, where, args, module):
    from nixls_assist.context.flake_parts import flake_parts_outputs

    return flake_parts_outputs(ev, where, args, module)


def b_each_system(ev, where, systems, f):
    """flake-utils' `eachSystem`: `{ packages = …; }` per system → `{ packages.<system> = …; }`.
    Only the output names matter here (configurations are never per system)."""
    items = _list(systems.force())
    first = items[0] if items else Thunk.of(StrV("x86_64-linux"))
    sample = ev.apply(f.force(), first, where)
    if not isinstance(sample, AttrsV):
        return sample if isinstance(sample, Unknown) else _u(where, "unknown per-system outputs")
    return AttrsV({name: Thunk.of(AttrsV({}, rest=External("per-system")))
                   for name in sample.entries}, dynamic=list(sample.dynamic))


def b_each_default_system(ev, where, f):
    return b_each_system(ev, where, Thunk.of(ListV([])), f)


def b_transposed_module(ev, where, spec):
    return AttrsV({})  # flake-parts: a module declaring a per-system output; no configuration


CONFIGURATION_BUILTINS: dict[str, tuple[int, Callable[..., Value]]] = {
    "nixosSystem": (1, _system("nixos", "modules", "specialArgs")),
    "darwinSystem": (1, _system("darwin", "modules", "specialArgs")),
    "homeManagerConfiguration": (1, _system("home-manager", "modules", "extraSpecialArgs")),
    "mkFlake": (2, b_mk_flake), "withSystem": (2, b_with_system),
    "eachSystem": (2, b_each_system), "eachDefaultSystem": (1, b_each_default_system),
    "mkTransposedPerSystemModule": (1, b_transposed_module),
    "importApply": (2, b_import_apply), "makeOverridable": (2, b_make_overridable),
    "callPackage": (2, b_call_package), "callPackageWith": (3, b_call_package_with),
}
