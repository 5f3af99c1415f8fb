"""Declaring packages instead of installing them imperatively, across a workspace.

Rules are pure and see one file; the fix for an NXA401 finding often belongs in another
file (the module that holds `environment.systemPackages` / `home.packages`), and so does
declaring what a user profile holds. The server's code actions, `check --fix` and
`nixls-assist imperative` call the functions here with the workspace's documents (open
editor buffers or files read by the CLI); they return edits whose `file` names the other
file. Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Applicability, Edit, Finding, Fix
from nixls_assist.rules.imperative import NXA401, Target, comment_out_edit, script_installs
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.package_lists import (
    PackageList,
    creation_edit,
    declared_packages,
    insertion_edit,
    missing,
    package_lists,
)
from nixls_assist.syntax.shell_installs import PackageRef

MAIN_MODULES = {"environment.systemPackages": ("configuration.nix", "default.nix"),
                "home.packages": ("home.nix", "default.nix")}
_KIND_OF_OPTION = {"environment.systemPackages": (FileKind.NIXOS, FileKind.DARWIN),
                   "home.packages": (FileKind.HOME_MANAGER,)}


@dataclass(frozen=True)
class WorkspaceFile:
    path: Path
    doc: ParsedDocument
    kind: FileKind | None = None


@dataclass(frozen=True)
class DeclarePlan:
    """Where the packages go and the edit that puts them there."""

    file: Path
    option: str
    added: tuple[str, ...]  # attrs the edit adds
    present: tuple[str, ...]  # attrs the list already has
    edit: Edit | None  # None when everything is already there
    creates_list: bool  # the option was not set in that file: a new binding


def declared_in(files: Iterable[WorkspaceFile]) -> set[str]:
    """Every package attribute the workspace declares (lists and `programs.<x>.enable`)."""
    declared: set[str] = set()
    for item in files:
        declared |= declared_packages(item.doc)
    return declared


def is_declared(package: PackageRef, declared: set[str]) -> bool:
    """Declared under the same attribute, or (loosely) under the same last name:
    `unstable.ripgrep` declares `ripgrep` — when in doubt, nothing is reported."""
    if package.attr is None:
        return False
    if package.attr in declared:
        return True
    last = package.attr.rsplit(".", 1)[-1]
    return any(entry.rsplit(".", 1)[-1] == last for entry in declared)


def preferred_option(files: Sequence[WorkspaceFile]) -> str:
    """`home.packages` when the workspace has a home-manager package list, else the system's."""
    options = {plist.option for item in files for plist in package_lists(item.doc)}
    return "home.packages" if "home.packages" in options else "environment.systemPackages"


def plan_declaration(
    files: Sequence[WorkspaceFile], option: str, attrs: Sequence[str],
    prefer: Path | None = None,
) -> DeclarePlan | None:
    """Add `attrs` to the workspace's `option` list (the one in `prefer`, else the longest
    one); with no such list, create it in the host's main module. None: nowhere to put it."""
    lists = [(item, plist) for item in files for plist in package_lists(item.doc)
             if plist.option == option]
    if lists:
        def rank(pair: tuple[WorkspaceFile, PackageList]) -> tuple[int, int, str]:
            item, plist = pair
            return (int(item.path != prefer), -len(plist.entries), str(item.path))

        item, plist = min(lists, key=rank)
        added = tuple(missing(plist, attrs))
        present = tuple(a for a in dict.fromkeys(attrs) if a not in added)
        edit = insertion_edit(item.doc, plist, attrs)
        return DeclarePlan(item.path, option, added, present, _for_file(edit, item.path), False)
    main = _main_module(files, option, prefer)
    if main is None:
        return None
    unique = list(dict.fromkeys(attrs))
    edit = creation_edit(main.doc, option, unique)
    if edit is None:
        return None
    return DeclarePlan(main.path, option, tuple(unique), (), _for_file(edit, main.path), True)


def _for_file(edit: Edit | None, path: Path) -> Edit | None:
    return Edit(edit.span, edit.new_text, str(path)) if edit is not None else None


def _main_module(
    files: Sequence[WorkspaceFile], option: str, prefer: Path | None
) -> WorkspaceFile | None:
    kinds = _KIND_OF_OPTION.get(option, ())
    candidates = [item for item in files if item.kind in kinds]
    names = MAIN_MODULES.get(option, ())
    for name in names:
        for item in sorted(candidates, key=lambda i: str(i.path)):
            if item.path.name == name:
                return item
    for item in files:
        if item.path == prefer:
            return item
    return None


def declare_fix(
    doc: ParsedDocument, ctx: FileContext, finding: Finding, files: Sequence[WorkspaceFile]
) -> Fix | None:
    """The workspace-wide fix of an NXA401 finding whose list lives in another file.

    None when the finding already carries an applicable fix (the list is in the same file)
    or nothing can be declared (no attribute known, no list and no main module).
    """
    if finding.code != NXA401.code or any(f.edits for f in finding.fixes):
        return None
    item = next((i for i in script_installs(doc, ctx)
                 if (i.install.start, i.install.end) == (finding.span.start, finding.span.end)),
                None)
    if item is None or item.target is Target.DEV_SHELL:
        return None
    attrs = [p.attr for p in item.install.packages if p.attr is not None]
    if not attrs:
        return None
    option = item.target.value if item.target is not Target.UNKNOWN else preferred_option(files)
    own = ctx.path.resolve() if ctx.path is not None else None
    plan = plan_declaration(files, option, attrs, prefer=own)
    if plan is None:
        return None
    edits: list[Edit] = []
    if plan.edit is not None:
        same_file = own is not None and plan.file.resolve() == own
        edits.append(Edit(plan.edit.span, plan.edit.new_text, None) if same_file else plan.edit)
    comment = comment_out_edit(doc, item)
    if comment is not None:
        edits.append(comment)
    if not edits:
        return None
    exact = all(p.exact for p in item.install.packages)
    safe = exact and comment is not None and not plan.creates_list
    names = ", ".join(f"`{a}`" for a in attrs)
    title = f"Declare {names} in `{option}` ({plan.file.name})"
    if comment is not None:
        title += " and comment out the command"
    return Fix(title, tuple(edits), Applicability.SAFE if safe else Applicability.UNSAFE)


def declare_profile_fix(
    doc: ParsedDocument, offset: int, packages: Sequence[PackageRef], declared: set[str]
) -> Fix | None:
    """Code action on a package list at `offset`: "Declare N packages installed imperatively"."""
    plist = next((p for p in package_lists(doc)
                  if p.binding.start_byte <= offset <= p.binding.end_byte), None)
    if plist is None:
        return None
    attrs = [p.attr for p in packages
             if p.attr is not None and not is_declared(p, declared)]
    edit = insertion_edit(doc, plist, attrs)
    if edit is None:
        return None
    count = len(missing(plist, attrs))
    noun = "package" if count == 1 else "packages"
    return Fix(f"Declare {count} {noun} installed imperatively", (edit,), Applicability.UNSAFE)
