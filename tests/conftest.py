"""Shared test helpers: where the repo and the shared data live, and running the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NIXLS_SHARED_DIR", REPO.parent / "shared"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot-update", action="store_true",
                     help="rewrite rule snapshots (.snap) from the current output")
    parser.addoption("--fuzz-long", action="store_true",
                     help="tests/fuzz: the long random budget (also NIXLS_FUZZ_LONG=N)")


@pytest.fixture
def shared_data() -> Path:
    """`../shared/data`, or skip: tests may read it, the product never needs it."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is not available on this machine")
    return data


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m nixls_assist …` in a subprocess, as a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "nixls_assist", *args],
        cwd=cwd or REPO,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )
