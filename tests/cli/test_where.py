"""`nixls-assist where OPTION [PATH…]` in a subprocess, on the navigation tests' fleet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.fleet import FILES


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_where_groups_definitions_by_configuration_in_text(fleet: Path) -> None:
    result = run_cli("where", "networking.firewall.enable", cwd=fleet)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "nixosConfigurations.kestrel\n"
        "  hosts/kestrel/configuration.nix:5:5  networking.firewall.enable  (nixos)\n"
        "nixosConfigurations.osprey\n"
        "  hosts/osprey/configuration.nix:7:5  networking.firewall.enable  "
        "(home-manager, in home-manager.users.alice)\n"
        "nixosConfigurations.kestrel, nixosConfigurations.osprey\n"
        "  modules/common.nix:5:3  networking.firewall.enable  (nixos)\n"
        "3 definition(s) of `networking.firewall.enable` in 2 configuration(s)\n")


def test_where_groups_by_file_without_a_flake(fleet: Path) -> None:
    (fleet / "flake.nix").unlink()
    result = run_cli("where", "networking.firewall.enable", "modules", cwd=fleet)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "modules/common.nix\n"
        "  5:3  networking.firewall.enable  (nixos)\n"
        "1 definition(s) of `networking.firewall.enable` in 1 file(s)\n")


def test_where_json_shape_and_placeholders(fleet: Path) -> None:
    result = run_cli("where", "fleet.backup.*", "hosts", "--format", "json", cwd=fleet)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == 1 and data["option"] == "fleet.backup.*"
    assert [(d["file"], d["option"], d["range"]["start"]) for d in data["definitions"]] == [
        ("hosts/kestrel/configuration.nix", "fleet.backup.enable", {"line": 9, "character": 4}),
        ("hosts/kestrel/configuration.nix", "fleet.backup.target",
         {"line": 10, "character": 4}),
        ("hosts/osprey/configuration.nix", "fleet.backup.target", {"line": 3, "character": 2}),
    ]
    assert [d["configurations"] for d in data["definitions"]] == [
        ["nixosConfigurations.kestrel"], ["nixosConfigurations.kestrel"],
        ["nixosConfigurations.osprey"]]
    assert all(d["system"] == "nixos" for d in data["definitions"])
    assert data["summary"]["files"] == 2 and data["summary"]["definitions"] == 3
    assert "/srv/backup" not in result.stdout  # values are never printed


def test_where_exits_1_when_nothing_defines_it(fleet: Path) -> None:
    result = run_cli("where", "services.nginx.enable", cwd=fleet)
    assert result.returncode == 1
    assert "`services.nginx.enable` is not defined in 5 file(s)" in result.stdout


def test_where_on_a_missing_path_is_a_usage_error(fleet: Path) -> None:
    result = run_cli("where", "services.nginx.enable", "nowhere", cwd=fleet)
    assert result.returncode == 2
    assert "nowhere: no such file or directory" in result.stderr
