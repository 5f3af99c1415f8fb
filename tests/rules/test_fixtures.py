"""Every rule fixture: findings match the snapshot, and safe fixes fix without breaking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nixls_assist.findings import Applicability, Edit, Fix, Span
from nixls_assist.rules import RULES_BY_CODE
from nixls_assist.rules.base import FixAvailability
from tests.rules.harness import FIXTURES, check_case, fixture_cases, render, verify_safe_fixes

CASES = fixture_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture(case: Path, request: pytest.FixtureRequest) -> None:
    code = case.parent.name
    checked = check_case(case, code)
    base = case.parent if case.is_file() else case
    actual = render(checked, base)
    snapshot = case.with_name(case.name + ".snap")
    if request.config.getoption("--snapshot-update") or not snapshot.exists():
        snapshot.write_text(actual, encoding="utf-8")
        if not request.config.getoption("--snapshot-update"):
            pytest.fail(f"new snapshot written: {snapshot.name}; read it, then re-run")
    assert actual == snapshot.read_text(encoding="utf-8")
    for item in checked:
        assert verify_safe_fixes(item, code) == []


def test_a_safe_fix_that_leaves_its_finding_is_caught() -> None:
    """The harness knows a finding by code and message, so it checks every code's safe
    fixes, not only findings about an option."""
    [item] = check_case(FIXTURES / "NXA005" / "basic.nix", "NXA005")
    end = len(item.doc.source)
    idle = Fix("Do nothing useful", (Edit(Span(end, end), "\n"),), Applicability.SAFE)
    item.findings = [replace(item.findings[0], fixes=(idle,))]
    assert verify_safe_fixes(item, "NXA005") == [
        "basic.nix: NXA005 survives its fix 'Do nothing useful'"]


def test_each_rules_fix_availability_is_what_its_fixtures_show() -> None:
    """`Rule.fix` is the rule's word on its fixes (`explain`, SARIF): NONE never carries an
    edit, ALWAYS always does, SOMETIMES does in at least one fixture."""
    findings: dict[str, list[bool]] = {}
    for case in CASES:
        for item in check_case(case, case.parent.name):
            for finding in item.findings:
                fixable = any(fix.edits for fix in finding.fixes)
                findings.setdefault(finding.code, []).append(fixable)
    wrong = []
    for code, fixable in sorted(findings.items()):
        declared = RULES_BY_CODE[code].fix
        if (declared is FixAvailability.NONE and any(fixable)) \
                or (declared is FixAvailability.ALWAYS and not all(fixable)) \
                or (declared is FixAvailability.SOMETIMES and not any(fixable)):
            wrong.append(f"{code}: declared {declared.value}, "
                         f"{sum(fixable)} of {len(fixable)} fixture findings carry a fix")
    assert wrong == []
