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
    reformatted = run_cli("affected", "--since", "HEAD", "--format", "json", cwd=root)
    assert json.loads(reformatted.stdout)["configurations"] == []  # no input changed
    flake = root / "flake.nix"
    flake.write_text(flake.read_text() + "# the hosts\n")  # a comment: nothing
    assert json.loads(run_cli("affected", "--since", "HEAD", "--format", "json",
                              cwd=root).stdout)["configurations"] == []
    flake.write_text(flake.read_text().replace("./modules ]", "./modules ./users.nix ]"))
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


def _with_secrets(root: Path) -> Path:
    # One literal secret in a module both hosts share, one in a module no host imports.
    files = dict(layouts.PLAIN)
    files["modules/shell.nix"] = """{
  programs.zsh.enable = true;
  services.restic.backups.home.environment.RESTIC_PASSWORD = "correct-horse-battery";
}
"""
    files["modules/unused.nix"] = """{
  services.openssh.enable = true;
  services.restic.backups.old.environment.RESTIC_PASSWORD = "tr0ub4dor-and-3";
}
"""
    return layouts.write(root, files)


def test_check_findings_know_their_configurations(tmp_path: Path) -> None:
    root = _with_secrets(tmp_path)
    result = run_cli("check", "--no-cache", "--format", "json", "--fail-on", "never",
                     cwd=root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    by_file = {f["file"]: f for f in data["findings"]}
    assert by_file["modules/shell.nix"]["configurations"] == [
        "nixosConfigurations.kestrel", "nixosConfigurations.osprey"]
    assert by_file["modules/unused.nix"]["configurations"] == []
    files = {f["file"]: f for f in data["files"]}
    assert files["modules/shell.nix"]["kind"] == "nixos-module"
    assert files["modules/shell.nix"]["kindReason"] == \
        "used as a NixOS module by kestrel, osprey"
    assert files["modules/unused.nix"]["configurationsComplete"] is True
    assert "configurations" not in files["flake.nix"]  # not a module: no claim

    text = run_cli("check", "--no-cache", "--fail-on", "never", cwd=root).stdout
    assert "modules/shell.nix (nixos-module; in kestrel, osprey; checked against" in text
    assert "modules/unused.nix (nixos-module; imported by no configuration; checked" in text


def test_check_only_imported_leaves_out_unused_modules(tmp_path: Path) -> None:
    root = _with_secrets(tmp_path)
    result = run_cli("check", "--no-cache", "--only-imported", "--select", "NXA201",
                     "--format", "json", cwd=root)
    data = json.loads(result.stdout)
    assert {f["file"] for f in data["findings"]} == {"modules/shell.nix"}
    assert "modules/unused.nix" not in {f["file"] for f in data["files"]}
    assert result.returncode == 1  # the shared module's finding still fails the run


def test_sarif_carries_configurations_and_validates(tmp_path: Path) -> None:
    import jsonschema

    root = _with_secrets(tmp_path)
    result = run_cli("check", "--no-cache", "--select", "NXA201", "--format", "sarif",
                     "--fail-on", "never", cwd=root)
    document = json.loads(result.stdout)
    schema_path = Path(__file__).parent.parent / "cli" / "schemas" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    found = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
             r["properties"]["configurations"] for r in document["runs"][0]["results"]}
    assert found == {"modules/shell.nix": ["nixosConfigurations.kestrel",
                                           "nixosConfigurations.osprey"],
                     "modules/unused.nix": []}
