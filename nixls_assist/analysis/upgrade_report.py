"""The upgrade report as data: the stable JSON document (`upgrade --format json`, the
editor's "Preview upgrade") and the pull-request description in Markdown."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nixls_assist.analysis.upgrade import Change, UpgradeReport

_KIND_TITLES = {"renamed": "Renamed", "alias": "Aliased", "removed": "Removed",
                "changed": "Changed", "deprecated": "Deprecated", "new": "Not yet declared",
                "unknown": "Not found at the target"}


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


def change_line(change: Change) -> str:
    start = change.range["start"]
    return f"{change.file}:{start['line'] + 1}:{start['character'] + 1}"


def _describe(change: Change) -> str:
    text = f"`{change.option}`"
    if change.replacement:
        text += f" → `{change.replacement}`"
    return text


def already_due_line(report: UpgradeReport) -> str:
    pinned = report.release_from or "the pinned release"
    return (f"The batch also applies {report.already_due} rename(s) already reported at "
            f"{pinned} (`nixls-assist check` lists them).")


def report_markdown(report: UpgradeReport) -> str:
    """A pull-request description: by configuration, then by kind, with counts."""
    counts = report.counts()
    title = f"Upgrade to NixOS {report.release_to}"
    if report.release_from:
        title += f" (from {report.release_from})"
    out = [f"## {title}", ""]
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no changes"
    fixable = sum(c.fix is not None for c in report.changes)
    rest = len(report.changes) - fixable
    out += [f"{len(report.changes)} option change(s) in {report.files} file(s): {summary}; "
            f"{fixable} renamed automatically"
            + (f", {rest} need a decision." if rest else "."), ""]
    if report.already_due:
        out += [already_due_line(report), ""]
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
                out.append(f"- [{box}] [{change_line(change)}]({change.file}#L"
                           f"{change.range['start']['line'] + 1}) {_describe(change)}"
                           + ("" if change.fix else f" — {change.message}"))
            out.append("")
    if report.state_versions:
        out += ["### stateVersion (unchanged)", ""]
        values = Counter(s.value or "?" for s in report.state_versions)
        out.append(f"{len(report.state_versions)} definition(s) "
                   f"({', '.join(f'{v} ×{n}' for v, n in sorted(values.items()))}) stay as "
                   f"they are: {report.state_versions[0].note}.")
        out.append("")
    if not report.complete:
        out += ["_Some configurations could not be followed in full without evaluating; "
                "`nixls-assist hosts` shows where._", ""]
    return "\n".join(out)
