"""`hosts` and `affected` in a subprocess, on a realistic fleet in a real git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli
from tests.fleet import layouts


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


def _repo(root: Path, files: dict[str, str]) -> Path:
    layouts.write(root, files)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "fleet")
    return root


def test_hosts_json(tmp_path: Path) -> None:
    layouts.write(tmp_path, layouts.PLAIN)
    result = run_cli("hosts", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == 1 and data["complete"] is True
    kestrel = data["configurations"][0]
    assert kestrel == {
        "attribute": "nixosConfigurations.kestrel", "name": "kestrel", "kind": "nixos",
        "modules": ["hosts/kestrel/default.nix", "hosts/kestrel/hardware.nix",
                    "modules/common.nix", "modules/nix-settings.nix", "modules/shell.nix"],
        "complete": True, "unresolved": [],
    }


def test_hosts_text_names_what_was_not_followed(tmp_path: Path) -> None:
    layouts.write(tmp_path, layouts.IMPORT_TREE)
    result = run_cli("hosts", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "nixosConfigurations.shag  (nixos, 1 module files, incomplete)" in result.stdout
    assert "? flake.nix:6: `import-tree ./modules`" in result.stdout


def test_hosts_outside_a_flake_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("hosts", cwd=tmp_path)
    assert result.returncode == 2
    assert "flake.nix" in result.stderr and "Traceback" not in result.stderr


def test_affected_by_files(tmp_path: Path) -> None:
    layouts.write(tmp_path, layouts.PLAIN)
    result = run_cli("affected", "--format", "json", "hosts/osprey/hardware.nix",
                     cwd=tmp_path)
    assert json.loads(result.stdout) == {
        "version": 1, "configurations": ["nixosConfigurations.osprey"], "complete": True}
    shared = run_cli("affected", "modules/shell.nix", cwd=tmp_path)
    assert shared.stdout.splitlines() == [
        "nixosConfigurations.kestrel  (modules/shell.nix)",
        "nixosConfigurations.osprey  (modules/shell.nix)",
    ]
    unused = run_cli("affected", "--format", "json", "modules/unused.nix", cwd=tmp_path)
    assert json.loads(unused.stdout)["configurations"] == []


def test_affected_since_a_git_ref(tmp_path: Path) -> None:
    root = _repo(tmp_path, layouts.MKHOST_GENATTRS)
    (root / "modules" / "per-host" / "plover.nix").write_text(
        "{ services.nginx.enable = false; }\n")
    result = run_cli("affected", "--since", "HEAD", "--format", "github-matrix", cwd=root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"include": [
        {"attribute": "nixosConfigurations.plover", "name": "plover", "kind": "nixos"}]}
    _git(root, "commit", "-qam", "plover")
    (root / "flake.lock").write_text(layouts.LOCK.replace("7", "7 "))
    everything = run_cli("affected", "--since", "HEAD", "--format", "json", cwd=root)
    assert json.loads(everything.stdout)["configurations"] == [
        "nixosConfigurations.heron", "nixosConfigurations.plover"]


def test_affected_with_an_unknown_ref(tmp_path: Path) -> None:
    root = _repo(tmp_path, layouts.PLAIN)
    result = run_cli("affected", "--since", "no-such-ref", cwd=root)
    assert result.returncode == 2
    assert "no-such-ref" in result.stderr and "Traceback" not in result.stderr


def test_affected_on_an_incomplete_fleet_says_so(tmp_path: Path) -> None:
    layouts.write(tmp_path, layouts.IMPORT_TREE)
    result = run_cli("affected", "--format", "json", "modules/a.nix", cwd=tmp_path)
    assert json.loads(result.stdout) == {"version": 1, "configurations": [],
                                         "complete": False}
