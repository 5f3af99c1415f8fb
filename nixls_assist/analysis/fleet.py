"""The fleet as the front-ends see it: `hosts` (every configuration and its module files)
and `affected` (the configurations a change touches), as plain data to render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nixls_assist.context.flake_lock import FlakeLock, LockError, parse_flake_lock
from nixls_assist.context.fleet import Configuration, Fleet, build_fleet
from nixls_assist.context.fleet_inputs import configuration_inputs
from nixls_assist.context.git import GitError, changed_since, file_at
from nixls_assist.context.input_changes import (
    InputChange,
    flake_changes,
    followers,
    lock_changes,
)
from nixls_assist.context.workspace import Membership
from nixls_assist.errors import ConfigError
from option_index.sources.nix_files import relative_to_root

# The flake and its lock: their change touches the configurations using a changed input.
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


def _unresolved(fleet: Fleet, items: list[Any]) -> list[dict[str, Any]]:
    return [{"file": relative_to_root(u.file, fleet.root), "line": u.line,
             "expression": u.expression, "reason": u.reason} for u in items]


def hosts_data(fleet: Fleet) -> dict[str, Any]:
    """The `hosts --format json` document."""
    return {
        "version": 1,
        "configurations": [{
            "attribute": c.attribute, "name": c.name, "kind": c.kind,
            "modules": sorted(relative_to_root(p, fleet.root) for p in c.modules),
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


def affected(fleet: Fleet, changed: list[Path], since: str | None = None) -> Affected:
    """The configurations that use one of the `changed` files. A file read to find the
    configurations (a `./lib` helper) or a change of `flake.nix` outside its `inputs`
    touches every configuration; a change of `flake.lock` or of the `inputs` touches the
    configurations that use a changed input (compared with `since`, else `HEAD`), and
    those whose use of inputs cannot be told, which makes the answer not complete. A
    file of an incomplete configuration may touch it without the graph knowing, so the
    answer is then not complete either."""
    changed = [p.resolve() for p in changed]
    reasons: dict[str, list[str]] = {}
    flake_files = {fleet.root / name for name in _FLAKE_FILES}
    for path in changed:
        shown = relative_to_root(path, fleet.root)
        for configuration in fleet.configurations:
            if path in flake_files:
                continue
            if path in fleet.evaluated or path in configuration.modules:
                reasons.setdefault(configuration.attribute, []).append(shown)
    complete = True
    if any(path in flake_files for path in changed):
        complete = _by_inputs(fleet, [p for p in changed if p in flake_files], since,
                              reasons)
    chosen = [c for c in fleet.configurations if c.attribute in reasons]
    relevant = [p for p in changed if p.suffix == ".nix" or p.name == "flake.lock"]
    complete = complete and (fleet.complete or not relevant)
    return Affected(chosen, complete, reasons)


def _by_inputs(fleet: Fleet, changed: list[Path], since: str | None,
               reasons: dict[str, list[str]]) -> bool:
    """Add the configurations that a change of `flake.nix` / `flake.lock` touches;
    False when some were added only because their use of inputs is not known."""
    ref = since or "HEAD"
    change = InputChange()
    new_lock = _lock(_read(fleet.root / "flake.lock"), fleet.root)
    for path in changed:
        old = file_at(fleet.root, ref, path)
        if path.name == "flake.lock":
            old_lock = _lock(old, fleet.root)
            if (old is not None and old_lock is None) or (
                    new_lock is None and path.exists()):
                change.everything = True  # a lock that cannot be read
            found = lock_changes(old_lock, new_lock)
        else:
            found = flake_changes(old, _read(path))
            found.inputs = followers(new_lock, found.inputs)
        change.inputs |= found.inputs
        change.everything = change.everything or found.everything
    shown = ", ".join(relative_to_root(p, fleet.root) for p in changed)
    if change.everything:
        for configuration in fleet.configurations:
            reasons.setdefault(configuration.attribute, []).append(shown)
        return True
    if not change.inputs:
        return True
    names = set(fleet.inputs) | change.inputs
    if new_lock is not None:
        names |= set(new_lock.root_inputs())
    complete = True
    for configuration in fleet.configurations:
        use = configuration_inputs(configuration, names,
                                   every_input_named=new_lock is not None)
        touched = sorted(use.inputs & change.inputs)
        if touched:
            reasons.setdefault(configuration.attribute, []).append(
                f"{shown}: {', '.join(touched)}")
        elif not use.known:
            complete = False
            reasons.setdefault(configuration.attribute, []).append(
                f"{shown}: its inputs are not known ({use.unknown[0]})")
    return complete


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _lock(data: bytes | None, root: Path) -> FlakeLock | None:
    if data is None:
        return None
    try:
        return parse_flake_lock(json.loads(data), root / "flake.lock")
    except (ValueError, LockError):
        return None


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
