"""Bad input never silences a run: an unreadable file, a broken `flake.lock`, an unknown
`--release`, `--fix --diff`. `check` runs in a subprocess, as in CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

HOST = """{ pkgs, ... }:
{
  networking.hostName = "atlas";
  hardware.opengl.enable = true;
  environment.systemPackages = [ pkgs.git ];
}
"""

FLAKE = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.atlas = nixpkgs.lib.nixosSystem {
      modules = [ ./hosts/atlas/configuration.nix ];
    };
  };
}
"""

LOCK = {
    "nodes": {
        "nixpkgs": {
            "locked": {
                "lastModified": 1735000000,
                "narHash": "sha256-" + "A" * 43 + "=",
                "owner": "NixOS",
                "repo": "nixpkgs",
                "rev": "0" * 40,
                "type": "github",
            },
            "original": {
                "owner": "NixOS",
                "ref": "nixos-24.11",
                "repo": "nixpkgs",
                "type": "github",
            },
        },
        "root": {"inputs": {"nixpkgs": "nixpkgs"}},
    },
    "root": "root",
    "version": 7,
}


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr


def _tree_with_broken_links(tmp_path: Path) -> Path:
    (tmp_path / "hosts").mkdir()
    (tmp_path / "hosts" / "atlas.nix").write_text(HOST)
    (tmp_path / "hosts" / "gone.nix").symlink_to("removed-host.nix")
    (tmp_path / "hosts" / "loop.nix").symlink_to("loop.nix")
    (tmp_path / "hosts" / "ping.nix").symlink_to("pong.nix")
    (tmp_path / "hosts" / "pong.nix").symlink_to("ping.nix")
    # A .gitignore makes discovery look at each path (it once resolved the link and crashed).
    (tmp_path / ".gitignore").write_text("result\n")
    return tmp_path


def test_unreadable_files_are_one_finding_each_in_json(tmp_path: Path) -> None:
    root = _tree_with_broken_links(tmp_path)
    result = run_cli("check", "--no-cache", "--release", "24.11", "--format", "json", ".", cwd=root)
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    unread = {f["file"]: f["message"] for f in report["findings"] if f["code"] == "NXA003"}
    assert set(unread) == {"hosts/gone.nix", "hosts/loop.nix", "hosts/ping.nix", "hosts/pong.nix"}
    assert "dangling symbolic link to `removed-host.nix`" in unread["hosts/gone.nix"]
    assert "symbolic link loop" in unread["hosts/loop.nix"]
    assert "symbolic link loop" in unread["hosts/ping.nix"]
    assert all(f["severity"] == "warning" for f in report["findings"] if f["code"] == "NXA003")
    # The readable file is still checked, with every rule.
    atlas = [f["code"] for f in report["findings"] if f["file"] == "hosts/atlas.nix"]
    assert "NXA101" in atlas
    assert report["summary"]["files"] == 5


@pytest.mark.parametrize("fmt", ["text", "sarif", "github"])
def test_unreadable_files_in_every_format(tmp_path: Path, fmt: str) -> None:
    root = _tree_with_broken_links(tmp_path)
    result = run_cli("check", "--no-cache", "--release", "24.11", "--format", fmt, ".", cwd=root)
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        where = {
            (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results
        }
        assert ("NXA003", "hosts/gone.nix") in where
        assert ("NXA003", "hosts/loop.nix") in where
        assert ("NXA101", "hosts/atlas.nix") in where
    elif fmt == "github":
        assert "::warning file=hosts/gone.nix,line=1,col=1" in out
        assert "title=NXA101 renamed-option" in out
    else:
        assert "hosts/gone.nix:1:1: warning NXA003 cannot read the file: dangling" in out
        assert "hosts/atlas.nix:4:3: warning NXA101" in out
        assert "5 file(s) checked" in out


def test_named_dangling_symlink_is_a_finding_a_missing_path_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "gone.nix").symlink_to(tmp_path / "missing-target.nix")
    (tmp_path / "host.nix").write_text(HOST)
    result = run_cli(
        "check", "--no-cache", "--format", "json", "gone.nix", "host.nix", cwd=tmp_path
    )
    _no_traceback(result)
    assert result.returncode == 1
    codes = {(f["file"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert ("gone.nix", "NXA003") in codes
    assert ("host.nix", "NXA100") in codes
    missing = run_cli("check", "no-such-host.nix", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no-such-host.nix: no such file or directory" in missing.stderr


def _flake(tmp_path: Path, lock_text: str) -> Path:
    (tmp_path / "flake.nix").write_text(FLAKE)
    (tmp_path / "flake.lock").write_text(lock_text)
    (tmp_path / "hosts" / "atlas").mkdir(parents=True)
    (tmp_path / "hosts" / "atlas" / "configuration.nix").write_text(HOST)
    return tmp_path


def test_truncated_lock_is_a_warning_naming_the_file_and_the_error(tmp_path: Path) -> None:
    text = json.dumps(LOCK, indent=2)
    root = _flake(tmp_path, text[: len(text) // 2])  # cut off mid-way, as a bad merge does
    result = run_cli("check", "--no-cache", "--format", "json", ".", cwd=root)
    _no_traceback(result)
    assert result.returncode == 1, "a broken lock must fail CI with the default --fail-on"
    report = json.loads(result.stdout)
    lock = [f for f in report["findings"] if f["code"] == "NXA502"]
    assert len(lock) == 1 and lock[0]["file"] == "flake.nix"
    assert lock[0]["severity"] == "warning"
    assert lock[0]["message"].startswith("`flake.lock` is not valid JSON (")
    assert "line " in lock[0]["message"]  # the JSON error says where
    pin = [
        f
        for f in report["findings"]
        if f["code"] == "NXA100" and f["file"] == "hosts/atlas/configuration.nix"
    ]
    assert len(pin) == 1
    assert "`../../flake.lock` is not valid JSON" in pin[0]["message"]
    assert "no flake.lock" not in pin[0]["message"]
    # The file is checked against no release *because of* the lock.
    text_out = run_cli("check", "--no-cache", "hosts", cwd=root).stdout
    assert "checked against release unknown: `../../flake.lock` is not valid JSON" in text_out


def test_lock_of_unknown_version_is_a_warning(tmp_path: Path) -> None:
    root = _flake(tmp_path, json.dumps({**LOCK, "version": 9}))
    result = run_cli("check", "--no-cache", "--format", "json", "flake.nix", cwd=root)
    _no_traceback(result)
    lock = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "NXA502"]
    assert [f["severity"] for f in lock] == ["warning"]
    assert "has version 9, which this tool cannot read" in lock[0]["message"]


def test_valid_lock_pins_the_release(tmp_path: Path) -> None:
    root = _flake(tmp_path, json.dumps(LOCK))
    result = run_cli("check", "--no-cache", "--format", "json", ".", cwd=root)
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "NXA502" not in codes and "NXA100" not in codes
    assert "NXA101" in codes


@pytest.mark.parametrize("release", ["99.99", "24.12", "40.05", "banana"])
def test_unknown_release_exits_2_naming_the_allowed_forms(tmp_path: Path, release: str) -> None:
    (tmp_path / "host.nix").write_text(HOST)
    result = run_cli("check", "--release", release, "host.nix", cwd=tmp_path)
    assert result.returncode == 2
    assert f"--release '{release}'" in result.stderr
    for form in ("`YY.05` / `YY.11`", "`nixos-24.11`", "`unstable`"):
        assert form in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize("release", ["24.11", "nixos-25.05", "release-23.11", "20.09", "unstable"])
def test_real_releases_are_accepted(tmp_path: Path, release: str) -> None:
    (tmp_path / "host.nix").write_text(HOST)
    result = run_cli(
        "check", "--no-cache", "--fail-on", "never", "--release", release, "host.nix", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


def test_fix_with_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    host = tmp_path / "host.nix"
    host.write_text(HOST)
    result = run_cli("check", "--release", "24.11", "--fix", "--diff", "host.nix", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "-  hardware.opengl.enable = true;" in result.stdout
    assert "+  hardware.graphics.enable = true;" in result.stdout
    assert "1 fix(es) would change 1 file(s)" in result.stderr
    assert host.read_text() == HOST
    # Exactly what --diff alone shows.
    alone = run_cli("check", "--release", "24.11", "--diff", "host.nix", cwd=tmp_path)
    assert alone.stdout == result.stdout
