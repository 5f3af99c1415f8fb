"""`--format sarif`: SARIF 2.1.0, as GitHub code scanning and other CI dashboards read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from nixls_assist import __version__
from nixls_assist.analysis import ALL_RULES, CheckReport, FileResult, Rule, relative_to_root
from nixls_assist.cli.explain import help_uri, sections
from nixls_assist.findings import Edit, Finding, Severity, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: CheckReport, out: TextIO) -> None:
    index = {rule.code: number for number, rule in enumerate(ALL_RULES)}
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nixls-assist",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rule) for rule in ALL_RULES],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}},
                "columnKind": "utf16CodeUnits",
                "results": [
                    _result(result, finding, index.get(finding.code))
                    for result, finding in report.all_findings()
                ],
            }
        ],
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _rule(rule: Rule) -> dict[str, Any]:
    head, _ = sections(rule)
    text = rule.documentation or rule.summary
    item: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": head or rule.summary},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fix": rule.fix.value, "tags": [rule.name]},
    }
    if uri := help_uri(rule):
        item["helpUri"] = uri
    return item


def _result(result: FileResult, finding: Finding, rule_index: int | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(result.display_path),
            "region": _region(result, finding.span),
        }}],
    }
    if rule_index is not None:
        item["ruleIndex"] = rule_index
    if finding.related:
        item["relatedLocations"] = [
            {"id": number, "message": {"text": message}, "physicalLocation": {
                "artifactLocation": _artifact(result.display_path),
                "region": _region(result, span)}}
            for number, (span, message) in enumerate(finding.related)
        ]
    properties: dict[str, Any] = {key: value for key, value in
                                  (("option", finding.option), ("release", finding.release))
                                  if value}
    if (membership := result.context.membership) is not None:
        properties["configurations"] = list(membership.configurations)
    if properties:
        item["properties"] = properties
    if finding.fixes:
        item["fixes"] = [
            {"description": {"text": f"{fix.title} ({fix.applicability.value})"},
             "artifactChanges": _changes(result, fix.edits)}
            for fix in finding.fixes if fix.edits
        ]
    return item


def _changes(result: FileResult, edits: tuple[Edit, ...]) -> list[dict[str, Any]]:
    by_file: dict[str | None, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    changes = []
    for file, group in by_file.items():
        location = _artifact(result.display_path if file is None else _relative(file))
        replacements = [
            {
                # Other files' spans are bytes of a document not loaded here.
                "deletedRegion": _region(result, edit.span) if file is None else
                {"byteOffset": edit.span.start, "byteLength": edit.span.end - edit.span.start},
                "insertedContent": {"text": edit.new_text},
            }
            for edit in group
        ]
        changes.append({"artifactLocation": location, "replacements": replacements})
    return changes


def _region(result: FileResult, span: Span) -> dict[str, int]:
    start = result.position(span.start)
    end = result.position(span.end)
    return {"startLine": start[0] + 1, "startColumn": start[1] + 1,
            "endLine": end[0] + 1, "endColumn": end[1] + 1}


def _artifact(display: str) -> dict[str, str]:
    if display.startswith("/"):
        return {"uri": Path(display).as_uri()}
    return {"uri": quote(display), "uriBaseId": SRCROOT}


def _relative(file: str) -> str:
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix()
    return relative_to_root(path, Path.cwd(), resolve=True)
