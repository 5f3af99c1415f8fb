"""Release pins from channels for configurations without a flake.lock (classic /etc/nixos)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nixls_assist.context.channels import ENV_CHANNELS, channel_pin, find_channel
from nixls_assist.context.resolver import ContextResolver, ContextSettings
from nixls_assist.syntax.document import parse
from tests.conftest import run_cli
from tests.option_index.store_trees import HOME_MANAGER, NIXPKGS, write_tree

REV = "50ab793786d9de88ee30ec4e4c24fb4236fc2674"


def _channels(root: Path, *, suffix: str = ".8000.50ab793786d9", hm: bool = False) -> Path:
    """A channels profile: `nixos` (a nixpkgs tree) and optionally `home-manager`."""
    nixos = write_tree(root / "store" / f"aaaa-nixos-24.11{suffix}" / "nixos",
                       {**NIXPKGS, ".version-suffix": suffix, ".git-revision": REV})
    channels = root / "channels"
    channels.mkdir(parents=True)
    (channels / "nixos").symlink_to(nixos)
    if hm:
        tree = write_tree(root / "store" / "bbbb-home-manager" / "home-manager", HOME_MANAGER)
        (channels / "home-manager").symlink_to(tree)
    return channels


def test_channel_pin_reads_version_and_revision(tmp_path: Path) -> None:
    channels = _channels(tmp_path)
    pin = channel_pin("nixos", {ENV_CHANNELS: str(channels)})
    assert pin is not None
    assert (pin.release, pin.rev) == ("24.11", REV)
    assert pin.via == f"channel nixos at {channels}"
    assert pin.source_path == str((channels / "nixos").resolve())
    assert "24.11.8000.50ab793786d9" in pin.reason
    assert pin.reason.endswith("(options of nixpkgs 50ab7937, from the Nix store)")
    assert pin.phrase == f"pinned to 24.11 via channel nixos at {channels}"


def test_pre_release_channel_is_unstable(tmp_path: Path) -> None:
    channels = _channels(tmp_path, suffix="pre713220.a0374025")
    pin = channel_pin("nixos", {ENV_CHANNELS: str(channels)})
    assert pin is not None and pin.release == "unstable"


def test_home_manager_channel_and_nix_path(tmp_path: Path) -> None:
    channels = _channels(tmp_path, hm=True)
    pin = channel_pin("home-manager", {ENV_CHANNELS: str(channels)})
    assert pin is not None and pin.release == "24.11" and "home-manager" in pin.reason
    # NIX_PATH: nixpkgs=DIR wins, URLs are skipped, HOME's channels are searched
    env = {"NIX_PATH": f"nixpkgs=https://example.org/x.tar.gz:nixpkgs={channels / 'nixos'}",
           "HOME": str(tmp_path / "nohome")}
    found = find_channel("nixos", env)
    assert found is not None and found[0] == channels / "nixos"
    home = tmp_path / "home"
    (home / ".nix-defexpr").mkdir(parents=True)
    (home / ".nix-defexpr" / "channels").symlink_to(channels)
    found = find_channel("home-manager", {"HOME": str(home)})
    assert found is not None and found[1].system == "home-manager"


def test_no_channels(tmp_path: Path) -> None:
    assert channel_pin("nixos", {ENV_CHANNELS: ""}) is None
    assert channel_pin("nixos", {ENV_CHANNELS: str(tmp_path / "missing")}) is None
    write_tree(tmp_path / "notnixpkgs", {"default.nix": "{ }"})
    assert channel_pin("nixos", {ENV_CHANNELS: str(tmp_path / "notnixpkgs")}) is None


def _context(path: Path):
    doc = parse(path.read_bytes(), str(path))
    return ContextResolver(ContextSettings()).context_for(doc, path)


def test_resolver_uses_channels_only_outside_flakes(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CHANNELS, str(_channels(tmp_path / "c")))
    etc = tmp_path / "etc" / "nixos"
    etc.mkdir(parents=True)
    (etc / "configuration.nix").write_text("{ ... }: { system.stateVersion = \"24.11\"; }\n")
    ctx = _context(etc / "configuration.nix")
    assert ctx.nixos is not None and ctx.nixos.via.startswith("channel nixos at ")
    assert ctx.home_manager == ctx.nixos  # no home-manager channel: same as the flake case
    flake = tmp_path / "flake"
    flake.mkdir()
    (flake / "flake.nix").write_text("{ outputs = _: { }; }\n")
    (flake / "configuration.nix").write_text("{ ... }: { }\n")
    assert _context(flake / "configuration.nix").nixos is None  # a flake without its lock


CONFIGURATION = """{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  services.frobnicator.enable = true;
  services.frobnicator.speed = 5;
  services.frobnicator.color = "green";
  system.stateVersion = "24.11";
}
"""


def test_check_on_a_channel_configuration(tmp_path: Path) -> None:
    channels = _channels(tmp_path / "c")
    etc = tmp_path / "etc" / "nixos"
    etc.mkdir(parents=True)
    (etc / "configuration.nix").write_text(CONFIGURATION)
    (etc / "hardware-configuration.nix").write_text("{ ... }: { }\n")
    result = run_cli("check", "--format", "json", "--fail-on", "never", ".", cwd=etc,
                     env={ENV_CHANNELS: str(channels),
                          "NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(f["code"], f["option"]) for f in report["findings"]] == \
        [("NXA101", "services.frobnicator.speed")]
    assert "services.frobnicator.rate" in report["findings"][0]["message"]
    assert f"channel nixos at {channels}" in report["findings"][0]["message"]
    files = {f["file"]: f for f in report["files"]}
    assert files["configuration.nix"]["release"] == "24.11"
    assert "from the Nix store" in files["configuration.nix"]["releaseReason"]
