"""`nixls-assist upgrade --to RELEASE`: the upgrade report, rendered, and its batch fix."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from nixls_assist.analysis import (
    UpgradeReport,
    Workspace,
    already_due_line,
    change_line,
    normalise_release,
    release_forms,
    report_json,
    report_markdown,
    upgrade,
)
from nixls_assist.cli.check import _display
from nixls_assist.cli.files import discover
from nixls_assist.cli.fix import write_atomic
from nixls_assist.errors import ConfigError


def add_upgrade_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upgrade", help="what moving to the next release changes, and the batch fix",
        description="Every option finding the files get at the target release that they do "
                    "not get today (renamed, removed, changed; home-manager too), the flake "
                    "inputs to bump, and the stateVersion notes. Nothing is evaluated.")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files or directories (default: .)")
    parser.add_argument("--to", required=True, metavar="RELEASE",
                        help="the release to move to, e.g. 25.05 or nixos-25.05")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--fix", action="store_true",
                        help="apply every safe rename and the input ref bumps in place")
    parser.set_defaults(handler=run_upgrade)


def run_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    target = normalise_release(args.to)
    if target is None:
        raise ConfigError(f"--to {args.to!r}: no such NixOS release; expected {release_forms()}")
    workspace = Workspace()
    cwd = Path.cwd().resolve()
    inputs = [(path.read_bytes(), path, _display(path, cwd))
              for path in discover(args.paths, workspace.excluded)]
    report = upgrade(inputs, target, fix=args.fix)
    for result, outcome in report.fixed:
        if outcome.changed and result.path is not None:
            write_atomic(result.path, outcome.doc.source)
        for refusal in outcome.refused:
            print(f"{result.display_path}: {refusal}", file=sys.stderr)
        if outcome.applied:
            codes = ", ".join(f"{code} ×{n}" for code, n in sorted(outcome.applied.items()))
            print(f"fixed {sum(outcome.applied.values())} in {result.display_path} ({codes})",
                  file=sys.stderr)
    for notice in report.notices:
        print(f"nixls-assist: {notice}", file=sys.stderr)
    if args.format == "json":
        out.write(json.dumps(report_json(report), indent=2) + "\n")
    elif args.format == "markdown":
        out.write(report_markdown(report))
    else:
        out.write(report_text(report))
    return 0


def report_text(report: UpgradeReport) -> str:
    lines = [f"upgrade {report.release_from or 'unpinned'} → {report.release_to}: "
             f"{len(report.changes)} change(s) in {report.files} file(s)"]
    for change in report.changes:
        fix = " [fix]" if change.fix is not None else ""
        used = f"  ({', '.join(change.configurations)})" if change.configurations else ""
        lines.append(f"{change_line(change)}  {change.code} {change.kind}{fix}: "
                     f"{change.message}{used}")
    for bump in report.inputs:
        mark = " [fix]" if bump.edit is not None else ""
        lines.append(f"{bump.file}: input `{bump.name}`{mark}: {bump.url} → {bump.new_url}"
                     f" ({bump.note})")
    for state in report.state_versions:
        start = state.range["start"]
        lines.append(f"{state.file}:{start['line'] + 1}: `{state.option}`"
                     f"{' = ' + json.dumps(state.value) if state.value else ''} (unchanged)")
    if report.state_versions:
        lines.append(f"stateVersion stays as it is: {report.state_versions[0].note}")
    if report.already_due:
        lines.append(already_due_line(report))
    return "\n".join(lines) + "\n"
