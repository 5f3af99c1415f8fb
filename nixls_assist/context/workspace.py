"""The structure of a flake workspace: which file is imported as which kind of module.

Starting from `flake.nix`, follow module references (`nixosSystem { modules = [ … ]; }`,
`home-manager.users.<name> = import ./…`, `imports = [ … ]`) through the files they
name. A file reached this way is classified structurally, which beats guessing from
its contents.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.syntax.bindings import ModuleSystem
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.imports import module_references

MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024

_KINDS = {
    ModuleSystem.NIXOS: FileKind.NIXOS,
    ModuleSystem.HOME_MANAGER: FileKind.HOME_MANAGER,
    ModuleSystem.DARWIN: FileKind.DARWIN,
}


@dataclass
class WorkspaceHints:
    root: Path
    kinds: dict[Path, Classification] = field(default_factory=dict)

    def kind_of(self, path: Path) -> Classification | None:
        return self.kinds.get(path.resolve())


def scan_workspace(root: Path) -> WorkspaceHints:
    hints = WorkspaceHints(root)
    flake = root / "flake.nix"
    if not flake.is_file():
        return hints
    queue: deque[tuple[Path, ModuleSystem | None]] = deque([(flake.resolve(), None)])
    seen: set[Path] = set()
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
            if target is None or target in hints.kinds:
                continue
            relative = _relative(path, root)
            hints.kinds[target] = Classification(
                _KINDS[target_system], f"imported as a module by {relative} ({reference.origin})"
            )
            queue.append((target, target_system))
    return hints


def _resolve_target(directory: Path, literal: str, root: Path) -> Path | None:
    if not literal.startswith(("./", "../")):
        return None
    target = (directory / literal).resolve()
    if target.is_dir():
        target = target / "default.nix"
    if not target.is_file() or not target.is_relative_to(root.resolve()):
        return None
    return target


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return str(path)
