"""`--statistics`: how many findings of each code, and how many `--fix` could fix."""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from nixls_assist.analysis import RULES_BY_CODE, CheckReport, safe_fix


def statistics(report: CheckReport) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    for _, finding in report.all_findings():
        counts[finding.code] += 1
        if safe_fix(finding) is not None:
            fixable[finding.code] += 1
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = RULES_BY_CODE.get(code)
        rows.append({"code": code, "name": rule.name if rule else "", "count": count,
                     "fixable": fixable[code]})
    return rows


def render_statistics(report: CheckReport, out: TextIO) -> None:
    rows = statistics(report)
    if not rows:
        out.write("no findings\n")
        return
    width = max(len(str(row["count"])) for row in rows)
    for row in rows:
        fixable = f"  ({row['fixable']} fixable)" if row["fixable"] else ""
        out.write(f"{row['count']:>{width}}  {row['code']}  {row['name']}{fixable}\n")
