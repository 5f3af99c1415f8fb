"""`nixls-assist imperative`: packages in your profile that no configuration declares."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import tempfile
from pathlib import Path
from typing import TextIO

from nixls_assist.analysis import Workspace, relative_to_root
from nixls_assist.edits import apply_edits
from nixls_assist.errors import ConfigError
from nixls_assist.features.declare_package import (
    DeclarePlan,
    WorkspaceFile,
    declared_in,
    is_declared,
    plan_declaration,
    preferred_option,
)
from nixls_assist.features.profiles import ProfileEntry, default_profiles, read_profile

OPTIONS = {"home": "home.packages", "system": "environment.systemPackages"}


def add_imperative_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "imperative",
        help="list packages installed imperatively that the workspace does not declare",
        description="Read your profile's manifest (never evaluating it), list the packages "
        "no configuration in the workspace declares, and print or apply the edit that "
        "declares them.",
    )
    parser.add_argument("--profile", action="append", type=Path, metavar="PATH",
                        help="a profile or its manifest.json / manifest.nix (repeatable; "
                        "default: ~/.nix-profile, ~/.local/state/nix/profile, "
                        "/nix/var/nix/profiles/per-user/$USER/profile)")
    parser.add_argument("--workspace", type=Path, default=Path("."), metavar="DIR",
                        help="the configuration to compare with (default: .)")
    parser.add_argument("--into", choices=("auto", "home", "system"), default="auto",
                        help="declare in home.packages or environment.systemPackages "
                        "(default: home.packages when the workspace has one)")
    parser.add_argument("--names", action="store_true",
                        help="also declare nix-env packages by derivation name "
                        "(the attribute may differ)")
    parser.add_argument("--apply", action="store_true", help="write the edit")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run_imperative)


def run_imperative(args: argparse.Namespace, out: TextIO) -> int:
    profiles = args.profile or default_profiles()
    if not profiles:
        raise ConfigError("no Nix profile found; pass --profile PATH (a profile or its manifest)")
    workspace = args.workspace
    if not workspace.is_dir():
        raise ConfigError(f"{workspace}: not a directory")
    entries = [(profile, entry) for profile in profiles for entry in read_profile(profile)]
    files = _workspace_files(workspace)
    declared = declared_in(files)
    undeclared = _unique([(p, e) for p, e in entries if not is_declared(e.package, declared)])
    chosen = [e.package.attr for _, e in undeclared
              if e.package.attr is not None and (e.package.exact or args.names)]
    option = OPTIONS.get(args.into) or preferred_option(files)
    plan = plan_declaration(files, option, chosen) if chosen else None
    diff = _diff(plan, workspace) if plan is not None and plan.edit is not None else ""
    if args.apply and plan is not None and plan.edit is not None:
        _write(plan)
    if args.format == "json":
        _render_json(out, profiles, undeclared, plan, diff, args.apply)
    else:
        _render_text(out, undeclared, plan, diff, args, workspace)
    if not undeclared or (args.apply and plan is not None and len(plan.added) == len(undeclared)):
        return 0
    return 1


def _workspace_files(workspace: Path) -> list[WorkspaceFile]:
    return Workspace().files_under([workspace])


def _unique(
    pairs: list[tuple[Path, ProfileEntry]],
) -> list[tuple[Path, ProfileEntry]]:
    seen: set[str] = set()
    result = []
    for profile, entry in pairs:
        key = entry.package.attr or entry.name
        if key not in seen:
            seen.add(key)
            result.append((profile, entry))
    return result


def _diff(plan: DeclarePlan, workspace: Path) -> str:
    assert plan.edit is not None
    before = plan.file.read_bytes()
    after = apply_edits(before, [plan.edit])
    name = relative_to_root(plan.file, workspace, resolve=True)
    lines = difflib.unified_diff(
        before.decode("utf-8", errors="replace").splitlines(keepends=True),
        after.decode("utf-8", errors="replace").splitlines(keepends=True),
        f"a/{name}", f"b/{name}", n=2,
    )
    return "".join(lines)


def _write(plan: DeclarePlan) -> None:
    assert plan.edit is not None
    data = apply_edits(plan.file.read_bytes(), [plan.edit])
    handle, temporary = tempfile.mkstemp(dir=plan.file.parent, prefix=".nixls-assist-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, plan.file.stat().st_mode & 0o7777)
        os.replace(temporary, plan.file)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"{plan.file}: cannot write ({exc.strerror})") from exc


def _describe(entry: ProfileEntry, names: bool) -> str:
    package = entry.package
    if package.attr is None:
        return f"{entry.source} — not from nixpkgs: add its flake as an input or declare it by hand"
    if not package.exact:
        note = "declared with --names" if names else "pass --names to declare it"
        return f"{entry.name} (nix-env; `{package.attr}` is a guess from the name: {note})"
    return f"{package.written}"


def _removal_hint(undeclared: list[tuple[Path, ProfileEntry]], plan: DeclarePlan) -> str:
    done = [e for _, e in undeclared if e.package.attr in plan.added]
    nix_env = [e.handle for e in done if e.source == "nix-env"]
    profile = [e.handle for e in done if e.source != "nix-env"]
    hints = []
    if profile:
        hints.append("nix profile remove " + " ".join(profile))
    if nix_env:
        hints.append("nix-env -e " + " ".join(nix_env))
    return " and ".join(f"`{h}`" for h in hints)


def _render_text(
    out: TextIO, undeclared: list[tuple[Path, ProfileEntry]], plan: DeclarePlan | None,
    diff: str, args: argparse.Namespace, workspace: Path,
) -> None:
    if not undeclared:
        out.write("Every package in the profile is declared in the workspace.\n")
        return
    out.write(f"{len(undeclared)} package(s) installed imperatively are not declared in "
              f"{workspace}:\n")
    width = max(len(e.package.attr or e.name) for _, e in undeclared)
    for _, entry in undeclared:
        label = entry.package.attr or entry.name
        out.write(f"  {label:<{width}}  {_describe(entry, args.names)}\n")
    if plan is None:
        out.write("No `environment.systemPackages` / `home.packages` list or main module found "
                  "to declare them in.\n")
        return
    where = relative_to_root(plan.file, workspace, resolve=True)
    if plan.edit is None:
        out.write(f"Already in `{plan.option}` ({where}).\n")
        return
    verb = "Declared" if args.apply else "Declare"
    out.write(f"\n{verb} {len(plan.added)} package(s) in `{plan.option}` ({where}):\n{diff}")
    if args.apply:
        hint = _removal_hint(undeclared, plan)
        out.write(f"\nRebuild, then remove them from the profile: {hint}\n")
    else:
        out.write("\nRun with --apply to write this change.\n")


def _render_json(
    out: TextIO, profiles: list[Path], undeclared: list[tuple[Path, ProfileEntry]],
    plan: DeclarePlan | None, diff: str, applied: bool,
) -> None:
    data = {
        "version": 1,
        "profiles": [str(p) for p in profiles],
        "undeclared": [
            {"name": e.name, "attr": e.package.attr, "exact": e.package.exact,
             "source": e.source, "profile": str(p)}
            for p, e in undeclared
        ],
        "plan": None if plan is None else {
            "file": str(plan.file), "option": plan.option, "added": list(plan.added),
            "present": list(plan.present), "createsList": plan.creates_list,
            "diff": diff, "applied": applied and plan.edit is not None,
        },
    }
    json.dump(data, out, indent=2)
    out.write("\n")
