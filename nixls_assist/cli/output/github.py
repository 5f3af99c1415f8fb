"""`--format github`: workflow commands that GitHub Actions shows as annotations on the diff."""

from __future__ import annotations

from typing import TextIO

from nixls_assist.analysis import RULES_BY_CODE, CheckReport
from nixls_assist.findings import Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: CheckReport, out: TextIO) -> None:
    pairs = report.all_findings()
    for result, finding in pairs:
        line, column = result.position(finding.span.start)
        end_line, end_column = result.position(finding.span.end)
        rule = RULES_BY_CODE.get(finding.code)
        title = f"{finding.code} {rule.name}" if rule else finding.code
        properties = [
            ("file", result.display_path),
            ("line", str(line + 1)),
            ("col", str(column + 1)),
            ("endLine", str(end_line + 1)),
        ]
        if end_line == line:  # GitHub ignores endColumn on multi-line annotations
            properties.append(("endColumn", str(end_column + 1)))
        properties.append(("title", title))
        props = ",".join(f"{key}={_property(value)}" for key, value in properties)
        out.write(f"::{COMMANDS[finding.severity]} {props}::{_data(finding.message)}\n")
    out.write(f"nixls-assist: {len(report.files)} file(s) checked, {len(pairs)} finding(s)\n")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
