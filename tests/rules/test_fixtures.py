"""Every rule fixture: findings match the snapshot, and safe fixes fix without breaking."""

from __future__ import annotations

from pathlib import Path

import pytest

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
