"""`check --today` and `[lock-age]`: the lifecycle rules judge by the date the front-end gives."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

FLAKE = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  outputs = { nixpkgs, ... }: { };
}
"""
# nixos-25.05 locked 2025-06-01 (lastModified 1748779200)
LOCK = {
    "nodes": {
        "nixpkgs": {
            "locked": {"lastModified": 1748779200, "narHash": "sha256-x", "owner": "NixOS",
                       "repo": "nixpkgs", "rev": "a" * 40, "type": "github"},
            "original": {"owner": "NixOS", "ref": "nixos-25.05", "repo": "nixpkgs",
                         "type": "github"},
        },
        "root": {"inputs": {"nixpkgs": "nixpkgs"}},
    },
    "root": "root",
    "version": 7,
}


def _repo(root: Path, toml: str | None = None) -> Path:
    (root / ".git").mkdir()
    (root / "flake.nix").write_text(FLAKE)
    (root / "flake.lock").write_text(json.dumps(LOCK))
    if toml is not None:
        (root / ".nixls-assist.toml").write_text(toml)
    return root


def _findings(root: Path, *args: str) -> list[tuple[str, str, str]]:
    result = run_cli("check", "--format", "json", "--no-cache", "--select", "NXA6", *args,
                     cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [(f["code"], f["severity"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_today_decides_end_of_life_and_lock_age(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    # 2025-08-01: 25.05 supported, the lock 61 days old: nothing
    assert _findings(root, "--today", "2025-08-01") == []
    # 2025-10-01: still supported, 122 days old: an info
    assert [(c, s) for c, s, _ in _findings(root, "--today", "2025-10-01")] == [
        ("NXA602", "info")]
    # 2026-12-04: 25.05 ended on 2025-12-31: NXA601 says so, NXA602 stays quiet
    found = _findings(root, "--today", "2026-12-04")
    assert [(c, s) for c, s, _ in found] == [("NXA601", "warning")]
    assert "2025-12-31" in found[0][2]


def test_lock_age_is_configurable(tmp_path: Path) -> None:
    root = _repo(tmp_path, "[lock-age]\ninfo-days = 30\nwarning-days = 60\n")
    assert [(c, s) for c, s, _ in _findings(root, "--today", "2025-08-01")] == [
        ("NXA602", "warning")]


def test_bad_today_and_bad_lock_age_exit_2(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = run_cli("check", "--today", "yesterday", cwd=root)
    assert result.returncode == 2
    assert "--today 'yesterday'" in result.stderr
    (root / ".nixls-assist.toml").write_text("[lock-age]\ninfo-days = 0\n")
    result = run_cli("check", cwd=root)
    assert result.returncode == 2
    assert "lock-age.info-days" in result.stderr
