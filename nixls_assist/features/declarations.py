"""Go to declaration of an option: where `mkOption` declares it, without evaluating Nix.

In order: the user's own modules (`options.my.service = mkOption { … };` anywhere in the
workspace), then the pinned nixpkgs / home-manager source when it is on disk (the store
path the lock's narHash names, or a channel), else nothing (hover already says where the
index got the option from). The extractor records a declaration's line (`sshd.nix:42`);
a declaration without one (options.json's) lands on the line that declares the name, or
on the file's first line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nixls_assist.context import FileContext
from nixls_assist.features.option_scope import index_for
from nixls_assist.syntax.option_binding import ModuleSystem
from option_index.model import Lookup, Option, split_declaration

_HM_PREFIX = re.compile(r"^<home-manager/(.+)>$")
# How many files a namespace (`services.openssh`) may be declared across to be answered.
_MAX_FILES = 3


@dataclass(frozen=True)
class Declaration:
    file: Path
    line: int  # 0-based
    option: str  # the declared path, placeholders shown (`users.users.<name>.uid`)
    origin: str  # "workspace" or the index's source


def declarations_of(path: Sequence[str], system: str | None, ctx: FileContext,
                    indexes: Any) -> list[Declaration]:
    """Where `path` is declared: the workspace's modules first, then the pinned source."""
    path = tuple(path)
    found = _from_index(ctx.workspace_options, path, None, "workspace")
    if found:
        return found
    scope = {"nixos": ModuleSystem.NIXOS, "home-manager": ModuleSystem.HOME_MANAGER}.get(
        system or "")
    scoped = index_for(ctx, indexes, scope) if scope is not None else None
    if scoped is None:
        return []
    return _from_index(scoped.index, path, scoped.pin.source_path, scoped.index.source)


def _from_index(index: Any, path: tuple[str, ...], source_root: str | None,
                origin: str) -> list[Declaration]:
    if index is None:
        return []
    outcome, options = _options(index, path)
    found: dict[Path, Declaration] = {}
    for candidate in options:
        for text in candidate.declarations:
            place = _on_disk(text, source_root)
            if place is None or place[0] in found:
                continue
            file, line = place
            found[file] = Declaration(file, line if line is not None else _line_of(file, path),
                                      candidate.path, origin)
    if len(found) > _MAX_FILES and outcome is not Lookup.FOUND:
        return []
    return list(found.values())


def _options(index: Any, path: tuple[str, ...]) -> tuple[Lookup, list[Option]]:
    outcome, option = index.lookup(path)
    if outcome is Lookup.FOUND and option is not None:
        return outcome, [option]
    if outcome is Lookup.PREFIX:  # a namespace: the module(s) declaring what is below it
        return outcome, [o for _, o in index.children(path) if o is not None]
    return outcome, []


def declared_elsewhere(path: Sequence[str], system: str | None, ctx: FileContext,
                       indexes: Any) -> str | None:
    """When the pinned source is not on this machine: where the index says `path` is
    declared, as a sentence (`… is declared in nixos/modules/…/sshd.nix:42 of nixpkgs
    pinned to `nixos-24.11` via flake.lock; that source is not on this machine`)."""
    path = tuple(path)
    scope = {"nixos": ModuleSystem.NIXOS, "home-manager": ModuleSystem.HOME_MANAGER}.get(
        system or "")
    scoped = index_for(ctx, indexes, scope) if scope is not None else None
    if scoped is None:
        return None
    outcome, options = _options(scoped.index, path)
    files = list(dict.fromkeys(text for o in options for text in o.declarations
                               if _on_disk(text, scoped.pin.source_path) is None))
    if not files or (len(files) > _MAX_FILES and outcome is not Lookup.FOUND):
        return None
    shown = ", ".join(_shown(f) for f in files[:_MAX_FILES])
    what = options[0].path if outcome is Lookup.FOUND else ".".join(path)
    project = "home-manager" if scoped.system == "home-manager" else "nixpkgs"
    return (f"`{what}` is declared in {shown} of {project} {scoped.pin.phrase}; "
            "that source is not on this machine")


def _shown(text: str) -> str:
    name, line = split_declaration(text)
    name = _HM_PREFIX.sub(r"\1", name)
    return f"{name}:{line}" if line is not None else name


def _on_disk(text: str, source_root: str | None) -> tuple[Path, int | None] | None:
    """The file of a declaration and its 0-based line; None when it is not on this machine.
    options.json names files relative to the source (`nixos/modules/…`), home-manager's
    as `<home-manager/modules/…>`."""
    name, line = split_declaration(text)
    hm = _HM_PREFIX.match(name)
    if hm is not None:
        name = hm.group(1)
    file = Path(name)
    if not file.is_absolute():
        if source_root is None:
            return None
        file = Path(source_root) / file
    if not file.is_file():
        return None
    return file, (line - 1 if line is not None else None)


def _line_of(file: Path, path: tuple[str, ...]) -> int:
    """The line that declares the option's last name, else 0."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    name = re.escape(path[-1]) if path else ""
    for pattern in (rf"\b{name}\s*=\s*(lib\.)?mk(Option|EnableOption|PackageOption)\b",
                    rf"\b{name}\s*="):
        match = re.search(pattern, text)
        if match is not None:
            return text.count("\n", 0, match.start())
    return 0
