"""snowfall-lib's `mkFlake`: configurations from its directory convention, read without
evaluating snowfall-lib itself.

Under the flake's `src` (or `snowfall.root`):
- `systems/<arch>/<host>/default.nix` is `nixosConfigurations.<host>` for a `*-linux` arch,
  `darwinConfigurations.<host>` for a `*-darwin` one (other archs are virtual systems:
  installer images, not configurations);
- every `default.nix` under `modules/nixos` (`modules/darwin`) is a module of every NixOS
  (darwin) system, with `systems.modules.nixos` (`.darwin`) and `systems.hosts.<host>.modules`;
- `homes/<arch>/<user>[@<host>]/default.nix` is `homeConfigurations."<user>[@<host>]"`, with
  every `default.nix` under `modules/home` and `homes.modules`; a home named for a host is
  also a home-manager module of that system.
Modules get `inputs` (and a host's `specialArgs`) as module arguments. What the convention
cannot say (a `src` that is not a path) is named, never guessed.
"""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context.static_builtins import merge_attrs
from nixls_assist.context.static_values import (
    AttrsV,
    External,
    ListV,
    PathV,
    SystemV,
    Thunk,
    Unknown,
    Value,
    Where,
)

MAX_FILES = 2000
_KINDS = {"linux": ("nixos", "nixosConfigurations", "nixos", "nixpkgs"),
          "darwin": ("darwin", "darwinConfigurations", "darwin", "darwin")}


_OPAQUE = "snowfall-lib merges the inputs' libraries into the modules' `lib`"


def snowfall_outputs(ev, where: Where | None, args: Thunk, source: str) -> Value:
    """The configurations of `<source>.mkFlake args` (`source`: the snowfall-lib input)."""
    given = args.force()
    if not isinstance(given, AttrsV):
        return Unknown(where, "snowfall-lib's `mkFlake` of an unknown argument")
    root = _path(ev, given, ("snowfall", "root")) or _path(ev, given, ("src",))
    if root is None or not root.is_dir() or not root.is_relative_to(ev.root):
        return Unknown(where, "snowfall-lib's `mkFlake` with a `src` that is not a directory "
                              "of the repository")
    inputs = ev.select(given, "inputs", where)
    inputs_thunk = Thunk.of(inputs if not isinstance(inputs, Unknown) else External("inputs"))
    ev.loaded.add(root)
    homes = _homes(ev, root, given, where, inputs_thunk)
    outputs: dict[str, dict[str, Thunk]] = {"homeConfigurations": {}}
    for arch_dir in _entries(root / "systems"):
        family = arch_dir.name.rsplit("-", 1)[-1]
        if family not in _KINDS or not arch_dir.is_dir():
            continue  # `x86_64-install-iso`: an image, not a configuration
        kind, output, modules_dir, builder = _KINDS[family]
        shared = _default_files(root / "modules" / modules_dir)
        for host_dir in _entries(arch_dir):
            if not (host_dir / "default.nix").is_file():
                continue
            host = host_dir.name
            extra = [Thunk.of(PathV(host_dir / "default.nix"), where),
                     *(Thunk.of(PathV(p), where) for p in shared),
                     _selected(ev, given, ("systems", "modules", modules_dir), where),
                     _selected(ev, given, ("systems", "hosts", host, "modules"), where)]
            for name, home in homes.items():
                if name.endswith(f"@{host}") and name.rsplit("@", 1)[0] and \
                        home.arch == arch_dir.name:
                    # (no `where`: the module is written by the convention, in no file)
                    extra.append(Thunk.of(AttrsV({"home-manager": Thunk.of(AttrsV({
                        "users": Thunk.of(AttrsV({name.rsplit("@", 1)[0]: Thunk.of(
                            ListV(home.modules))}))}))})))
            special = _special_args(ev, given, host, inputs_thunk, where)
            system = SystemV(kind, Thunk.of(ListV([*extra, Thunk.of(External(source))])),
                             Thunk.of(special), where or Where(root, 1, "mkFlake"))
            system.builder, system.opaque_inputs = builder, _OPAQUE
            outputs.setdefault(output, {})[host] = Thunk.of(system)
    for name, home in homes.items():
        system = SystemV("home-manager",
                         Thunk.of(ListV([*home.modules, Thunk.of(External(source))])),
                         Thunk.of(AttrsV({"inputs": inputs_thunk})),
                         where or Where(root, 1, "mkFlake"))
        system.builder, system.opaque_inputs = "home-manager", _OPAQUE
        outputs["homeConfigurations"][name] = Thunk.of(system)
    return AttrsV({name: Thunk.of(AttrsV(entries)) for name, entries in outputs.items()},
                  rest=External("snowfall-lib outputs"))


class _Home:
    def __init__(self, arch: str, modules: list[Thunk]) -> None:
        self.arch = arch
        self.modules = modules


def _homes(ev, root: Path, given: AttrsV, where: Where | None,
           inputs: Thunk) -> dict[str, _Home]:
    shared = _default_files(root / "modules" / "home")
    found: dict[str, _Home] = {}
    for arch_dir in _entries(root / "homes"):
        for home_dir in _entries(arch_dir):
            if not (home_dir / "default.nix").is_file():
                continue
            name = home_dir.name
            modules = [Thunk.of(PathV(home_dir / "default.nix"), where),
                       *(Thunk.of(PathV(p), where) for p in shared),
                       _selected(ev, given, ("homes", "modules"), where),
                       _selected(ev, given, ("homes", "users", name, "modules"), where)]
            found[name] = _Home(arch_dir.name, modules)
    return found


def _special_args(ev, given: AttrsV, host: str, inputs: Thunk, where: Where | None) -> Value:
    base = AttrsV({"inputs": inputs})
    more = _value(ev, given, ("systems", "hosts", host, "specialArgs"))
    return merge_attrs(base, more, where) if isinstance(more, AttrsV) else base


def _selected(ev, given: AttrsV, path: tuple[str, ...], where: Where | None) -> Thunk:
    value = _value(ev, given, path)
    return Thunk.of(value if value is not None else ListV([]), where)


def _value(ev, given: Value, path: tuple[str, ...]) -> Value | None:
    value: Value = given
    for name in path:
        if not isinstance(value, AttrsV) or name not in value.entries:
            return None if isinstance(value, AttrsV) and value.rest is None else (
                value if isinstance(value, Unknown) else None)
        value = value.entries[name].force()
    return value


def _path(ev, given: AttrsV, path: tuple[str, ...]) -> Path | None:
    value = _value(ev, given, path)
    if isinstance(value, AttrsV) and "outPath" in value.entries:
        value = value.entries["outPath"].force()
    return value.path if isinstance(value, PathV) else None


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())[:MAX_FILES]
    except OSError:
        return []


def _default_files(directory: Path) -> list[Path]:
    """Every `default.nix` under `directory`, as snowfall-lib finds its modules."""
    if not directory.is_dir():
        return []
    found = sorted(directory.rglob("default.nix"))
    return found[:MAX_FILES]
