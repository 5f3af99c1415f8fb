"""Precision of the option rules: realistic valid configurations produce no NXA101–104.

The corpus (tests/corpus/valid) holds 50 real-world-shaped files — multi-host flakes,
home-manager as a NixOS module and standalone, nix-darwin, flake-parts, modules that
declare their own options, packages, overlays — written against nixos-24.11.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli

CORPUS = REPO / "tests" / "corpus" / "valid"


def _findings(release: str, select: str) -> list[dict]:
    result = run_cli("check", str(CORPUS), "--release", release, "--select", select,
                     "--format", "json", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["findings"]


def test_corpus_is_large_enough() -> None:
    assert len(list(CORPUS.glob("*.nix"))) >= 25


def test_no_option_findings_for_the_release_it_was_written_for() -> None:
    findings = _findings("24.11", "NXA101,NXA102,NXA103,NXA104")
    assert [(f["file"], f["code"], f["message"]) for f in findings] == []


@pytest.mark.parametrize("release", ["23.11", "24.05", "25.05", "25.11", "26.05"])
def test_no_unknown_option_alarms_in_any_release(release: str) -> None:
    """Renames and additions are real drift in other releases; "unknown" never is here."""
    assert [(f["file"], f["message"]) for f in _findings(release, "NXA104")] == []
