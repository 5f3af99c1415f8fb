"""Every rule is registered once, documented in full, has fixtures, and is explained."""

from __future__ import annotations

import re

import pytest

from nixls_assist.cli.explain import markdown_page, sections
from nixls_assist.rules import ALL_RULES
from nixls_assist.rules.base import Rule
from tests.conftest import REPO, run_cli
from tests.rules.harness import FIXTURES

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix safety", "References")


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"NXA\d{3}", code) for code in codes)
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.function is not None, f"{rule.code} has no check function"
    head, parts = sections(rule)
    assert head, f"{rule.code}: the docstring needs a one-line summary"
    missing = [title for title in REQUIRED_SECTIONS if title not in parts]
    assert not missing, f"{rule.code} lacks docstring sections {missing}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_has_fixtures(rule: Rule) -> None:
    directory = FIXTURES / rule.code
    assert directory.is_dir() and any(directory.iterdir()), f"no fixtures for {rule.code}"


def test_docs_page_is_generated_from_the_rules() -> None:
    page = (REPO / "docs" / "codes.md").read_text(encoding="utf-8")
    assert page == markdown_page(), "run `nixls-assist explain --markdown > docs/codes.md`"


def test_explain_prints_every_section() -> None:
    result = run_cli("explain", "NXA101")
    assert result.returncode == 0
    for title in REQUIRED_SECTIONS:
        assert f"## {title}" in result.stdout


def _readme_code_rows() -> dict[str, tuple[str, str]]:
    """README's code table: code -> (default severity column, meaning)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return {m["code"]: (m["default"], m["meaning"]) for m in re.finditer(
        r"^\| (?P<code>NXA\d{3}) \| (?P<default>[^|]+) \| (?P<meaning>.+) \|$", readme,
        re.MULTILINE)}


def test_readme_code_table_lists_every_code_with_its_severity() -> None:
    rows = _readme_code_rows()
    assert sorted(rows) == sorted(rule.code for rule in ALL_RULES)
    for rule in ALL_RULES:
        # "error/warning" (NXA102): the rule's default comes first
        assert rows[rule.code][0].split("/")[0] == rule.severity.label, rule.code


@pytest.mark.parametrize("code", ["NXA003", "NXA502"])
def test_second_severity_is_documented_everywhere(code: str) -> None:
    """NXA003 (info for a file analysed despite invalid UTF-8) and NXA502 (warning for an
    unusable lock) also report another severity than their default: README, the rule's
    summary (docs/codes.md, `explain`) and its docstring all say which."""
    rule = next(r for r in ALL_RULES if r.code == code)
    other = "info" if rule.severity.label == "warning" else "warning"
    assert f"({rule.severity.label})" in rule.summary and f"({other})" in rule.summary
    assert f"an {other}" in _readme_code_rows()[code][1] \
        or f"a {other}" in _readme_code_rows()[code][1]
    documentation = " ".join(rule.documentation.split())
    assert f"an {other}" in documentation or f"a {other}" in documentation
    explained = run_cli("explain", code).stdout
    assert f"{code} {rule.name} [{rule.severity.label}]" in explained
    assert f"({other})" in explained


def test_readme_lists_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^- `nixls-assist (\w+)", readme, re.MULTILINE))
    help_text = run_cli("--help").stdout
    commands = set(re.search(r"\{([a-z,]+)\}", help_text)[1].split(","))  # type: ignore[index]
    assert listed == commands
