"""`--format json`: one object, the shape documented in DESIGN.md (version 1)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from nixls_assist import __version__
from nixls_assist.analysis import CheckReport, FileResult
from nixls_assist.findings import Finding, Severity


def finding_json(result: FileResult, finding: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": finding.code,
        "severity": finding.severity.label,
        "file": result.display_path,
        "range": result.lsp_range(finding.span),
        "message": finding.message,
    }
    if finding.option is not None:
        item["option"] = finding.option
    if finding.release is not None:
        item["release"] = finding.release
    if (membership := result.context.membership) is not None:
        item["configurations"] = list(membership.configurations)
    item["fixes"] = [
        {
            "title": fix.title,
            "applicability": fix.applicability.value,
            "edits": [
                {"range": result.lsp_range(edit.span), "newText": edit.new_text}
                | ({"file": edit.file} if edit.file else {})
                for edit in fix.edits
            ],
        }
        for fix in finding.fixes
    ]
    return item


def render_json(report: CheckReport, out: TextIO, extra: dict[str, Any] | None = None) -> None:
    """The document; `extra` keys (`statistics`, `fixed`) extend it after `summary`."""
    pairs = report.all_findings()
    counts = {severity: 0 for severity in Severity}
    for _, finding in pairs:
        counts[finding.severity] += 1
    document = {
        "version": 1,
        "tool": {"name": "nixls-assist", "version": __version__},
        "findings": [finding_json(result, finding) for result, finding in pairs],
        "files": [
            {
                "file": result.display_path,
                "kind": result.context.kind.value,
                "kindReason": result.context.classification.reason,
                "release": _release(result),
                "releaseReason": _reason(result),
            } | _membership(result)
            for result in sorted(report.files, key=lambda r: r.display_path)
        ],
        "summary": {
            "files": len(report.files),
            "findings": len(pairs),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
            "seconds": round(report.seconds, 3),
        },
        **(extra or {}),
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _release(result: FileResult) -> str | None:
    pin = result.context.pin_for(result.context.kind)
    return pin.label if pin else None


def _reason(result: FileResult) -> str | None:
    pin = result.context.pin_for(result.context.kind)
    return pin.reason if pin else None


def _membership(result: FileResult) -> dict[str, Any]:
    """The configurations that use the file, when the flake has configurations."""
    membership = result.context.membership
    if membership is None:
        return {}
    return {"configurations": list(membership.configurations),
            "configurationsComplete": membership.complete}
