"""No output format ever shows a secret the checker found (DESIGN.md: "redact").

The fixtures under NXA2xx plant secrets whose values all contain `PLANTED` (plus a WireGuard
key and private key material without it). The CLI runs over them in every output format and
every output is searched for the planted values.
"""

from __future__ import annotations

import json
import re

import pytest

from nixls_assist.cli.check import FORMATS
from tests.conftest import run_cli
from tests.rules.harness import FIXTURES

SECRET_DIRS = sorted(p for p in FIXTURES.iterdir() if p.name.startswith("NXA2"))
# Planted values that do not carry the marker.
UNMARKED = ("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW")
MARKER = re.compile(r"[A-Za-z0-9_+/=!$.-]*PLANTED[A-Za-z0-9_+/=!$.-]*")


def _planted() -> set[str]:
    values = set(UNMARKED)
    for directory in SECRET_DIRS:
        for path in directory.glob("*.nix"):
            values.update(MARKER.findall(path.read_text()))
    return values


def _check(fmt: str) -> str:
    result = run_cli("check", "--format", fmt, "--select", "NXA2", "--fail-on", "never",
                     "--verbose", *(str(d.relative_to(FIXTURES.parents[2])) for d in SECRET_DIRS))
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_a_planted_secret(fmt: str) -> None:
    output = _check(fmt)
    assert "NXA201" in output and "NXA202" in output  # the secrets were found...
    leaked = sorted(v for v in _planted() if v in output)
    assert leaked == []  # ...and none is shown
    assert "PLANTED" not in output
    assert "(redacted)" in output


def test_planted_values_are_found_in_the_fixtures() -> None:
    planted = _planted()
    assert len(planted) >= 30
    assert any(v.startswith("ghp_PLANTED") for v in planted)


def test_json_findings_and_fixes_carry_no_secret() -> None:
    report = json.loads(_check("json"))
    findings = report["findings"]
    assert sum(f["code"] == "NXA201" for f in findings) >= 20
    text = json.dumps(findings)
    assert not any(v in text for v in _planted())
