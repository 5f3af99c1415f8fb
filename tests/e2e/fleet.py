"""A small fleet written for the navigation tests: two hosts, shared modules, a module that
declares its own options, a home-manager user, and the pinned nixpkgs source in a fake Nix
store at the path its flake.lock narHash names (as `nix` would have unpacked it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.option_index.store_trees import NIXPKGS, into_store, lock_node, write_tree

NIXPKGS_REV = "5d67ea6b4b63378b9c13be21e2ec9d1afc921713"

FILES = {
    "flake.nix": """{
  description = "Two hosts and a backup module";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs, ... }:
    let
      mkHost = name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./hosts/${name}/configuration.nix ./modules/common.nix ];
      };
    in {
      nixosConfigurations.kestrel = mkHost "kestrel";
      nixosConfigurations.osprey = mkHost "osprey";
      nixosModules.backup = import ./modules/backup.nix;
    };
}
""",
    "modules/backup.nix": """{ config, lib, pkgs, ... }:
let
  cfg = config.fleet.backup;
in
{
  options.fleet.backup = {
    enable = lib.mkEnableOption "nightly backups";
    target = lib.mkOption {
      type = lib.types.str;
      description = "Where the backups go.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.restic.backups.nightly.repository = cfg.target;
  };
}
""",
    "modules/common.nix": """{ config, lib, pkgs, ... }:
{
  imports = [ ./backup.nix ];

  networking.firewall.enable = true;
  services.openssh = {
    enable = true;
    settings.PermitRootLogin = "no";
  };
  time.timeZone = "Europe/Berlin";
}
""",
    "hosts/kestrel/configuration.nix": """{ config, lib, pkgs, ... }:
{
  networking.hostName = "kestrel";
  networking.firewall = {
    enable = lib.mkForce false;
    allowedTCPPorts = [ 80 443 ];
  };
  services.frobnicator.color = "blue";
  fleet.backup = {
    enable = true;
    target = "/srv/backup";
  };
  hardware.opengl.enable = true;
}
""",
    "hosts/osprey/configuration.nix": """{ config, lib, pkgs, ... }:
{
  networking.hostName = "osprey";
  fleet.backup.target = "sftp:backup@kestrel:/srv/osprey";
  home-manager.users.alice = { pkgs, ... }: {
    programs.git.enable = true;
    networking.firewall.enable = true;
  };
}
""",
}


def make_fleet(base: Path) -> tuple[Path, Path]:
    """(workspace, store): the fleet under `base`, its nixpkgs in `base/store`."""
    store = base / "store"
    store.mkdir(parents=True)
    sri, _ = into_store(write_tree(base / "nixpkgs-src", NIXPKGS), store)
    fleet = write_tree(base / "fleet", FILES)
    nodes = {"nixpkgs": lock_node("NixOS", "nixpkgs", "nixos-24.11", NIXPKGS_REV, sri)}
    lock = {"nodes": {**nodes, "root": {"inputs": {"nixpkgs": "nixpkgs"}}},
            "root": "root", "version": 7}
    (fleet / "flake.lock").write_text(json.dumps(lock, indent=2) + "\n")
    return fleet, store
