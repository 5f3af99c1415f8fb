"""Where an option is defined across a workspace: references, `nixls-assist where`,
workspace symbols and renaming an option path.

A definition is a binding whose own attrpath writes the option's last name:
`networking.firewall.enable = false;`, or `enable = false;` inside
`networking.firewall = { … };` (the walk in syntax/bindings.py resolves the full path). A
binding that only writes a prefix (`networking = { … };` for `networking.firewall.enable`)
is not one; the definitions inside it are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nixls_assist.context import FileContext, FileKind
from nixls_assist.features.declare_package import WorkspaceFile
from nixls_assist.features.hover import binding_at
from nixls_assist.findings import Edit, Span
from nixls_assist.rules.path_rewrites import rename_edits
from nixls_assist.syntax.bindings import OptionBinding, module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.option_binding import ModuleSystem
from option_index.paths import is_placeholder, show_path, split_path

_SYSTEMS = {FileKind.NIXOS: "nixos", FileKind.HOME_MANAGER: "home-manager",
            FileKind.DARWIN: "nix-darwin", FileKind.MODULE: "nixos"}
_SCOPE_SYSTEMS = {ModuleSystem.NIXOS: "nixos", ModuleSystem.HOME_MANAGER: "home-manager",
                  ModuleSystem.DARWIN: "nix-darwin"}


@dataclass(frozen=True)
class OptionAt:
    """The option path under a cursor: the binding, how far into it, which option set."""

    path: tuple[str, ...]
    system: str | None
    binding: OptionBinding
    span: Span  # the name under the cursor


@dataclass(frozen=True)
class Definition:
    file: Path
    doc: ParsedDocument
    binding: OptionBinding
    span: Span  # the part of the attrpath that names the option (`firewall.enable`)
    option: str  # the full path the binding defines, e.g. `networking.firewall.enable`
    system: str | None  # "nixos", "home-manager", "nix-darwin"; None when not told
    module: str  # the module it stands in: "file", "home-manager.users.alice", …


def option_at(doc: ParsedDocument, ctx: FileContext, offset: int) -> OptionAt | None:
    hit = binding_at(doc, ctx, offset)
    if hit is None:
        return None
    binding, upto = hit
    path = tuple(s.label for s in binding.segments[: upto + 1])
    return OptionAt(path, _system(ctx.kind, binding), binding, binding.segments[upto].span)


def parse_option(text: str) -> tuple[str, ...]:
    """`services.nginx.virtualHosts."example.org"` → its names; `*` / `<name>` match any."""
    return split_path(text.strip())


def definitions_in(file: WorkspaceFile, path: Sequence[str],
                   system: str | None = None) -> list[Definition]:
    """The definitions of `path` in one file; with `system`, only in modules of that
    option set (a home-manager `programs.git` is not NixOS's)."""
    kind = file.kind or FileKind.OTHER
    found = []
    for binding in module_bindings(file.doc, file_is_module=kind.is_module):
        if not _defines(binding, path):
            continue
        own_system = _system(kind, binding)
        if system is not None and own_system is not None and own_system != system:
            continue
        first = binding.segments[binding.own_from].span.start
        span = Span(first, binding.segments[len(path) - 1].span.end)
        found.append(Definition(file.path, file.doc, binding, span, binding.dotted,
                                own_system, binding.scope.origin))
    return found


def definitions(files: Iterable[WorkspaceFile], path: Sequence[str],
                system: str | None = None) -> list[Definition]:
    """Every definition of `path` across `files`, by file then position."""
    found = [d for f in files for d in definitions_in(f, path, system)]
    found.sort(key=lambda d: (str(d.file), d.span.start))
    return found


def _defines(binding: OptionBinding, path: Sequence[str]) -> bool:
    labels = binding.path
    if len(labels) < len(path) or binding.own_from >= len(path):
        return False
    return all(want == have or is_placeholder(want) or want == "*"
               for want, have in zip(path, labels, strict=False))


def _system(kind: FileKind, binding: OptionBinding) -> str | None:
    if binding.scope.system is ModuleSystem.FILE:
        return _SYSTEMS.get(kind)
    return _SCOPE_SYSTEMS.get(binding.scope.system)


# -- workspace symbols ------------------------------------------------------------------------

@dataclass(frozen=True)
class OptionSymbol:
    option: str
    file: Path
    doc: ParsedDocument
    span: Span
    system: str | None


@dataclass(frozen=True)
class ConfigurationSymbol:
    """A configuration of the fleet (`nixosConfigurations.kestrel`), where flake.nix names it."""

    option: str  # the attribute, shown as the symbol's name
    kind: str  # "nixos" | "darwin" | "home-manager"
    file: Path
    doc: ParsedDocument
    span: Span


def option_symbols(files: Iterable[WorkspaceFile], query: str,
                   limit: int = 500) -> list[OptionSymbol]:
    """Option paths defined in `files` whose dotted path contains every word of `query`
    (case-insensitive), leaves only: one symbol per definition."""
    words = query.lower().split()
    found: list[OptionSymbol] = []
    for file in files:
        kind = file.kind or FileKind.OTHER
        for binding in module_bindings(file.doc, file_is_module=kind.is_module):
            if not binding.is_leaf:
                continue
            dotted = binding.dotted
            low = dotted.lower()
            if all(w in low for w in words):
                found.append(OptionSymbol(dotted, file.path, file.doc, binding.own_span,
                                          _system(kind, binding)))
                if len(found) >= limit:
                    return found
    return found


# -- rename -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RenamePlan:
    edits: dict[Path, tuple[ParsedDocument, list[Edit]]]  # per file, against that text
    skipped: tuple[Definition, ...]  # definitions no minimal edit can move


def rename_plan(files: Sequence[WorkspaceFile], old: Sequence[str], new: Sequence[str],
                system: str | None) -> RenamePlan:
    """Edits that move every definition of `old` to `new` across `files`, with the rename
    fix's minimal-edit engine (split paths: the outer attrpath is renamed once)."""
    old, new = tuple(old), tuple(new)
    edits: dict[Path, tuple[ParsedDocument, list[Edit]]] = {}
    skipped: list[Definition] = []

    def target_of(binding: OptionBinding) -> tuple[str, ...] | None:
        if binding.path[: len(old)] != old:
            return None
        return new + binding.path[len(old):]

    for file in files:
        found = definitions_in(file, old, system)
        if not found:
            continue
        kind = file.kind or FileKind.OTHER
        every = module_bindings(file.doc, file_is_module=kind.is_module)
        chosen: list[Edit] = []
        for definition in found:
            binding = definition.binding
            target = target_of(binding)
            moved = rename_edits(binding, target, every, target_of) if target else None
            if moved is None:
                skipped.append(definition)
                continue
            chosen += [e for e in moved if e not in chosen]
        if chosen:
            edits[file.path] = (file.doc, _without_overlaps(chosen))
    return RenamePlan(edits, tuple(skipped))


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if out and edit.span.start < out[-1].span.end:
            continue
        out.append(edit)
    return out


def show_option(path: Sequence[str]) -> str:
    return show_path(tuple(path))
