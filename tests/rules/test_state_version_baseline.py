"""NXA301 against a real git repository (CLI) and against the text on disk (editor)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nixls_assist.context.git import committed_baseline
from tests.conftest import run_cli

CONFIG = """{ config, lib, pkgs, ... }:
{
  services.postgresql.enable = true;
  system.stateVersion = %s;
  containers.web.config = { ... }: { system.stateVersion = "23.05"; };
}
"""

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


def _repo(tmp_path: Path, committed: str, current: str) -> Path:
    _git(tmp_path, "init", "-q")
    config = tmp_path / "configuration.nix"
    config.write_text(CONFIG % committed)
    _git(tmp_path, "add", "configuration.nix")
    _git(tmp_path, "commit", "-q", "-m", "install")
    config.write_text(CONFIG % current)
    return config


@needs_git
def test_cli_reports_a_changed_state_version(tmp_path: Path) -> None:
    _repo(tmp_path, '"23.11"', '"24.11"')
    result = run_cli("check", "--format", "json", "--select", "NXA301", "--release", "24.11",
                     "configuration.nix", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert [f["code"] for f in findings] == ["NXA301"], result.stderr
    assert findings[0]["option"] == "system.stateVersion"
    assert "changed from `23.11` (HEAD) to `24.11`" in findings[0]["message"]
    assert "change the nixpkgs input instead" in findings[0]["message"]
    assert findings[0]["fixes"][0]["edits"][0]["newText"] == '"23.11"'
    assert result.returncode == 1


@needs_git
def test_unchanged_or_untracked_files_are_quiet(tmp_path: Path) -> None:
    config = _repo(tmp_path, 'lib.mkDefault "23.11"', 'lib.mkForce "23.11"')
    (tmp_path / "new.nix").write_text(CONFIG % '"24.11"')
    result = run_cli("check", "--format", "json", "--select", "NXA301", "--release", "24.11",
                     ".", cwd=tmp_path)
    assert json.loads(result.stdout)["findings"] == [], result.stderr
    assert committed_baseline(config, config.read_bytes()) is not None
    assert committed_baseline(tmp_path / "new.nix", b"stateVersion") is None


def test_outside_git_there_is_no_baseline(tmp_path: Path) -> None:
    config = tmp_path / "configuration.nix"
    config.write_text(CONFIG % '"24.11"')
    assert committed_baseline(config, config.read_bytes()) is None
    assert committed_baseline(config, b"{ }") is None  # no stateVersion: git is not even asked


# The editor's baseline (the text on disk when the file was opened) is tested through the
# workspace that computes it: tests/analysis/test_workspace.py.
