"""`check --fix` / `--diff`: safe fixes applied atomically, to a fixpoint, never breaking syntax."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from nixls_assist.analysis.fixes import fix_document
from nixls_assist.findings import Edit, Finding, Fix, Severity, Span
from nixls_assist.rules import ALL_RULES
from nixls_assist.rules.base import FixAvailability
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.errors import first_syntax_error
from tests.conftest import REPO, run_cli

PROJECT = Path(__file__).parent / "fixtures" / "project"
RULE_FIXTURES = REPO / "tests" / "rules" / "fixtures"
FIXABLE = [rule.code for rule in ALL_RULES if rule.fix is not FixAvailability.NONE]


def _copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target)
    return target


def test_fix_rewrites_in_place_keeping_mode(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    config = project / "hosts" / "atlas" / "configuration.nix"
    os.chmod(config, 0o640)
    before = config.read_text()
    diff = run_cli("check", "--diff", cwd=project)
    assert diff.returncode == 1
    assert "nixls-assist: 3 fix(es) would change 2 file(s)" in diff.stderr
    assert config.read_text() == before  # --diff writes nothing

    result = run_cli("check", "--fix", "--format", "json", cwd=project)
    document = json.loads(result.stdout)
    assert document["fixed"] == [
        {"file": "hosts/atlas/configuration.nix", "count": 2, "codes": {"NXA101": 2}},
        {"file": "hosts/legacy/configuration.nix", "count": 1, "codes": {"NXA101": 1}},
    ]
    assert "fixed 2 finding(s) in hosts/atlas/configuration.nix (NXA101 ×2)" in result.stderr
    after = config.read_text()
    assert "hardware.graphics.enable = true;" in after
    assert "hardware.graphics.enable32Bit = true;" in after
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert [p.name for p in config.parent.iterdir() if p.name.endswith(".tmp")] == []
    # What is left is reported; the exit code is about what is left.
    assert sorted(f["code"] for f in document["findings"]) == ["NXA001", "NXA002"]
    assert result.returncode == 1
    # The --diff shown before is exactly what --fix did.
    diff_lines = diff.stdout.splitlines()
    assert "-  hardware.opengl.enable = true;" in diff_lines
    assert "+  hardware.graphics.enable = true;" in diff_lines
    assert "+++ b/hosts/atlas/configuration.nix" in diff_lines
    # A second run has nothing left to fix.
    again = run_cli("check", "--fix", cwd=project)
    assert "fixed" not in again.stdout
    assert config.read_text() == after


def test_fix_leaves_an_unparsable_file_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nix"
    source = "{\n  # nixls-assist: ignore NXA002\n  a = 1\n}\n"
    broken.write_text(source)
    result = run_cli("check", "--fix", "--select", "NXA0", "broken.nix", cwd=tmp_path)
    assert broken.read_text() == source
    assert "NXA001" in result.stdout


def test_fix_removes_unused_suppressions(tmp_path: Path) -> None:
    path = tmp_path / "host.nix"
    path.write_text(
        "{\n"
        "  # nixls-assist: ignore NXA002\n"
        "  a = 1;\n"
        "  b = 2; # nixls-assist: ignore NXA999, NXA002\n"
        "  b = 3; # nixls-assist: ignore NXA002, NXA999\n"
        "}\n"
    )
    result = run_cli("check", "--fix", "--select", "NXA0", "--fail-on", "info", "host.nix",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert path.read_text() == (
        "{\n"
        "  a = 1;\n"
        "  b = 2;\n"
        "  b = 3; # nixls-assist: ignore NXA002\n"
        "}\n"
    )


def test_fix_refuses_an_edit_that_breaks_the_syntax() -> None:
    """The engine never produces such a fix today; the guard is tested with hand-made ones."""
    doc = parse(b"{ a = 1; b = 2; }\n")
    breaking = Fix("break it", (Edit(Span(4, 5), "= ="),))
    fine = Fix("rename b", (Edit(Span(9, 10), "c"),))
    findings = [
        Finding("NXA999", Severity.WARNING, Span(2, 3), "a", fixes=(breaking,)),
        Finding("NXA998", Severity.WARNING, Span(9, 10), "b", fixes=(fine,)),
    ]

    def recheck(source: bytes):  # type: ignore[no-untyped-def]
        new = parse(source)
        still = [f for f in findings if f.code == "NXA999"]  # the breaking fix stays offered
        return new, still

    outcome = fix_document(doc, findings, recheck)
    assert outcome.doc.source == b"{ a = 1; c = 2; }\n"
    assert outcome.applied == {"NXA998": 1}
    assert outcome.refused == ["line 1: NXA999 fix 'break it' not applied: "
                               "the result would not parse"]


def _fixture_cases(code: str) -> list[Path]:
    folder = RULE_FIXTURES / code
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix == ".nix" or (p.is_dir() and not p.name.startswith(".")))


def _release_of(case: Path) -> str | None:
    if case.is_dir():
        return None  # a workspace with its own flake.lock
    match = re.search(r"release=(\S+)", case.read_text(encoding="utf-8").split("\n", 1)[0])
    return match[1] if match else None


@pytest.mark.parametrize("code", FIXABLE)
def test_fix_round_trips_on_every_fixable_code(code: str, tmp_path: Path) -> None:
    """For every fixture of the code: --diff shows the change, --fix makes it, the result
    parses, none of the code's safe fixes is left, and a second --fix changes nothing."""
    cases = _fixture_cases(code)
    if not cases:
        pytest.skip(f"no rule fixtures for {code} yet")
    exercised = 0
    for case in cases:
        work = tmp_path / case.name
        if case.is_dir():
            shutil.copytree(case, work)
            target, cwd = ".", work
        else:
            work.mkdir()
            shutil.copy(case, work / case.name)
            target, cwd = case.name, work
        (cwd / ".git").mkdir(exist_ok=True)  # stop config and lock discovery here
        args = ["check", "--select", code, "--format", "json"]
        if (release := _release_of(case)) is not None:
            args += ["--release", release]
        before = {p: p.read_bytes() for p in cwd.rglob("*.nix")}
        findings = json.loads(run_cli(*args, target, cwd=cwd).stdout)["findings"]
        safe = [f for f in findings if any(x["applicability"] == "safe" for x in f["fixes"])]
        if not safe:
            continue
        exercised += 1
        diff = run_cli(*args, "--diff", target, cwd=cwd)
        assert diff.returncode == 1, (case.name, diff.stderr)
        assert {p: p.read_bytes() for p in cwd.rglob("*.nix")} == before
        fixed = run_cli(*args, "--fix", target, cwd=cwd)
        assert "Traceback" not in fixed.stderr
        left = json.loads(fixed.stdout)
        assert sum(r["count"] for r in left["fixed"]) >= 1, case.name
        for finding in left["findings"]:
            assert not any(x["applicability"] == "safe" for x in finding["fixes"]), \
                (case.name, finding)
        for path in cwd.rglob("*.nix"):
            if first_syntax_error(parse(before[path])) is None:
                assert first_syntax_error(parse(path.read_bytes())) is None, path
        after = {p: p.read_bytes() for p in cwd.rglob("*.nix")}
        assert after != before
        second = run_cli(*args, "--fix", target, cwd=cwd)
        assert json.loads(second.stdout)["fixed"] == []
        assert {p: p.read_bytes() for p in cwd.rglob("*.nix")} == after
    if exercised == 0:
        pytest.skip(f"no fixture of {code} has a safe fix the CLI can apply")
