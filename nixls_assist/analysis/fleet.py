"""The fleet as the front-ends see it: `hosts` (every configuration and its module files)
and `affected` (the configurations a change touches), as plain data to render."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nixls_assist.context.fleet import Configuration, Fleet, build_fleet
from nixls_assist.context.git import GitError, changed_since
from nixls_assist.context.workspace import Membership
from nixls_assist.errors import ConfigError

# Files whose change touches every configuration: the flake itself and its lock.
_FLAKE_FILES = ("flake.nix", "flake.lock")


def flake_root(path: Path) -> Path | None:
    """The nearest directory with a `flake.nix`, from `path` upwards."""
    path = path.resolve()
    for candidate in (path, *path.parents) if path.is_dir() else path.parents:
        if (candidate / "flake.nix").is_file():
            return candidate
    return None


def load_fleet(path: Path) -> Fleet:
    root = flake_root(path)
    if root is None:
        raise ConfigError(f"No `flake.nix` at or above `{path}`; run it inside a flake")
    return build_fleet(root)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _unresolved(fleet: Fleet, items: list[Any]) -> list[dict[str, Any]]:
    return [{"file": _relative(u.file, fleet.root), "line": u.line,
             "expression": u.expression, "reason": u.reason} for u in items]


def hosts_data(fleet: Fleet) -> dict[str, Any]:
    """The `hosts --format json` document."""
    return {
        "version": 1,
        "configurations": [{
            "attribute": c.attribute, "name": c.name, "kind": c.kind,
            "modules": sorted(_relative(p, fleet.root) for p in c.modules),
            "complete": c.complete, "unresolved": _unresolved(fleet, c.unresolved),
        } for c in fleet.configurations],
        "complete": fleet.complete,
        "unresolved": _unresolved(fleet, fleet.unresolved),
    }


@dataclass(frozen=True)
class Affected:
    configurations: list[Configuration]
    complete: bool  # False: some configuration (or the flake) was not followed in full
    reasons: dict[str, list[str]]  # attribute → the changed files that touch it


def affected(fleet: Fleet, changed: list[Path]) -> Affected:
    """The configurations that use one of the `changed` files. A change of `flake.nix`,
    `flake.lock` or a file read to find the configurations (a `./lib` helper) touches every
    configuration; a file of an incomplete configuration may touch it without the graph
    knowing, so the answer is then not complete."""
    changed = [p.resolve() for p in changed]
    reasons: dict[str, list[str]] = {}
    everything = {fleet.root / name for name in _FLAKE_FILES} | fleet.evaluated
    for path in changed:
        shown = _relative(path, fleet.root)
        for configuration in fleet.configurations:
            if path in everything or path in configuration.modules:
                reasons.setdefault(configuration.attribute, []).append(shown)
    chosen = [c for c in fleet.configurations if c.attribute in reasons]
    relevant = [p for p in changed if p.suffix == ".nix" or p.name == "flake.lock"]
    complete = fleet.complete or not relevant
    return Affected(chosen, complete, reasons)


def changed_files(path: Path, since: str) -> list[Path]:
    root = flake_root(path) or path.resolve()
    try:
        return changed_since(root, since)
    except GitError as exc:
        raise ConfigError(f"Cannot list the files changed since `{since}`: {exc}") from exc


def membership_title(membership: Membership) -> str:
    """The editor's code lens on a module file: "in 2 configurations: kestrel, osprey"."""
    count = len(membership.configurations)
    if count == 0:
        return "imported by no configuration" if membership.complete else \
            "imported by no configuration the graph follows (some are not followed in full)"
    names = membership.names
    shown = ", ".join(names[:5]) + (", …" if count > 5 else "")
    return f"in {count} configuration{'s' if count != 1 else ''}: {shown}"


def membership_message(display: str, membership: Membership) -> str:
    """The "show configurations" command's answer, every configuration named."""
    if not membership.configurations:
        return f"{display}: {membership_title(membership)}"
    return f"{display} is used by {', '.join(membership.configurations)}" + (
        "" if membership.complete else " (and maybe others: some configurations are not "
        "followed in full; `nixls-assist hosts` names them)")
