"""The structure of a flake workspace: which file is imported as which kind of module, and
by which configurations.

The fleet graph (`fleet.py`) comes first: a file one of the flake's configurations uses
as a NixOS, nix-darwin or home-manager module is that kind of module. For the files it does
not reach, follow module references (`nixosSystem { modules = [ … ]; }`,
`home-manager.users.<name> = import ./…`, `imports = [ … ]`) literally from `flake.nix`.
A file classified either way is classified structurally, which beats guessing from its
contents.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.fleet import Fleet, build_fleet
from nixls_assist.syntax.bindings import ModuleSystem
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.imports import module_references
from option_index.sources.nix_files import relative_to_root

MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024

_KINDS = {
    ModuleSystem.NIXOS: FileKind.NIXOS,
    ModuleSystem.HOME_MANAGER: FileKind.HOME_MANAGER,
    ModuleSystem.DARWIN: FileKind.DARWIN,
}


_SYSTEM_KINDS = {"nixos": FileKind.NIXOS, "darwin": FileKind.DARWIN,
                 "home-manager": FileKind.HOME_MANAGER}
_SYSTEM_LABELS = {"nixos": "a NixOS", "darwin": "a nix-darwin", "home-manager": "a home-manager"}
_NAMED = 3  # configurations named in a reason, then "and N more"


@dataclass(frozen=True)
class Membership:
    """The configurations that use a file, as far as the fleet graph knows."""

    configurations: tuple[str, ...]  # attributes: "nixosConfigurations.kestrel", in flake order
    complete: bool  # the graph followed every configuration: `()` means "used by none"

    @property
    def unused(self) -> bool:
        """No configuration uses the file, and the graph would know if one did."""
        return not self.configurations and self.complete

    @property
    def names(self) -> list[str]:
        return [attribute.split(".", 1)[1] for attribute in self.configurations]

    def summary(self, named: int = _NAMED) -> str | None:
        """"in kestrel, osprey", "imported by no configuration", or None (not known)."""
        names = self.names
        if names:
            more = f" and {len(names) - named} more" if len(names) > named else ""
            return "in " + ", ".join(names[:named]) + more
        return "imported by no configuration" if self.complete else None


@dataclass
class WorkspaceHints:
    root: Path
    kinds: dict[Path, Classification] = field(default_factory=dict)
    fleet: Fleet | None = None
    members: dict[Path, tuple[str, ...]] = field(default_factory=dict)  # resolved file → …
    evaluated: set[Path] = field(default_factory=set)  # resolved `fleet.evaluated`

    def kind_of(self, path: Path) -> Classification | None:
        return self.kinds.get(path.resolve())

    def membership(self, path: Path) -> Membership | None:
        """The configurations that use the (resolved) file as a module; None without
        configurations, and for `flake.nix` and the files read to find them (`./lib`)."""
        fleet = self.fleet
        if fleet is None or not fleet.configurations:
            return None
        members = self.members.get(path, ())
        if not members and (path == fleet.root / "flake.nix" or path in self.evaluated):
            return None
        return Membership(members, fleet.complete)


def scan_workspace(root: Path, *, graph: bool = True) -> WorkspaceHints:
    hints = WorkspaceHints(root)
    flake = root / "flake.nix"
    if not flake.is_file():
        return hints
    if graph:
        hints.fleet = build_fleet(root)
        _from_fleet(hints, hints.fleet)
    queue: deque[tuple[Path, ModuleSystem | None]] = deque([(flake.resolve(), None)])
    seen: set[Path] = set()
    reached: set[Path] = set()
    while queue and len(seen) < MAX_FILES:
        path, system = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            doc = parse(path.read_bytes(), str(path))
        except OSError:
            continue
        for reference in module_references(doc):
            target_system = system if reference.system is ModuleSystem.FILE else reference.system
            if target_system is None:
                continue
            target = _resolve_target(path.parent, reference.target, root)
            if target is None or target in reached:
                continue
            reached.add(target)
            if target not in hints.members:  # the graph decided (or found it ambiguous)
                relative = relative_to_root(path, root.resolve())
                hints.kinds[target] = Classification(
                    _KINDS[target_system],
                    f"imported as a module by {relative} ({reference.origin})")
            queue.append((target, target_system))
    return hints


def _from_fleet(hints: WorkspaceHints, fleet: Fleet) -> None:
    """Each file the configurations use: the configurations, and its kind when every one of
    them uses it as the same kind of module (a file shared by NixOS and nix-darwin hosts
    keeps the kind its shape gives)."""
    systems: dict[Path, set[str]] = {}
    users: dict[Path, list[str]] = {}
    for configuration in fleet.configurations:
        for path, used_as in configuration.modules.items():
            resolved = path.resolve()
            systems.setdefault(resolved, set()).update(used_as)
            users.setdefault(resolved, []).append(configuration.attribute)
    hints.evaluated = {path.resolve() for path in fleet.evaluated}
    for path, attributes in users.items():
        hints.members[path] = tuple(attributes)
        if len(systems[path]) != 1:
            continue
        (system,) = systems[path]
        shown = (Membership(tuple(attributes), True).summary() or "").removeprefix("in ")
        hints.kinds[path] = Classification(
            _SYSTEM_KINDS[system], f"used as {_SYSTEM_LABELS[system]} module by {shown}")


def _resolve_target(directory: Path, literal: str, root: Path) -> Path | None:
    if not literal.startswith(("./", "../")):
        return None
    target = (directory / literal).resolve()
    if target.is_dir():
        target = target / "default.nix"
    if not target.is_file() or not target.is_relative_to(root.resolve()):
        return None
    return target


