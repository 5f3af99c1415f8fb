"""Replay every input that once crashed (tests/fuzz/regressions/, see its README)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from nixls_assist.context import FileKind
from nixls_assist.context.config import load_config
from nixls_assist.context.flake_lock import LockError, parse_flake_lock
from nixls_assist.errors import ConfigError
from nixls_assist.syntax.document import TextChange
from option_index.errors import InvalidOptionsFile
from option_index.sources.importer import parse_options_bytes
from tests.fuzz.invariants import RELEASES, check_incremental, check_source
from tests.fuzz.test_data_fuzz import FLAKE_NIX, exercise_lock

REGRESSIONS = Path(__file__).parent / "regressions"


def _cases(folder: str, suffix: str) -> list[Path]:
    return sorted((REGRESSIONS / folder).glob(f"*{suffix}"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


NIX = _cases("nix", ".nix")
LOCKS = _cases("flake-lock", ".json")
OPTIONS = _cases("options", ".json")
CONFIGS = _cases("config", ".toml")
INCREMENTAL = _cases("incremental", ".json")


def test_there_are_regressions() -> None:
    assert LOCKS, "the regression inputs are missing"


@pytest.mark.parametrize("case", NIX, ids=_ids(NIX))
@pytest.mark.parametrize("kind", list(FileKind), ids=lambda k: k.value)
def test_nix_regression(case: Path, kind: FileKind) -> None:
    for release in RELEASES:
        check_source(case.read_bytes(), kind, release)


@pytest.mark.parametrize("case", LOCKS, ids=_ids(LOCKS))
def test_flake_lock_regression(case: Path) -> None:
    try:
        lock = parse_flake_lock(json.loads(case.read_bytes()), case)
    except LockError:
        return
    exercise_lock(lock, [["nixpkgs"], ["home-manager", "nixpkgs"], ["home-manager"]])
    check_source(FLAKE_NIX, FileKind.FLAKE, "24.11", lock=lock)


@pytest.mark.parametrize("case", OPTIONS, ids=_ids(OPTIONS))
def test_options_regression(case: Path) -> None:
    with contextlib.suppress(InvalidOptionsFile):
        parse_options_bytes(case.read_bytes(), case.name)


@pytest.mark.parametrize("case", CONFIGS, ids=_ids(CONFIGS))
def test_config_regression(case: Path) -> None:
    with contextlib.suppress(ConfigError):
        load_config(case)


@pytest.mark.parametrize("case", INCREMENTAL, ids=_ids(INCREMENTAL))
def test_incremental_regression(case: Path) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    check_incremental(spec["source"].encode(), [TextChange(*c) for c in spec["changes"]])
