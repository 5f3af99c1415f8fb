"""Which option index answers for a module scope: the file's kind and release pin decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nixls_assist.context import FileContext, FileKind, ReleasePin
from nixls_assist.syntax.bindings import ModuleSystem

_BY_KIND = {FileKind.NIXOS: "nixos", FileKind.MODULE: "nixos",
            FileKind.HOME_MANAGER: "home-manager"}
_BY_SYSTEM = {ModuleSystem.NIXOS: "nixos", ModuleSystem.HOME_MANAGER: "home-manager"}


@dataclass(frozen=True)
class ScopeIndex:
    system: str
    pin: ReleasePin
    index: Any  # option_index.index.OptionIndex


def system_of(ctx: FileContext, scope_system: ModuleSystem) -> str | None:
    """"nixos" / "home-manager" for a module scope; None for nix-darwin and non-modules."""
    if scope_system is ModuleSystem.FILE:
        return _BY_KIND.get(ctx.kind)
    return _BY_SYSTEM.get(scope_system)


def index_for(ctx: FileContext, indexes: Any, scope_system: ModuleSystem) -> ScopeIndex | None:
    system = system_of(ctx, scope_system)
    if system is None or indexes is None:
        return None
    pin = ctx.home_manager if system == "home-manager" else ctx.nixos
    if pin is None:
        return None
    index = indexes.get(system, pin)
    return ScopeIndex(system, pin, index) if index is not None else None
