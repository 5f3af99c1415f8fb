"""The nixpkgs and home-manager sources a flake.lock pins, for `index fetch --from-lock` and
`check --download`: every direct input of the root that is nixpkgs or home-manager (by its
repository, or by the configured input names), once per (system, revision)."""

from __future__ import annotations

from dataclasses import dataclass

from nixls_assist.context.flake_lock import FlakeLock
from nixls_assist.context.flake_sources import source_of_lock_entry
from nixls_assist.context.release import ReleasePin, pin_from_node

_HOME_MANAGER = "github:nix-community/home-manager"


@dataclass(frozen=True)
class LockedSource:
    input: str  # the root's input name (`nixpkgs`, `nixpkgs-stable`, `home-manager`)
    system: str  # "nixos" or "home-manager"
    pin: ReleasePin


def locked_sources(lock: FlakeLock, nixpkgs_input: str = "nixpkgs",
                   home_manager_input: str = "home-manager") -> list[LockedSource]:
    out: list[LockedSource] = []
    seen: set[tuple[str, str]] = set()
    for name in sorted(lock.root_inputs()):
        node = lock.resolve([name])
        if node is None:
            continue
        source = source_of_lock_entry(node.original) or source_of_lock_entry(node.locked)
        if name == nixpkgs_input or (source is not None and source.is_nixpkgs):
            system = "nixos"
        elif name == home_manager_input or (source is not None and source.repo == _HOME_MANAGER):
            system = "home-manager"
        else:
            continue
        pin = pin_from_node(node, name, "flake.lock")
        identity = pin.rev or pin.nar_hash
        if identity is None or (system, identity) in seen:
            continue
        seen.add((system, identity))
        out.append(LockedSource(name, system, pin))
    return out
