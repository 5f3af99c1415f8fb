"""`nixls-assist upgrade --to RELEASE`: the upgrade report, rendered, and its batch fix."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from nixls_assist.analysis import (
    Change,
    UpgradeReport,
    Workspace,
    normalise_release,
    release_forms,
    upgrade,
)
from nixls_assist.cli.check import _display
from nixls_assist.cli.files import discover
from nixls_assist.cli.fix import write_atomic
from nixls_assist.errors import ConfigError

_KIND_TITLES = {"renamed": "Renamed", "alias": "Aliased", "removed": "Removed",
                "changed": "Changed", "deprecated": "Deprecated", "new": "Not yet declared",
                "unknown": "Not found at the target"}


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


def _fix_json(change: Change) -> dict[str, Any] | None:
    if change.fix is None:
        return None
    return {"title": change.fix.title, "applicability": change.fix.applicability.value}


def report_json(report: UpgradeReport) -> dict[str, Any]:
    return {
        "version": 1,
        "from": report.release_from,
        "to": report.release_to,
        "changes": [{
            "file": c.file, "range": c.range, "code": c.code, "kind": c.kind,
            "system": c.system, "option": c.option, "replacement": c.replacement,
            "message": c.message, "configurations": list(c.configurations),
            "fix": _fix_json(c),
        } for c in report.changes],
        "inputs": [{
            "file": i.file, "name": i.name, "url": i.url, "newUrl": i.new_url,
            "range": i.range, "from": i.release_from, "follows": i.follows,
            "fix": i.edit is not None, "note": i.note,
        } for i in report.inputs],
        "stateVersion": [{"file": s.file, "range": s.range, "option": s.option,
                          "value": s.value, "note": s.note} for s in report.state_versions],
        "configurations": report.configurations,
        "complete": report.complete,
        "summary": {"files": report.files, "changes": len(report.changes),
                    "fixable": sum(c.fix is not None for c in report.changes),
                    "kinds": dict(sorted(report.counts().items())),
                    "inputs": len(report.inputs)},
    }


def _line(change: Change) -> str:
    start = change.range["start"]
    return f"{change.file}:{start['line'] + 1}:{start['character'] + 1}"


def _describe(change: Change) -> str:
    text = f"`{change.option}`"
    if change.replacement:
        text += f" → `{change.replacement}`"
    return text


def report_text(report: UpgradeReport) -> str:
    lines = [f"upgrade {report.release_from or 'unpinned'} → {report.release_to}: "
             f"{len(report.changes)} change(s) in {report.files} file(s)"]
    for change in report.changes:
        fix = " [fix]" if change.fix is not None else ""
        used = f"  ({', '.join(change.configurations)})" if change.configurations else ""
        lines.append(f"{_line(change)}  {change.code} {change.kind}{fix}: "
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
        lines.append(f"stateVersion {report.state_versions[0].note}")
    return "\n".join(lines) + "\n"


def report_markdown(report: UpgradeReport) -> str:
    """A pull-request description: by configuration, then by kind, with counts."""
    counts = report.counts()
    title = f"Upgrade to NixOS {report.release_to}"
    if report.release_from:
        title += f" (from {report.release_from})"
    out = [f"## {title}", ""]
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no changes"
    fixable = sum(c.fix is not None for c in report.changes)
    out += [f"{len(report.changes)} option change(s) in {report.files} file(s): {summary}; "
            f"{fixable} renamed automatically, the rest need a decision.", ""]
    if report.inputs:
        out += ["### Flake inputs", ""]
        for bump in report.inputs:
            out.append(f"- [{'x' if bump.edit is not None else ' '}] `{bump.name}`: "
                       f"`{bump.url}` → `{bump.new_url}` — {bump.note}")
        out += ["", "Then run `nix flake update` for the bumped inputs.", ""]
    groups: dict[str, list[Change]] = {}
    for change in report.changes:
        for name in change.configurations or ("(files outside any known configuration)",):
            groups.setdefault(name, []).append(change)
    for name in sorted(groups):
        changes = groups[name]
        out += [f"### `{name}` ({len(changes)})", ""]
        by_kind: dict[str, list[Change]] = {}
        for change in changes:
            by_kind.setdefault(change.kind, []).append(change)
        for kind in sorted(by_kind):
            items = by_kind[kind]
            out += [f"**{_KIND_TITLES.get(kind, kind)}** ({len(items)})", ""]
            for change in items:
                box = "x" if change.fix is not None else " "
                out.append(f"- [{box}] [{_line(change)}]({change.file}#L"
                           f"{change.range['start']['line'] + 1}) {_describe(change)}"
                           + ("" if change.fix else f" — {change.message}"))
            out.append("")
    if report.state_versions:
        out += ["### stateVersion (unchanged)", ""]
        values = Counter(s.value or "?" for s in report.state_versions)
        out.append(f"{len(report.state_versions)} definition(s) "
                   f"({', '.join(f'{v} ×{n}' for v, n in sorted(values.items()))}) "
                   f"{report.state_versions[0].note}.")
        out.append("")
    if not report.complete:
        out += ["_Some configurations could not be followed in full without evaluating; "
                "`nixls-assist hosts` shows where._", ""]
    return "\n".join(out)
