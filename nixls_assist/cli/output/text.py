"""Human-readable output: `file:line:col: severity CODE message`, grouped per file."""

from __future__ import annotations

from typing import TextIO

from nixls_assist.analysis import CheckReport
from nixls_assist.findings import Severity


def render_text(report: CheckReport, out: TextIO, *, verbose: bool = False) -> None:
    for result in sorted(report.files, key=lambda r: r.display_path):
        if not result.findings and not verbose:
            continue
        kind = result.context.kind.value
        membership = result.context.membership
        where = membership.summary() if membership is not None and (
            membership.configurations or result.context.kind.is_module) else None
        used = f"; {where}" if where is not None else ""
        out.write(f"{result.display_path} ({kind}{used}; checked against "
                  f"{result.release_label})\n")
        if verbose:
            out.write(f"  kind: {result.context.classification.reason}\n")
        for finding in result.findings:
            line, column = result.position(finding.span.start)
            out.write(
                f"  {result.display_path}:{line + 1}:{column + 1}: "
                f"{finding.severity.label} {finding.code} {finding.message}\n"
            )
            for fix in finding.fixes:
                out.write(f"    fix ({fix.applicability.value}): {fix.title}\n")
    counts = {s: 0 for s in Severity}
    for _, finding in report.all_findings():
        counts[finding.severity] += 1
    total = sum(counts.values())
    out.write(
        f"{len(report.files)} file(s) checked in {report.seconds:.2f}s: {total} finding(s) "
        f"({counts[Severity.ERROR]} error, {counts[Severity.WARNING]} warning, "
        f"{counts[Severity.INFO]} info)\n"
    )
