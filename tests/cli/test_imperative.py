"""`nixls-assist imperative` against the example fleet and manifests in the real formats,
and `check` on the repository's shell scripts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

PROFILES = Path(__file__).parent / "fixtures" / "profiles"
NIX_INSTANTIATE = shutil.which("nix-instantiate")


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    copy = tmp_path / "fleet"
    shutil.copytree(REPO / "examples" / "fleet", copy)
    return copy


def test_lists_undeclared_packages_and_prints_the_edit(fleet: Path) -> None:
    before = {p: p.read_bytes() for p in fleet.rglob("*.nix")}
    result = run_cli("imperative", "--profile", str(PROFILES / "manifest-v2.json"),
                     "--profile", str(PROFILES / "manifest.nix"), "--workspace", str(fleet))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "4 package(s) installed imperatively are not declared" in out
    # declared already: ripgrep (modules/common.nix), bat (home/alice.nix),
    # firefox (`programs.firefox.enable`)
    for declared in ("  ripgrep ", "  bat ", "  firefox "):
        assert declared not in out
    assert "  yt-dlp " in out and "  python3Packages.ipython " in out
    assert "  helix " in out and "not from nixpkgs" in out
    assert "`cmus` is a guess from the name: pass --names" in out
    assert "Declare 2 package(s) in `home.packages` (home/alice.nix):" in out
    assert "+    yt-dlp\n+    python3Packages.ipython\n" in out
    assert {p: p.read_bytes() for p in fleet.rglob("*.nix")} == before  # nothing written


def test_apply_writes_a_file_nix_still_parses(fleet: Path) -> None:
    result = run_cli("imperative", "--profile", str(PROFILES / "manifest-v3.json"),
                     "--workspace", str(fleet), "--into", "system", "--apply")
    assert "Declared 1 package(s) in `environment.systemPackages` (modules/common.nix)" in (
        result.stdout)
    assert "`nix profile remove neovim`" in result.stdout
    common = (fleet / "modules" / "common.nix").read_text()
    assert "    ripgrep\n    neovim\n  ];" in common
    if NIX_INSTANTIATE:
        parsed = subprocess.run([NIX_INSTANTIATE, "--parse", str(fleet / "modules/common.nix")],
                                capture_output=True, text=True, timeout=60)
        assert parsed.returncode == 0, parsed.stderr
    again = run_cli("imperative", "--profile", str(PROFILES / "manifest-v3.json"),
                    "--workspace", str(fleet), "--format", "json")
    data = json.loads(again.stdout)
    assert [u["name"] for u in data["undeclared"]] == ["hello"]  # a bare store path
    assert data["plan"] is None


def test_json_output(fleet: Path) -> None:
    result = run_cli("imperative", "--profile", str(PROFILES / "manifest.nix"),
                     "--workspace", str(fleet), "--names", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert [(u["name"], u["attr"], u["exact"]) for u in data["undeclared"]] == [
        ("cmus-2.12.0", "cmus", False)]
    assert data["plan"]["added"] == ["cmus"]
    assert data["plan"]["option"] == "home.packages"
    assert data["plan"]["applied"] is False


def test_everything_declared_exits_0(fleet: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"version": 3, "elements": {"ripgrep": {
        "active": True, "attrPath": "legacyPackages.x86_64-linux.ripgrep",
        "originalUrl": "flake:nixpkgs", "outputs": None, "priority": 5,
        "storePaths": ["/nix/store/yh1j0dd8zqlc0z4rbk2f2x2l8ck7h3vq-ripgrep-14.1.1"],
        "url": "github:NixOS/nixpkgs/5e0ca22929f3342b19569b21b2f3462f053e497b"}}}))
    result = run_cli("imperative", "--profile", str(manifest), "--workspace", str(fleet))
    assert result.returncode == 0
    assert "Every package in the profile is declared" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"version": 2, "elements": [', "not valid JSON"),
     ('{"version": 7, "elements": []}', "unknown manifest version 7")],
)
def test_bad_manifest_is_a_usage_error(fleet: Path, tmp_path: Path, content: str,
                                       message: str) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(content)
    result = run_cli("imperative", "--profile", str(manifest), "--workspace", str(fleet))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_no_profile_found_is_a_usage_error(fleet: Path, tmp_path: Path) -> None:
    result = run_cli("imperative", "--workspace", str(fleet),
                     env={"HOME": str(tmp_path), "USER": "nobody-here",
                          "XDG_STATE_HOME": str(tmp_path / "state")})
    assert result.returncode == 2
    assert "no Nix profile found; pass --profile PATH" in result.stderr


def test_check_scans_shell_scripts_for_installs_only(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "bootstrap.sh").write_text(
        "#!/usr/bin/env bash\nset -euo pipefail\n# nix-env -iA nixos.commented\n"
        "nix-env -iA nixpkgs.git nixpkgs.direnv\n"
        "command -v rg || nix profile install nixpkgs#ripgrep\n"
        "echo 'not { nix'\n"
    )
    (scripts / "notes.txt").write_text("nix-env -iA nixos.ignored\n")
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [(f["code"], f["file"], f["range"]["start"]["line"]) for f in data["findings"]] == [
        ("NXA401", "scripts/bootstrap.sh", 3), ("NXA401", "scripts/bootstrap.sh", 4)]
    assert result.returncode == 1
    ignored = run_cli("check", "--ignore", "NXA401", "scripts/bootstrap.sh", cwd=tmp_path)
    assert ignored.returncode == 0
