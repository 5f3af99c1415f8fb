"""The root inputs of a flake that carry a package set or module system, with their lock nodes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from nixls_assist.context import FileContext, FileKind
from nixls_assist.context.flake_inputs import FlakeInputs, InputDeclaration, read_flake_inputs
from nixls_assist.context.flake_lock import FlakeLock, LockedNode
from nixls_assist.context.flake_sources import Source, source_of_lock_entry, source_of_url
from nixls_assist.context.release import UNSTABLE, release_from_ref
from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument

NIXPKGS = "github:nixos/nixpkgs"
HOME_MANAGER = "github:nix-community/home-manager"
NIX_DARWIN = "github:nix-darwin/nix-darwin"
# `github:NixOS/nixpkgs/4697fbbba609`: an abbreviated commit is a pin too.
_SHORT_REV = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class LockedInput:
    name: str
    declaration: InputDeclaration
    node: LockedNode
    source: Source  # from the lock's `original`
    pinned_rev: bool  # `flake.nix` asks for a revision: deliberate, never "old"

    @property
    def span(self) -> Span:
        return self.declaration.url_span or self.declaration.name_span

    @property
    def date(self) -> dt.date | None:
        return self.node.date

    @property
    def release(self) -> str | None:
        """The release series its branch follows (`24.11`, `unstable`); None when unknown
        (a pinned revision, a fork's own branch)."""
        if self.pinned_rev or self.source.rev is not None:
            return None
        ref = self.source.ref
        if self.source.repo == NIXPKGS:
            return release_from_ref(ref) if ref else UNSTABLE
        if self.source.repo == HOME_MANAGER:
            return UNSTABLE if ref in (None, "master") else release_from_ref(ref)
        if self.source.repo == NIX_DARWIN:
            if ref in (None, "master"):
                return UNSTABLE
            prefix = "nix-darwin-"
            return ref.removeprefix(prefix) if ref and ref.startswith(prefix) else None
        return None


@dataclass(frozen=True)
class FlakeView:
    flake: FlakeInputs
    lock: FlakeLock
    inputs: tuple[LockedInput, ...]  # nixpkgs, home-manager and nix-darwin root inputs


def flake_view(doc: ParsedDocument, ctx: FileContext) -> FlakeView | None:
    """The `flake.nix` beside its readable `flake.lock`, else None (every other file)."""
    if ctx.kind is not FileKind.FLAKE or ctx.lock is None or ctx.lock_path is None:
        return None
    if ctx.path is not None and ctx.lock_path.parent != ctx.path.parent:
        return None
    flake = read_flake_inputs(doc)
    if flake is None:
        return None
    return FlakeView(flake, ctx.lock, tuple(_locked_inputs(flake, ctx.lock)))


def _locked_inputs(flake: FlakeInputs, lock: FlakeLock) -> Iterator[LockedInput]:
    roots = lock.root_inputs()
    for name, declaration in flake.inputs.items():
        target = roots.get(name)
        if declaration.follows is not None or not isinstance(target, str):
            continue
        node = lock.nodes.get(target)
        if node is None:
            continue
        source = source_of_lock_entry(node.original)
        if source is None or source.repo not in (NIXPKGS, HOME_MANAGER, NIX_DARWIN):
            continue
        wanted = source_of_url(declaration.url) if declaration.url else None
        pinned = wanted is not None and (
            wanted.rev is not None or bool(wanted.ref and _SHORT_REV.match(wanted.ref)))
        yield LockedInput(name, declaration, node, source, pinned_rev=pinned)


def main_nixpkgs(view: FlakeView, ctx: FileContext) -> LockedInput | None:
    """The nixpkgs input the configuration is checked against (the pin's revision), the
    only nixpkgs input, or the one home-manager and nix-darwin all follow; else None."""
    nixpkgs = [i for i in view.inputs if i.source.repo == NIXPKGS]
    if ctx.nixos is not None and ctx.nixos.rev is not None:
        for item in nixpkgs:
            if item.node.locked.get("rev") == ctx.nixos.rev:
                return item
    if len(nixpkgs) == 1:
        return nixpkgs[0]
    followed = {id(found) for i in view.inputs if i.source.repo != NIXPKGS
                if (found := nixpkgs_of(view, i, None)) is not None}
    chosen = [i for i in nixpkgs if id(i) in followed]
    return chosen[0] if len(chosen) == 1 else None


def builds_systems(doc_text: str, name: str) -> bool:
    """Whether `flake.nix` calls `<name>.lib.nixosSystem` / `darwinSystem` (or
    `inputs.<name>.lib.…`): that nixpkgs input builds machines."""
    return re.search(rf"(?<![\w-]){re.escape(name)}\.lib\.(?:nixosSystem|darwinSystem)\b",
                     doc_text) is not None


def nixpkgs_of(view: FlakeView, item: LockedInput, fallback: LockedInput | None
               ) -> LockedInput | None:
    """The nixpkgs an input (home-manager, nix-darwin) is used with: the root input its own
    `nixpkgs` follows, else the configuration's main nixpkgs."""
    target = item.node.inputs.get("nixpkgs")
    if isinstance(target, list) and len(target) == 1:
        for other in view.inputs:
            if other.name == target[0] and other.source.repo == NIXPKGS:
                return other
    return fallback
