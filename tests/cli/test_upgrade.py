"""`nixls-assist upgrade --to RELEASE` in a subprocess, on fixture fleets pinned to 23.11,
24.05 and 24.11 (each in a git repository in tmp): the report, the batch fix, the re-check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.upgrade_fleets import FLEETS
from tests.conftest import run_cli

NEXT = {"23.11": "24.05", "24.05": "24.11", "24.11": "25.05"}


def _fleet(tmp_path: Path, release: str) -> Path:
    root = tmp_path / f"fleet-{release}"
    for rel, text in FLEETS[release].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "fleet"], cwd=root, check=True)
    return root


def _summary(data: dict) -> list[tuple[str, int, str, str, str | None, bool]]:
    return [(c["file"], c["range"]["start"]["line"] + 1, c["code"], c["kind"], c["replacement"],
             c["fix"] is not None) for c in data["changes"]]


def test_json_report_of_a_fleet_pinned_to_24_05(tmp_path: Path) -> None:
    root = _fleet(tmp_path, "24.05")
    result = run_cli("upgrade", "--to", "24.11", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["version"], data["from"], data["to"]) == (1, "24.05", "24.11")
    assert _summary(data) == [
        ("home/alice.nix", 6, "NXA102", "changed", "programs.kitty.themeFile", False),
        ("hosts/kestrel/configuration.nix", 8, "NXA101", "renamed",
         "hardware.graphics.enable", True),
        ("hosts/kestrel/configuration.nix", 9, "NXA101", "renamed",
         "hardware.graphics.enable32Bit", True),
        ("hosts/kestrel/configuration.nix", 12, "NXA102", "removed", None, False),
        ("hosts/osprey/configuration.nix", 6, "NXA101", "renamed",
         "services.samba.nmbd.enable", True),
        ("modules/common.nix", 3, "NXA101", "renamed", "hardware.graphics.extraPackages", True),
    ]
    by_file = {c["file"]: c for c in data["changes"]}
    assert by_file["home/alice.nix"]["system"] == "home-manager"
    assert by_file["home/alice.nix"]["configurations"] == ["nixosConfigurations.kestrel"]
    assert by_file["modules/common.nix"]["configurations"] == [
        "nixosConfigurations.kestrel", "nixosConfigurations.osprey"]
    assert [(i["name"], i["newUrl"], i["fix"], i["follows"]) for i in data["inputs"]] == [
        ("nixpkgs", "github:NixOS/nixpkgs/nixos-24.11", True, {}),
        ("home-manager", "github:nix-community/home-manager/release-24.11", True,
         {"nixpkgs": "nixpkgs"}),
    ]  # nixos-unstable is not a release branch: left alone
    assert sorted((s["file"], s["value"]) for s in data["stateVersion"]) == [
        ("home/alice.nix", "24.05"), ("hosts/kestrel/configuration.nix", "23.11"),
        ("hosts/osprey/configuration.nix", "24.05")]
    assert data["summary"]["kinds"] == {"changed": 1, "removed": 1, "renamed": 4}


@pytest.mark.parametrize("release", sorted(NEXT))
def test_fix_bumps_and_renames_then_no_nxa101_at_the_target(tmp_path: Path,
                                                            release: str) -> None:
    root = _fleet(tmp_path, release)
    target = NEXT[release]
    before = json.loads(run_cli("upgrade", "--to", target, "--format", "json",
                                cwd=root).stdout)
    assert before["changes"], "each fixture meets something at its next release"
    result = run_cli("upgrade", "--to", target, "--fix", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "fixed" in result.stderr
    flake = (root / "flake.nix").read_text()
    assert f"nixos-{target}" in flake and f"release-{target}" in flake
    assert "nixos-unstable" in flake
    for path in root.rglob("*.nix"):  # every result parses for Nix itself
        parsed = subprocess.run(["nix-instantiate", "--parse", str(path)],
                                capture_output=True, text=True)
        assert parsed.returncode == 0, (path, parsed.stderr)
    check = run_cli("check", "--release", target, "--select", "NXA101", "--format", "json",
                    cwd=root)
    assert json.loads(check.stdout)["findings"] == [], check.stdout
    after = json.loads(run_cli("upgrade", "--to", target, "--format", "json", cwd=root).stdout)
    assert all(c["fix"] is None for c in after["changes"])  # only decisions are left
    diff = subprocess.run(["git", "diff", "--stat"], cwd=root, capture_output=True,
                          text=True).stdout
    assert "flake.lock" not in diff  # the lock is `nix flake update`'s to write


def test_fix_keeps_comments_and_values(tmp_path: Path) -> None:
    root = _fleet(tmp_path, "24.05")
    run_cli("upgrade", "--to", "24.11", "--fix", cwd=root)
    host = (root / "hosts/kestrel/configuration.nix").read_text()
    assert "# The GPU: 32-bit support for Steam.\n  hardware.graphics = {" in host
    assert "enable32Bit = true;" in host
    assert "sound.enable = true;" in host  # a removal is a decision, never auto-applied


def test_markdown_is_a_pull_request_description(tmp_path: Path) -> None:
    root = _fleet(tmp_path, "24.05")
    result = run_cli("upgrade", "--to", "nixos-24.11", "--format", "markdown", cwd=root)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("## Upgrade to NixOS 24.11 (from 24.05)\n")
    assert "6 option change(s) in 5 file(s): 1 changed, 1 removed, 4 renamed" in text
    assert "### `nixosConfigurations.kestrel` (5)" in text
    assert "### `nixosConfigurations.osprey` (2)" in text
    assert "**Renamed** (3)" in text and "**Removed** (1)" in text
    assert ("- [x] [modules/common.nix:3:3](modules/common.nix#L3) "
            "`hardware.opengl.extraPackages` → `hardware.graphics.extraPackages`") in text
    assert "### stateVersion (unchanged)" in text


def test_text_report_and_unknown_release(tmp_path: Path) -> None:
    root = _fleet(tmp_path, "24.11")
    result = run_cli("upgrade", "--to", "25.05", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("upgrade 24.11 → 25.05: 3 change(s) in 4 file(s)\n")
    assert ("home/alice.nix:7:5  NXA101 renamed [fix]: `services.gpg-agent.pinentryPackage` "
            "was renamed to `services.gpg-agent.pinentry.package`") in result.stdout
    bad = run_cli("upgrade", "--to", "24.12", cwd=root)
    assert bad.returncode == 2 and "--to '24.12': no such NixOS release" in bad.stderr
    assert bad.stdout == ""


def test_inputs_of_other_projects_are_listed_not_edited(tmp_path: Path) -> None:
    (tmp_path / "flake.nix").write_text("""{
  inputs.nixpkgs.url = "github:nixos/nixpkgs/nixos-24.11";
  inputs.darwin.url = "github:LnL7/nix-darwin/nix-darwin-24.11";
  inputs.hm.url = "github:nix-community/home-manager/release-24.11";
  inputs.nixvim.url = "github:nix-community/nixvim/nixos-24.11";
  inputs.nixpkgs-darwin.url = "github:NixOS/nixpkgs/nixpkgs-24.05-darwin";
  outputs = { self, ... }: { };
}
""")
    result = run_cli("upgrade", "--to", "25.05", "--format", "json", cwd=tmp_path)
    inputs = {i["name"]: i for i in json.loads(result.stdout)["inputs"]}
    assert {name: i["fix"] for name, i in inputs.items()} == {
        "nixpkgs": True, "darwin": True, "hm": True, "nixvim": False,
        "nixpkgs-darwin": False}
    assert "held at 24.05, behind the flake's 24.11" in inputs["nixpkgs-darwin"]["note"]
    assert "check that `nixos-25.05` exists" in inputs["nixvim"]["note"]
    assert 'add `inputs.nixpkgs.follows = "nixpkgs"`' in inputs["hm"]["note"]
    assert inputs["darwin"]["newUrl"] == "github:LnL7/nix-darwin/nix-darwin-25.05"
    run_cli("upgrade", "--to", "25.05", "--fix", cwd=tmp_path)
    flake = (tmp_path / "flake.nix").read_text()
    assert "nixvim/nixos-24.11" in flake and "nix-darwin-25.05" in flake


def test_release_inputs_beside_unstable_are_side_inputs(tmp_path: Path) -> None:
    (tmp_path / "flake.nix").write_text("""{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.nixpkgs-stable.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, ... }: { };
}
""")
    node = {"locked": {"lastModified": 1730500000, "narHash": "sha256-" + "C" * 43 + "=",
                       "owner": "NixOS", "repo": "nixpkgs", "rev": "3" * 40, "type": "github"},
            "original": {"owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs",
                         "type": "github"}}
    stable = {**node, "original": {**node["original"], "ref": "nixos-24.05"}}
    (tmp_path / "flake.lock").write_text(json.dumps({
        "nodes": {"nixpkgs": node, "nixpkgs-stable": stable,
                  "root": {"inputs": {"nixpkgs": "nixpkgs", "nixpkgs-stable": "nixpkgs-stable"}}},
        "root": "root", "version": 7}))
    data = json.loads(run_cli("upgrade", "--to", "25.05", "--format", "json",
                              cwd=tmp_path).stdout)
    assert data["from"] == "unstable"
    assert [(i["name"], i["fix"]) for i in data["inputs"]] == [("nixpkgs-stable", False)]
    assert "beside the flake's nixos-unstable" in data["inputs"][0]["note"]


def test_renames_already_due_at_the_pin_are_counted_in_the_batch(tmp_path: Path) -> None:
    root = _fleet(tmp_path, "24.11")
    common = root / "modules" / "common.nix"
    text = common.read_text()
    # `hardware.opengl` was renamed in 24.11: reported by `check` today, not a change of 25.05
    common.write_text(text.replace("{\n", "{\n  hardware.opengl.enable = true;\n", 1))
    assert "hardware.opengl.enable" in common.read_text()
    report = run_cli("upgrade", "--to", "25.05", "--format", "markdown", cwd=root)
    assert report.returncode == 0, report.stderr
    assert ("The batch also applies 1 rename(s) already reported at 24.11 "
            "(`nixls-assist check` lists them).") in report.stdout
    fixed = run_cli("upgrade", "--to", "25.05", "--fix", cwd=root)
    assert fixed.returncode == 0, fixed.stderr
    assert "hardware.graphics.enable = true;" in common.read_text()
