"""`affected` on a change of `flake.lock` or of `flake.nix`'s inputs: only the
configurations that use a changed input, in a real git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fleet import input_layouts, layouts

ALL = ["nixosConfigurations.kestrel", "nixosConfigurations.osprey",
       "darwinConfigurations.wren", "homeConfigurations.ana@lark"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    layouts.write(tmp_path, input_layouts.FILES)
    (tmp_path / "flake.lock").write_text(input_layouts.lock())
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "fleet")
    return tmp_path


def _affected(root: Path, *args: str) -> dict:
    result = run_cli("affected", "--since", "HEAD", "--format", "json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(("bumped", "expected"), [
    # only the host that imports disko's module
    ("disko", ["nixosConfigurations.kestrel"]),
    # read by a module file through `inputs.nixos-hardware…`
    ("nixos-hardware", ["nixosConfigurations.kestrel"]),
    # the builder of osprey alone
    ("nixpkgs-stable", ["nixosConfigurations.osprey"]),
    # osprey's home-manager module and the standalone home configuration's builder
    ("home-manager", ["nixosConfigurations.osprey", "homeConfigurations.ana@lark"]),
    ("nix-darwin", ["darwinConfigurations.wren"]),
    # every input that follows nixpkgs changes with it
    ("nixpkgs", ALL),
])
def test_a_lock_bump_touches_the_users_of_the_input(fleet: Path, bumped: str,
                                                    expected: list[str]) -> None:
    (fleet / "flake.lock").write_text(input_layouts.lock(**{bumped: "9"}))
    assert _affected(fleet) == {"version": 1, "configurations": expected, "complete": True}


def test_a_reformatted_lock_touches_nothing(fleet: Path) -> None:
    lock = json.loads(input_layouts.lock())
    (fleet / "flake.lock").write_text(json.dumps(lock, indent=4, sort_keys=True))
    assert _affected(fleet)["configurations"] == []


def test_the_reasons_name_the_changed_inputs(fleet: Path) -> None:
    (fleet / "flake.lock").write_text(input_layouts.lock(disko="9", **{"nixpkgs-stable": "8"}))
    result = run_cli("affected", "--since", "HEAD", cwd=fleet)
    assert result.stdout.splitlines() == [
        "nixosConfigurations.kestrel  (flake.lock: disko)",
        "nixosConfigurations.osprey  (flake.lock: nixpkgs-stable)",
    ]


def test_a_changed_input_declaration_touches_its_users(fleet: Path) -> None:
    flake = fleet / "flake.nix"
    flake.write_text(input_layouts.FLAKE.replace(
        "github:NixOS/nixos-hardware", "github:NixOS/nixos-hardware/master"))
    assert _affected(fleet)["configurations"] == ["nixosConfigurations.kestrel"]
    flake.write_text(input_layouts.FLAKE.replace(
        'disko.url = "github:nix-community/disko";',
        'disko.url = "github:nix-community/disko/v1.11.0";'))
    assert _affected(fleet)["configurations"] == ["nixosConfigurations.kestrel"]
    # nixpkgs: every input that follows it (home-manager, disko, nix-darwin) too
    flake.write_text(input_layouts.FLAKE.replace("nixos-unstable", "nixos-25.05"))
    assert _affected(fleet)["configurations"] == ALL
    # nixpkgs-stable: followed by nothing
    flake.write_text(input_layouts.FLAKE.replace("nixos-24.11", "nixos-25.05"))
    assert _affected(fleet)["configurations"] == ["nixosConfigurations.osprey"]


def test_a_change_of_the_outputs_touches_every_configuration(fleet: Path) -> None:
    (fleet / "flake.nix").write_text(input_layouts.FLAKE.replace(
        'system = "x86_64-linux";', 'system = "aarch64-linux";', 1))
    assert _affected(fleet) == {"version": 1, "configurations": ALL, "complete": True}
    # the description is read by no configuration
    (fleet / "flake.nix").write_text(input_layouts.FLAKE.replace("Ana's", "Our"))
    assert _affected(fleet)["configurations"] == []


def _shrike(root: Path, host: str) -> Path:
    files = {**input_layouts.FILES, "flake.nix": input_layouts.SHRIKE_FLAKE,
             "hosts/shrike/default.nix": host,
             "overlays/default.nix": "{ inputs }: [ inputs.disko.overlays.default ]\n"}
    layouts.write(root, files)
    (root / "flake.lock").write_text(input_layouts.lock())
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "fleet")
    return root


def test_inputs_handed_to_an_imported_file_are_what_it_names(tmp_path: Path) -> None:
    root = _shrike(tmp_path, input_layouts.SHRIKE)
    (root / "flake.lock").write_text(input_layouts.lock(disko="9"))
    assert _affected(root) == {
        "version": 1, "complete": True,
        "configurations": ["nixosConfigurations.kestrel", "nixosConfigurations.shrike"]}
    (root / "flake.lock").write_text(input_layouts.lock(**{"nixos-hardware": "9"}))
    assert _affected(root)["configurations"] == ["nixosConfigurations.kestrel"]


def test_an_unknown_use_of_inputs_is_touched_and_incomplete(tmp_path: Path) -> None:
    root = _shrike(tmp_path, input_layouts.SHRIKE_REGISTRY)
    (root / "flake.lock").write_text(input_layouts.lock(**{"nixos-hardware": "9"}))
    assert _affected(root) == {
        "version": 1, "complete": False,
        "configurations": ["nixosConfigurations.kestrel", "nixosConfigurations.shrike"]}
    text = run_cli("affected", "--since", "HEAD", cwd=root).stdout
    assert "nixosConfigurations.shrike  (flake.lock: its inputs are not known (" in text


def test_an_extended_configuration_keeps_its_builder_s_input(tmp_path: Path) -> None:
    # `base.extendModules { … }`: the same builder (nixpkgs-stable), more modules.
    flake = input_layouts.FLAKE.replace("""    darwinConfigurations.wren""", """\
    nixosConfigurations.osprey-vm = self.nixosConfigurations.osprey.extendModules {
      modules = [ { virtualisation.memorySize = 4096; } ];
    };
    darwinConfigurations.wren""")
    layouts.write(tmp_path, {**input_layouts.FILES, "flake.nix": flake})
    (tmp_path / "flake.lock").write_text(input_layouts.lock())
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "fleet")
    (tmp_path / "flake.lock").write_text(input_layouts.lock(**{"nixpkgs-stable": "9"}))
    assert _affected(tmp_path) == {
        "version": 1, "complete": True,
        "configurations": ["nixosConfigurations.osprey", "nixosConfigurations.osprey-vm"]}
