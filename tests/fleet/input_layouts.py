"""A fleet on several flake inputs, with its lock, for `affected` on input changes."""

from __future__ import annotations

import json

FLAKE = """{
  description = "Ana's machines";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    nixpkgs-stable.url = "github:NixOS/nixpkgs/nixos-24.11";
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    disko.url = "github:nix-community/disko";
    disko.inputs.nixpkgs.follows = "nixpkgs";
    nix-darwin.url = "github:LnL7/nix-darwin";
    nix-darwin.inputs.nixpkgs.follows = "nixpkgs";
    nixos-hardware.url = "github:NixOS/nixos-hardware";
  };

  outputs = inputs@{ self, nixpkgs, nixpkgs-stable, home-manager, disko, nix-darwin, ... }: {
    nixosConfigurations.kestrel = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [ ./hosts/kestrel disko.nixosModules.disko ];
    };
    nixosConfigurations.osprey = nixpkgs-stable.lib.nixosSystem {
      system = "x86_64-linux";
      specialArgs = { inherit inputs; };
      modules = [
        ./hosts/osprey
        home-manager.nixosModules.home-manager
        { home-manager.users.ana = import ./home/ana.nix; }
      ];
    };
    darwinConfigurations.wren = nix-darwin.lib.darwinSystem {
      modules = [ ./hosts/wren ];
    };
    homeConfigurations."ana@lark" = home-manager.lib.homeManagerConfiguration {
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      modules = [ ./home/ana.nix ];
    };
  };
}
"""

FILES = {
    "flake.nix": FLAKE,
    "hosts/kestrel/default.nix": """{ inputs, pkgs, ... }:
{
  imports = [
    inputs.nixos-hardware.nixosModules.framework-13-7040-amd
    ./disks.nix
  ];
  networking.hostName = "kestrel";
  system.stateVersion = "25.05";
}
""",
    "hosts/kestrel/disks.nix": """{
  disko.devices.disk.main = {
    device = "/dev/nvme0n1";
    type = "disk";
  };
}
""",
    "hosts/osprey/default.nix": """{ config, pkgs, ... }:
{
  networking.hostName = "osprey";
  services.nginx.enable = true;
  system.stateVersion = "24.11";
}
""",
    "hosts/wren/default.nix": """{ pkgs, ... }:
{
  environment.systemPackages = [ pkgs.git ];
  system.stateVersion = 5;
}
""",
    "home/ana.nix": """{ pkgs, ... }:
{
  programs.git.enable = true;
  home.stateVersion = "24.11";
}
""",
}

# A host that hands the whole `inputs` to a file (read: it names what it uses) and to a
# library function (its use of inputs cannot be told without evaluating).
SHRIKE_FLAKE = FLAKE.replace("""    darwinConfigurations.wren""", """\
    nixosConfigurations.shrike = nixpkgs.lib.nixosSystem {
      specialArgs = { inherit inputs; };
      modules = [ ./hosts/shrike ];
    };
    darwinConfigurations.wren""")
SHRIKE = """{ inputs, ... }:
{
  nixpkgs.overlays = import ../../overlays { inherit inputs; };
  networking.hostName = "shrike";
}
"""
SHRIKE_REGISTRY = """{ inputs, lib, ... }:
{
  nixpkgs.overlays = import ../../overlays { inherit inputs; };
  nix.registry = lib.mapAttrs (_: flake: { inherit flake; }) inputs;
  networking.hostName = "shrike";
}
"""


def _node(owner: str, repo: str, rev: str, follows: dict[str, list[str]] | None = None,
          ref: str | None = None) -> dict:
    node: dict = {
        "locked": {"lastModified": 1733000000, "narHash": f"sha256-{rev}=", "owner": owner,
                   "repo": repo, "rev": rev * 40, "type": "github"},
        "original": {"owner": owner, "repo": repo, "type": "github",
                     **({"ref": ref} if ref else {})},
    }
    if follows:
        node["inputs"] = follows
    return node


def lock(**revs: str) -> str:
    """A lock of the flake above; `revs` overrides the default revision of an input."""
    rev = {"nixpkgs": "a", "nixpkgs-stable": "b", "home-manager": "c", "disko": "d",
           "nix-darwin": "e", "nixos-hardware": "f", **revs}
    nodes = {
        "nixpkgs": _node("NixOS", "nixpkgs", rev["nixpkgs"], ref="nixos-unstable"),
        "nixpkgs-stable": _node("NixOS", "nixpkgs", rev["nixpkgs-stable"], ref="nixos-24.11"),
        "home-manager": _node("nix-community", "home-manager", rev["home-manager"],
                              {"nixpkgs": ["nixpkgs"]}),
        "disko": _node("nix-community", "disko", rev["disko"], {"nixpkgs": ["nixpkgs"]}),
        "nix-darwin": _node("LnL7", "nix-darwin", rev["nix-darwin"], {"nixpkgs": ["nixpkgs"]}),
        "nixos-hardware": _node("NixOS", "nixos-hardware", rev["nixos-hardware"]),
        "root": {"inputs": {name: name for name in rev}},
    }
    return json.dumps({"nodes": nodes, "root": "root", "version": 7}, indent=2) + "\n"
