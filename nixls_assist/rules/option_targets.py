"""Which option definitions of a file are judged, and against which index and release."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nixls_assist.context import FileContext, FileKind, ReleasePin
from nixls_assist.rules.base import Indexes
from nixls_assist.syntax.bindings import ModuleSystem, OptionBinding, option_bindings
from nixls_assist.syntax.document import ParsedDocument
from option_index.index import OptionIndex
from option_index.model import Lookup

_SYSTEM_OF_KIND = {
    FileKind.NIXOS: "nixos",
    FileKind.HOME_MANAGER: "home-manager",
}
_SYSTEM_OF_SCOPE = {
    ModuleSystem.NIXOS: "nixos",
    ModuleSystem.HOME_MANAGER: "home-manager",
}
SYSTEM_LABEL = {"nixos": "NixOS", "home-manager": "home-manager"}


@dataclass(slots=True)  # one per definition and version: cheap to make
class Judged:
    """One definition with the index of its module system at the file's pinned release."""

    binding: OptionBinding
    system: str
    pin: ReleasePin
    index: OptionIndex
    newer: OptionIndex | None  # for unstable pins: the next release (existence checks)

    @property
    def where(self) -> str:
        """`home-manager 24.11` / `NixOS 24.11`, as messages print the release judged."""
        return f"{SYSTEM_LABEL[self.system]} {self.index.release}"


def system_of(binding: OptionBinding, ctx: FileContext) -> str | None:
    return _system(binding.scope.system, _SYSTEM_OF_KIND.get(ctx.kind))


def _system(scope: ModuleSystem, of_file: str | None) -> str | None:
    """The option set of a module: the file's own (`of_file`), or a nested module's."""
    return of_file if scope is ModuleSystem.FILE else _SYSTEM_OF_SCOPE.get(scope)


def pin_of(system: str, ctx: FileContext) -> ReleasePin | None:
    return ctx.home_manager if system == "home-manager" else ctx.nixos


def file_bindings(doc: ParsedDocument, ctx: FileContext) -> tuple[OptionBinding, ...]:
    return option_bindings(doc, file_is_module=ctx.kind.is_module)


def judged_bindings(
    doc: ParsedDocument, ctx: FileContext, indexes: Indexes | None
) -> tuple[Judged, ...]:
    """Definitions whose module system and release are known, with their index.

    Computed once per (document version, context, indexes): five rules walk this list.
    """
    if indexes is None or doc.skipped:
        return ()
    cached = doc.memo.get("judged")
    if isinstance(cached, tuple) and cached[0] is ctx and cached[1] is indexes:
        return cached[2]  # type: ignore[no-any-return]
    found = tuple(_judge(doc, ctx, indexes))
    doc.memo["judged"] = (ctx, indexes, found)
    return found


def _judge(doc: ParsedDocument, ctx: FileContext, indexes: Indexes) -> Iterator[Judged]:
    per_system: dict[str, tuple[ReleasePin, OptionIndex, OptionIndex | None] | None] = {}
    of_file = _SYSTEM_OF_KIND.get(ctx.kind)
    for binding in file_bindings(doc, ctx):
        system = _system(binding.scope.system, of_file)
        if system is None:
            continue
        if system not in per_system:
            per_system[system] = _index_for(system, ctx, indexes)
        target = per_system[system]
        if target is not None:
            yield Judged(binding, system, *target)


def _index_for(
    system: str, ctx: FileContext, indexes: Indexes
) -> tuple[ReleasePin, OptionIndex, OptionIndex | None] | None:
    pin = pin_of(system, ctx)
    index = indexes.get(system, pin)
    if pin is None or not isinstance(index, OptionIndex):
        return None
    newer = getattr(indexes, "newer", lambda _s, _p: None)(system, pin)
    return pin, index, newer


def unpinned_systems(doc: ParsedDocument, ctx: FileContext) -> list[str]:
    """Module systems this file defines options for but has no release pin for."""
    missing: list[str] = []
    of_file = _SYSTEM_OF_KIND.get(ctx.kind)
    for scope in dict.fromkeys(binding.scope.system for binding in file_bindings(doc, ctx)):
        system = _system(scope, of_file)
        if system is not None and pin_of(system, ctx) is None and system not in missing:
            missing.append(system)
    return missing


def declared_in_workspace(ctx: FileContext, path: tuple[str, ...]) -> bool:
    """Whether the workspace's own modules declare `path` (or an option above it)."""
    declared = ctx.workspace_options
    return declared is not None and declared.lookup(path)[0] in _DECLARED


_DECLARED = (Lookup.FOUND, Lookup.UNDER_FREEFORM, Lookup.PREFIX)
