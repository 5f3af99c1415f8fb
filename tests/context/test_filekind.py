"""File kinds are decided from shape and names, and structurally from the workspace."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from nixls_assist.context.filekind import FileKind, classify
from nixls_assist.context.resolver import ContextResolver
from nixls_assist.syntax import parse
from tests.conftest import REPO

CORPUS = REPO / "tests" / "corpus" / "valid"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("{ config, pkgs, ... }: { boot.loader.grub.enable = true; }", FileKind.NIXOS),
        ("{ pkgs, ... }: { home.packages = [ pkgs.hello ]; }", FileKind.HOME_MANAGER),
        ("{ osConfig, ... }: { programs.git.enable = true; }", FileKind.HOME_MANAGER),
        ("{ pkgs, ... }: { system.stateVersion = 5; homebrew.enable = true; }", FileKind.DARWIN),
        # a nix-darwin-only path beats the names both systems share
        ("{ pkgs, ... }: { environment.systemPackages = [ ]; networking.hostName = \"m\";"
         " networking.computerName = \"m\"; system.stateVersion = 4; }", FileKind.DARWIN),
        ("{ ... }: { services.nix-daemon.enable = true; environment.systemPackages = [ ]; }",
         FileKind.DARWIN),
        # ... unless the module also defines a path nix-darwin does not have
        ("{ ... }: { boot.loader.systemd-boot.enable = true; launchd.daemons = { };"
         " environment.systemPackages = [ ]; networking.hostName = \"m\"; }", FileKind.NIXOS),
        ("{ lib, stdenv, fetchurl }: stdenv.mkDerivation { pname = \"x\"; }", FileKind.PACKAGE),
        ("final: prev: { hello = prev.hello; }", FileKind.OVERLAY),
        ("self: super: { }", FileKind.OVERLAY),
        ("{ inputs = { }; outputs = { self }: { }; }", FileKind.FLAKE),
        ("{ lib }: { double = x: x * 2; }", FileKind.OTHER),
        ("{ config, lib, ... }: { options.my.x = lib.mkOption { }; }", FileKind.MODULE),
    ],
)
def test_classify_by_shape(source: str, kind: FileKind) -> None:
    result = classify(parse(source), PurePath("some/file.nix"))
    assert result.kind is kind, result.reason
    assert result.reason


def test_flake_by_name() -> None:
    assert classify(parse("{ }"), PurePath("flake.nix")).kind is FileKind.FLAKE


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("hardware-configuration.nix", FileKind.NIXOS),
        ("configuration-classic.nix", FileKind.NIXOS),
        ("home-git-zsh.nix", FileKind.HOME_MANAGER),
        ("home-hyprland.nix", FileKind.HOME_MANAGER),
        ("pkg-python.nix", FileKind.PACKAGE),
        ("overlay-classic.nix", FileKind.OVERLAY),
        ("overlay-rfc166.nix", FileKind.OTHER),  # an attrset of overlays, not one overlay
        ("flake-multihost.nix", FileKind.FLAKE),
    ],
)
def test_classify_corpus_files(name: str, kind: FileKind) -> None:
    path = CORPUS / name
    assert classify(parse(path.read_bytes()), path).kind is kind


def test_workspace_structure_beats_guessing() -> None:
    """`home-manager.users.alice = import ./home/alice.nix;` makes alice.nix a HM module."""
    resolver = ContextResolver()
    fleet = REPO / "examples" / "fleet"
    expectations = {
        "home/alice.nix": FileKind.HOME_MANAGER,
        "hosts/laptop/configuration.nix": FileKind.NIXOS,
        "hosts/laptop/hardware-configuration.nix": FileKind.NIXOS,
        "modules/common.nix": FileKind.NIXOS,
        "flake.nix": FileKind.FLAKE,
    }
    for relative, kind in expectations.items():
        path = fleet / relative
        ctx = resolver.context_for(parse(path.read_bytes()), path)
        assert ctx.kind is kind, (relative, ctx.classification.reason)
    alice = fleet / "home/alice.nix"
    reason = resolver.context_for(parse(alice.read_bytes()), alice).classification.reason
    assert reason == "used as a home-manager module by laptop, server"  # the fleet graph


def test_unreadable_workspace_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "flake.nix").write_text(
        "{ outputs = { nixpkgs, ... }: { nixosConfigurations.a = nixpkgs.lib.nixosSystem "
        "{ modules = [ ./missing.nix ./host.nix ]; }; }; }"
    )
    (tmp_path / "flake.lock").write_text('{"nodes": {"root": {}}, "root": "root", "version": 7}')
    host = tmp_path / "host.nix"
    host.write_text("{ lib, ... }: { options.x = lib.mkOption { }; }")
    ctx = ContextResolver().context_for(parse(host.read_bytes()), host)
    assert ctx.kind is FileKind.NIXOS


@pytest.mark.parametrize(
    ("source", "path", "kind"),
    [
        # a user of nix-darwin (`isHidden` exists only there)
        ("{ pkgs, ... }: { users.users.bob = { home = \"/Users/bob\"; isHidden = false;"
         " shell = pkgs.zsh; }; }", "modules/users/bob.nix", FileKind.DARWIN),
        # shared names only, but kept in a darwin directory
        ("{ pkgs, ... }: { users.users.bob.shell = pkgs.zsh; environment.systemPackages = [ ]; }",
         "modules/darwin/users/bob.nix", FileKind.DARWIN),
        # a darwin directory does not make a module with NixOS-only paths a darwin one
        ("{ ... }: { boot.loader.systemd-boot.enable = true; networking.hostName = \"x\"; }",
         "hosts/darwin-builder/configuration.nix", FileKind.NIXOS),
    ],
)
def test_classify_darwin_signs(source: str, path: str, kind: FileKind) -> None:
    result = classify(parse(source), PurePath(path))
    assert result.kind is kind, result.reason
