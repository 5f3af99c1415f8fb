"""The layers hold (import-linter contracts in pyproject.toml) and ruff is clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([os.path.dirname(sys.executable),
                                                     os.environ.get("PATH", "")]))
    if found is None:
        pytest.fail(f"`{name}` is not installed: pip install -e '.[test]'")
    return found


def test_import_contracts_hold() -> None:
    result = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
