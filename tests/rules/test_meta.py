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
