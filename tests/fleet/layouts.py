"""Small realistic fleets, written as {path: text}, for the fleet graph's tests."""

from __future__ import annotations

from pathlib import Path

LOCK = '{"nodes": {"root": {"inputs": {}}}, "root": "root", "version": 7}\n'
HOST = """{ config, pkgs, ... }:
{
  imports = [ ./hardware.nix ];
  networking.hostName = "%s";
  system.stateVersion = "24.11";
}
"""
HARDWARE = """{ modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.loader.systemd-boot.enable = true;
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "flake.lock").write_text(LOCK)
    return root


PLAIN = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.sops-nix.url = "github:Mic92/sops-nix";
  outputs = { self, nixpkgs, sops-nix, ... }: {
    nixosConfigurations.kestrel = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        ./hosts/kestrel
        ./modules/common.nix
        sops-nix.nixosModules.sops
      ];
    };
    nixosConfigurations.osprey = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/osprey/configuration.nix ./modules/common.nix ];
    };
  };
}
""",
    "hosts/kestrel/default.nix": HOST % "kestrel",
    "hosts/kestrel/hardware.nix": HARDWARE,
    "hosts/osprey/configuration.nix": HOST % "osprey",
    "hosts/osprey/hardware.nix": HARDWARE,
    "modules/common.nix": """{ lib, ... }:
{
  imports = [ ./nix-settings.nix ] ++ lib.optionals true [ ./shell.nix ];
  time.timeZone = "Europe/Paris";
}
""",
    "modules/nix-settings.nix": "{ nix.settings.auto-optimise-store = true; }\n",
    "modules/shell.nix": "{ programs.zsh.enable = true; }\n",
    "modules/unused.nix": "{ services.openssh.enable = true; }\n",
}

MKHOST_GENATTRS = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = inputs@{ nixpkgs, ... }:
    let
      inherit (nixpkgs) lib;
      mkHost = name: lib.nixosSystem {
        specialArgs = { inherit inputs; hostName = name; };
        modules = [ ./hosts/${name} ./modules ];
      };
    in {
      nixosConfigurations = lib.genAttrs [ "heron" "plover" ] mkHost;
    };
}
""",
    "hosts/heron/default.nix": HOST % "heron",
    "hosts/heron/hardware.nix": HARDWARE,
    "hosts/plover/default.nix": HOST % "plover",
    "hosts/plover/hardware.nix": HARDWARE,
    "modules/default.nix": """{ hostName, ... }:
{
  imports = [ ./users.nix ./per-host/${hostName}.nix ];
}
""",
    "modules/users.nix": "{ users.users.ana.isNormalUser = true; }\n",
    "modules/per-host/heron.nix": "{ services.tailscale.enable = true; }\n",
    "modules/per-host/plover.nix": "{ services.nginx.enable = true; }\n",
}

READDIR_LIB = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }@inputs:
    let
      lib = nixpkgs.lib // import ./lib { inherit inputs; };
    in {
      nixosConfigurations = lib.mapAttrs (name: _: lib.mkHost name)
        (lib.filterAttrs (_: type: type == "directory") (builtins.readDir ./hosts));
    };
}
""",
    "lib/default.nix": """{ inputs }:
{
  mkHost = name: inputs.nixpkgs.lib.nixosSystem {
    modules = [ (../hosts + "/${name}") ../modules/base.nix ];
  };
}
""",
    "hosts/lark/default.nix": HOST % "lark",
    "hosts/lark/hardware.nix": HARDWARE,
    "hosts/wren/default.nix": HOST % "wren",
    "hosts/wren/hardware.nix": HARDWARE,
    "hosts/README.md": "hosts\n",
    "modules/base.nix": "{ services.fwupd.enable = true; }\n",
}

FLAKE_PARTS = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [ ./parts/hosts.nix ];
      flake.nixosModules.base = ./modules/base.nix;
    };
}
""",
    "parts/hosts.nix": """{ inputs, self, withSystem, ... }:
{
  flake.nixosConfigurations.gannet = inputs.nixpkgs.lib.nixosSystem {
    modules = [ self.nixosModules.base ./../hosts/gannet.nix ];
  };
  flake = {
    nixosConfigurations.skua = withSystem "x86_64-linux" ({ pkgs, ... }:
      inputs.nixpkgs.lib.nixosSystem { modules = [ ../hosts/skua.nix ]; });
  };
}
""",
    "modules/base.nix": "{ services.openssh.enable = true; }\n",
    "hosts/gannet.nix": "{ networking.hostName = \"gannet\"; }\n",
    "hosts/skua.nix": "{ networking.hostName = \"skua\"; }\n",
}

DARWIN_AND_HOME = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";
  inputs.darwin.url = "github:LnL7/nix-darwin";
  inputs.home-manager.url = "github:nix-community/home-manager";
  outputs = { nixpkgs, darwin, home-manager, ... }: {
    darwinConfigurations.puffin = darwin.lib.darwinSystem {
      system = "aarch64-darwin";
      modules = [ ./darwin/puffin.nix ];
    };
    homeConfigurations."ana@tern" = home-manager.lib.homeManagerConfiguration {
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      modules = [ ./home/ana.nix ];
    };
  };
}
""",
    "darwin/puffin.nix": """{ pkgs, ... }:
{
  homebrew.enable = true;
  system.stateVersion = 5;
}
""",
    "home/ana.nix": """{ pkgs, ... }:
{
  imports = [ ./git.nix ];
  home.stateVersion = "24.11";
}
""",
    "home/git.nix": "{ programs.git.enable = true; }\n",
}

HOME_MANAGER_MODULE = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.home-manager.url = "github:nix-community/home-manager/release-24.11";
  outputs = { nixpkgs, home-manager, ... }: {
    nixosConfigurations.egret = nixpkgs.lib.nixosSystem {
      modules = [
        ./hosts/egret.nix
        home-manager.nixosModules.home-manager
        {
          home-manager.useGlobalPkgs = true;
          home-manager.users.ana = import ./home/ana.nix;
          home-manager.users.bo = { imports = [ ./home/bo.nix ]; };
          home-manager.sharedModules = [ ./home/shared.nix ];
        }
      ];
    };
  };
}
""",
    "hosts/egret.nix": "{ networking.hostName = \"egret\"; }\n",
    "home/ana.nix": "{ home.stateVersion = \"24.11\"; imports = [ ./editor.nix ]; }\n",
    "home/editor.nix": "{ programs.neovim.enable = true; }\n",
    "home/bo.nix": "{ home.stateVersion = \"24.11\"; }\n",
    "home/shared.nix": "{ programs.git.enable = true; }\n",
}

IMPORT_TREE = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.import-tree.url = "github:vic/import-tree";
  outputs = inputs@{ nixpkgs, import-tree, ... }: {
    nixosConfigurations.shag = nixpkgs.lib.nixosSystem {
      modules = [ ./hosts/shag.nix (import-tree ./modules) ];
    };
  };
}
""",
    "hosts/shag.nix": "{ networking.hostName = \"shag\"; }\n",
    "modules/a.nix": "{ services.openssh.enable = true; }\n",
}

SNOWFALL = {
    "flake.nix": """{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    snowfall-lib.url = "github:snowfallorg/lib";
    snowfall-lib.inputs.nixpkgs.follows = "nixpkgs";
    home-manager.url = "github:nix-community/home-manager";
    darwin.url = "github:LnL7/nix-darwin";
    disko.url = "github:nix-community/disko";
  };
  outputs = inputs: inputs.snowfall-lib.mkFlake {
    inherit inputs;
    src = ./.;
    snowfall.namespace = "cove";
    systems.modules.nixos = with inputs; [ home-manager.nixosModules.home-manager ];
    systems.hosts.cormorant.modules = [ inputs.disko.nixosModules.disko ];
  };
}
""",
    "systems/x86_64-linux/cormorant/default.nix": """{ lib, namespace, ... }:
{
  imports = [ ./hardware.nix ];
  networking.hostName = "cormorant";
  cove.desktop.enable = true;
}
""",
    "systems/x86_64-linux/cormorant/hardware.nix": HARDWARE,
    "systems/aarch64-linux/tern/default.nix": "{ networking.hostName = \"tern\"; }\n",
    "systems/aarch64-darwin/puffin/default.nix": "{ system.stateVersion = 5; }\n",
    # an installer image (a virtual system), and a host switched off with `_default.nix`
    "systems/x86_64-install-iso/rescue/default.nix":
        "{ isoImage.squashfsCompression = \"zstd\"; }\n",
    "systems/x86_64-linux/old-gull/_default.nix": "{ }\n",
    "modules/nixos/desktop/default.nix": """{ config, lib, namespace, ... }:
{
  options.cove.desktop.enable = lib.mkEnableOption "the desktop";
}
""",
    "modules/nixos/desktop/fonts/default.nix": "{ fonts.fontDir.enable = true; }\n",
    "modules/darwin/dock/default.nix": "{ system.defaults.dock.autohide = true; }\n",
    "modules/home/git/default.nix": "{ programs.git.enable = true; }\n",
    "homes/x86_64-linux/ana@cormorant/default.nix": "{ home.stateVersion = \"24.11\"; }\n",
    "homes/aarch64-darwin/ana/default.nix": "{ home.stateVersion = \"24.11\"; }\n",
}

UNKNOWN_HOST_NAMES = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.hosts.url = "github:example/hosts";
  outputs = { nixpkgs, hosts, ... }: {
    nixosConfigurations = nixpkgs.lib.genAttrs hosts.names (name: nixpkgs.lib.nixosSystem {
      modules = [ ./hosts/${name}.nix ];
    });
  };
}
""",
}
