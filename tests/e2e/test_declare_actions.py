"""Code actions that reach across files: declare an imperatively installed package in the
module that holds the package list, and declare what the user's profile holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import FLAKE_2411, diagnostics_for, initialize, open_file

CONFIGURATION = """\
{ config, pkgs, ... }:
{
  imports = [ ./packages.nix ];
  networking.hostName = "workstation";
  system.activationScripts.tools.text = ''
    nix-env -iA nixos.htop
  '';
  system.stateVersion = "24.11";
}
"""
PACKAGES = """\
{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    vim
  ];
}
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "host"
    root.mkdir()
    shutil.copy(FLAKE_2411 / "flake.lock", root / "flake.lock")
    (root / "flake.nix").write_text(
        '{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";\n'
        "  outputs = { nixpkgs, ... }: {\n"
        "    nixosConfigurations.ws = nixpkgs.lib.nixosSystem {\n"
        "      modules = [ ./configuration.nix ];\n    };\n  };\n}\n")
    (root / "configuration.nix").write_text(CONFIGURATION)
    (root / "packages.nix").write_text(PACKAGES)
    return root


async def _actions(client, uri: str, rng: types.Range, diagnostics) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=diagnostics)))
    return list(result or [])


async def test_package_is_declared_in_the_module_with_the_list(client, workspace: Path):
    await initialize(client, workspace)
    uri = open_file(client, workspace / "configuration.nix")
    installs = [d for d in await diagnostics_for(client, uri, 1) if d.code == "NXA401"]
    assert len(installs) == 1
    actions = await _actions(client, uri, installs[0].range, installs)
    declare = [a for a in actions if a.title.startswith("Declare `htop`")]
    assert declare, [a.title for a in actions]
    changes = declare[0].edit.changes
    packages_uri = (workspace / "packages.nix").resolve().as_uri()
    assert [e.new_text.strip() for e in changes[packages_uri]] == ["htop"]
    # and the command is commented out where it stands (line 6, column 5)
    assert [(e.range.start.line, e.range.start.character, e.new_text) for e in changes[uri]] \
        == [(5, 4, "# ")]


async def test_profile_packages_are_offered_on_the_package_list(client, workspace: Path,
                                                                tmp_path: Path):
    home = tmp_path / "home"
    profile = home / ".nix-profile"
    profile.mkdir(parents=True)
    (profile / "manifest.json").write_text(json.dumps({"version": 2, "elements": [
        {"active": True, "attrPath": "legacyPackages.x86_64-linux.ripgrep",
         "originalUrl": "flake:nixpkgs", "url": "github:NixOS/nixpkgs/abc",
         "outputs": None, "priority": 5,
         "storePaths": ["/nix/store/0c7xv3dsxvd2f6kw5jzhbz2n0jljx8m1-ripgrep-14.1.1"]},
        {"active": True, "attrPath": "legacyPackages.x86_64-linux.git",
         "originalUrl": "flake:nixpkgs", "url": "github:NixOS/nixpkgs/abc",
         "outputs": None, "priority": 5,
         "storePaths": ["/nix/store/1d7xv3dsxvd2f6kw5jzhbz2n0jljx8m2-git-2.47.0"]},
    ]}))
    await initialize(client, workspace, options={"profiles": [str(profile)]})
    uri = open_file(client, workspace / "packages.nix")
    await diagnostics_for(client, uri, 1)
    on_list = types.Range(start=types.Position(3, 4), end=types.Position(3, 4))
    actions = await _actions(client, uri, on_list, [])
    titles = [a.title for a in actions]
    assert "Declare 1 package installed imperatively" in titles, titles
    action = next(a for a in actions if a.title == "Declare 1 package installed imperatively")
    assert [e.new_text.strip() for e in action.edit.changes[uri]] == ["ripgrep"]
