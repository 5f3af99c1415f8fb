"""What the fleet graph's evaluation means, on fleets shaped like real ones: a file called
with arguments is a module, `self.outputs` is the flake, a file of the repository whose
name is only partly known is unresolved (not "outside the repository"), and a name from a
set of the repository's own that the graph does not know is unresolved, not external."""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context.fleet import Configuration, Fleet, build_fleet
from tests.fleet import layouts


def _graph(tmp_path: Path, files: dict[str, str]) -> Fleet:
    return build_fleet(layouts.write(tmp_path, files))


def _modules(fleet: Fleet) -> dict[str, list[str]]:
    return {c.attribute: sorted(p.relative_to(fleet.root).as_posix() for p in c.modules)
            for c in fleet.configurations}


def _unresolved(fleet: Fleet, configuration: Configuration) -> list[tuple[str, int, str]]:
    return [(u.file.relative_to(fleet.root).as_posix(), u.line, u.expression)
            for u in configuration.unresolved]


# -- 1. a file called with arguments is a module file -----------------------------------

MODULE_WRAPPERS = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.disko.url = "github:nix-community/disko";
  outputs = { self, nixpkgs, disko, ... }:
    let
      inherit (nixpkgs.lib) recursiveUpdate;
      moduleNames = [ "openssh" "zsh" "tailscale" ];
    in {
      # every modules/<name> as `self.nixosModules.<name>`, given the flake as an argument
      nixosModules = builtins.foldl' (acc: name: recursiveUpdate {
        ${name} = args@{ config, lib, pkgs, ... }:
          import ./modules/${name} (args // { inherit self; });
      } acc) { } moduleNames;

      nixosConfigurations.rydev = nixpkgs.lib.nixosSystem {
        specialArgs = { inherit self; };
        modules = [ disko.nixosModules.disko ./hosts/rydev ];
      };
      nixosConfigurations.luna = nixpkgs.lib.nixosSystem {
        specialArgs = { inherit self; };
        modules = [ ./hosts/luna ];
      };
    };
}
""",
    "hosts/rydev/default.nix": """{ self, ... }:
{
  imports = [
    (import ./disko-config.nix { disks = [ "/dev/nvme0n1" ]; })
    ./hardware.nix
  ] ++ (with self.nixosModules; [ openssh zsh ]);
  networking.hostName = "rydev";
}
""",
    "hosts/rydev/disko-config.nix": """{ disks ? [ "/dev/sda" ], ... }:
{
  imports = [ ./impermanence.nix ];
  disko.devices.disk.main = {
    device = builtins.head disks;
    type = "disk";
  };
}
""",
    "hosts/rydev/impermanence.nix":
        "{ environment.persistence.\"/persist\".directories = [ \"/var/lib\" ]; }\n",
    "hosts/rydev/hardware.nix": layouts.HARDWARE,
    "hosts/luna/default.nix": """{ self, ... }:
{
  imports = with self.nixosModules; [ tailscale ];
  networking.hostName = "luna";
}
""",
    "modules/openssh/default.nix": """{ config, lib, self, ... }:
{
  imports = [ ./hardening.nix ];
  services.openssh.enable = true;
}
""",
    "modules/openssh/hardening.nix":
        "{ services.openssh.settings.PasswordAuthentication = false; }\n",
    "modules/zsh/default.nix": "{ pkgs, ... }: { programs.zsh.enable = true; }\n",
    "modules/tailscale/default.nix": "{ config, ... }: { services.tailscale.enable = true; }\n",
}


def test_a_file_called_with_arguments_is_a_module_file(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, MODULE_WRAPPERS)
    assert _modules(fleet) == {
        "nixosConfigurations.rydev": [
            "hosts/rydev/default.nix", "hosts/rydev/disko-config.nix",
            "hosts/rydev/hardware.nix", "hosts/rydev/impermanence.nix",
            "modules/openssh/default.nix", "modules/openssh/hardening.nix",
            "modules/zsh/default.nix"],
        # the wrapper written in flake.nix is not the module: the file it calls is
        "nixosConfigurations.luna": ["hosts/luna/default.nix",
                                     "modules/tailscale/default.nix"],
    }
    assert fleet.complete, [c.unresolved for c in fleet.configurations]


# -- 2. `self.outputs.…` and `self.inputs.…` ---------------------------------------------

SELF_OUTPUTS = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.agenix.url = "github:ryantm/agenix";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      helpers = import ./lib/flake-helpers.nix inputs;
    in nixpkgs.lib.foldl' nixpkgs.lib.recursiveUpdate {
      nixosModules.default = import ./modules/nixos;
    } [
      (helpers.mkNixOSConfig { hostName = "sankyuu"; configuration = ./hosts/sankyuu; })
      (helpers.mkNixOSConfig { hostName = "mirai"; configuration = ./hosts/mirai; })
    ];
}
""",
    "lib/flake-helpers.nix": """{ self, nixpkgs, ... }:
{
  mkNixOSConfig = { hostName, configuration }:
    let
      # the finished configuration's `pkgs`, while the outputs are being made
      inherit (self.outputs.nixosConfigurations.${hostName}) pkgs;
    in {
      nixosConfigurations.${hostName} = nixpkgs.lib.nixosSystem {
        specialArgs.flake = self;
        modules = [
          self.outputs.nixosModules.default
          self.inputs.agenix.nixosModules.default
          configuration
        ];
      };
      apps.${pkgs.stdenv.hostPlatform.system}."activate/${hostName}" = {
        type = "app";
        program = "${pkgs.hello}/bin/hello";
      };
    };
}
""",
    "modules/nixos/default.nix": """{ ... }:
{
  imports = [ ./nix.nix ];
}
""",
    "modules/nixos/nix.nix":
        "{ nix.settings.experimental-features = [ \"nix-command\" \"flakes\" ]; }\n",
    "hosts/sankyuu/default.nix": layouts.HOST % "sankyuu",
    "hosts/sankyuu/hardware.nix": layouts.HARDWARE,
    "hosts/mirai/default.nix": layouts.HOST % "mirai",
    "hosts/mirai/hardware.nix": layouts.HARDWARE,
}


def test_self_outputs_is_the_flake(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, SELF_OUTPUTS)
    shared = ["modules/nixos/default.nix", "modules/nixos/nix.nix"]
    assert _modules(fleet) == {
        "nixosConfigurations.sankyuu": sorted(["hosts/sankyuu/default.nix",
                                               "hosts/sankyuu/hardware.nix", *shared]),
        "nixosConfigurations.mirai": sorted(["hosts/mirai/default.nix",
                                             "hosts/mirai/hardware.nix", *shared]),
    }
    # `self.inputs.agenix…` is a flake input's module: external, not a gap
    assert all(c.complete for c in fleet.configurations), [
        c.unresolved for c in fleet.configurations]


# -- 3. a path of the repository with a part the graph does not know ---------------------

PARTLY_KNOWN_PATHS = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.home-manager.url = "github:nix-community/home-manager";
  outputs = { self, nixpkgs, home-manager, ... }:
    let
      rootPath = self;
      mkHome = name:
        let
          splitted = nixpkgs.lib.splitString "@" name;
          username = builtins.elemAt splitted 0;
          hostname = builtins.elemAt splitted 1;
        in home-manager.lib.homeManagerConfiguration {
          pkgs = nixpkgs.legacyPackages.x86_64-linux;
          modules = [ "${rootPath}/hosts/${hostname}/home-${username}.nix" ];
        };
    in {
      homeConfigurations."tobias@gamer" = mkHome "tobias@gamer";
      nixosConfigurations.argon = nixpkgs.lib.nixosSystem {
        specialArgs = { inherit rootPath; };
        modules = [ ./hosts/argon/configuration.nix ];
      };
    };
}
""",
    "hosts/gamer/home-tobias.nix": "{ home.stateVersion = \"24.11\"; }\n",
    "hosts/argon/configuration.nix": """{ config, rootPath, modulesPath, pkgs, ... }:
let
  oci = import "${modulesPath}/virtualisation/oci-common.nix" { inherit config pkgs; };
in
{
  imports = [
    "${rootPath}/hosts/${config.networking.hostName}/users.nix"
    ./hardware/${pkgs.stdenv.hostPlatform.system}.nix
  ] ++ oci.imports;
  networking.hostName = "argon";
}
""",
    "hosts/argon/users.nix": "{ users.users.tobias.isNormalUser = true; }\n",
    "hosts/argon/hardware/aarch64-linux.nix": "{ boot.loader.grub.enable = false; }\n",
}


def test_a_repository_path_with_an_unknown_part_is_unresolved(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, PARTLY_KNOWN_PATHS)
    argon, home = fleet.configurations
    # `splitString` / `elemAt` over a known name: the file is known
    assert _modules(fleet)[home.attribute] == ["hosts/gamer/home-tobias.nix"]
    assert home.complete
    # a part from `config` / `pkgs`: some file of the repository, which one is not known
    assert _modules(fleet)[argon.attribute] == ["hosts/argon/configuration.nix"]
    assert _unresolved(fleet, argon) == [
        ("hosts/argon/configuration.nix", 7,
         '"${rootPath}/hosts/${config.networking.hostName}/users.nix"'),
        ("hosts/argon/configuration.nix", 8,
         "./hardware/${pkgs.stdenv.hostPlatform.system}.nix"),
    ]  # and nixpkgs' `oci-common.nix`, called with module arguments, is external


# -- 4. names from sets of the repository's own the graph does not know ------------------

UNKNOWN_SCOPES = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, ... }@inputs:
    let
      lib = nixpkgs.lib;
      myLib = import ./lib { inherit lib; };
    in {
      nixosConfigurations.apollo = lib.nixosSystem {
        specialArgs = { profiles = myLib.rakeLeaves ./profiles; };
        modules = [ ./hosts/apollo.nix ./modules/args.nix ];
      };
      nixosConfigurations.athena = lib.nixosSystem {
        modules = [ ./hosts/athena.nix ./modules/args.nix ];
      };
    };
}
""",
    "lib/default.nix": """{ lib }:
{
  rakeLeaves = dir: lib.mapAttrs' (name: type: lib.nameValuePair name (dir + "/${name}"))
    (lib.filterAttrs (n: t: t == "directory" || lib.hasSuffix ".nix" n)
      (lib.attrsets.unknownHelper (builtins.readDir dir)));
}
""",
    "hosts/apollo.nix": """{ profiles, pkgs, ... }:
{
  imports = with profiles; [
    graphical.firefox
    hardware.bluetooth
  ];
  environment.systemPackages = with pkgs; [ git ];
}
""",
    "hosts/athena.nix": """{ hostProfiles, ... }:
{
  imports = hostProfiles.athena;
}
""",
    "modules/args.nix": """{ ... }:
{
  _module.args.hostProfiles.athena = [ ../profiles/hardware/bluetooth.nix ];
}
""",
    "profiles/graphical/firefox.nix": "{ programs.firefox.enable = true; }\n",
    "profiles/hardware/bluetooth.nix": "{ hardware.bluetooth.enable = true; }\n",
}


def test_names_from_an_unknown_set_of_the_repository_are_unresolved(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, UNKNOWN_SCOPES)
    apollo, athena = fleet.configurations
    assert not apollo.complete
    assert [(line, expression) for _, line, expression in _unresolved(fleet, apollo)
            if line in (4, 5)] == [(4, "graphical"), (5, "hardware")]
    assert not athena.complete  # `hostProfiles` is set by `_module.args`
    assert ("hosts/athena.nix", 1, "hostProfiles") in _unresolved(fleet, athena)


def test_flake_parts_module_arguments(tmp_path: Path) -> None:
    files = {
        "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [ ./hosts ./home ];
    };
}
""",
        "home/default.nix": """{ lib, ... }:
let
  homeImports.ana = [ ./ana.nix ];
in
{
  _module.args = {
    inherit homeImports;
    extraHosts = lib.attrsets.someHelper ../hosts;
  };
}
""",
        "hosts/default.nix": """{ inputs, self, homeImports, extraHosts, profiles, ... }:
let
  modules = "${self}/modules";
in
{
  flake.nixosConfigurations.gannet = inputs.nixpkgs.lib.nixosSystem {
    modules = [
      ./gannet.nix
      "${modules}/base.nix"
      { home-manager.users.ana.imports = homeImports.ana; }
    ];
  };
  flake.nixosConfigurations.skua = inputs.nixpkgs.lib.nixosSystem {
    modules = [ ./skua.nix ] ++ extraHosts.skua ++ profiles.server;
  };
}
""",
        "hosts/gannet.nix": "{ networking.hostName = \"gannet\"; }\n",
        "hosts/skua.nix": "{ networking.hostName = \"skua\"; }\n",
        "modules/base.nix": "{ services.openssh.enable = true; }\n",
        "home/ana.nix": "{ programs.git.enable = true; }\n",
    }
    fleet = _graph(tmp_path, files)
    gannet, skua = fleet.configurations
    # `_module.args` set by a flake module, and `self` as a path
    assert _modules(fleet) == {
        "nixosConfigurations.gannet": ["home/ana.nix", "hosts/default.nix",
                                       "hosts/gannet.nix", "modules/base.nix"],
        "nixosConfigurations.skua": ["hosts/skua.nix"],
    }
    assert gannet.complete, gannet.unresolved
    assert sorted(_unresolved(fleet, skua)) == [
        ("home/default.nix", 8, "lib.attrsets.someHelper ../hosts"),
        ("hosts/default.nix", 1, "profiles"),  # set nowhere the graph can see
    ]


# -- minor: located, and named once -------------------------------------------------------

def test_a_configuration_that_is_not_built_is_named_where_it_is_written(
        tmp_path: Path) -> None:
    files = {
        "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, ... }: {
    homeConfigurations = builtins.listToAttrs (map (name: {
      inherit name;
      value = { ... }: {
        imports = [ (./home/profiles + "/${name}.nix") ];
      };
    }) [ "desktop" "server" ]);
  };
}
""",
        "home/profiles/desktop.nix": "{ programs.git.enable = true; }\n",
        "home/profiles/server.nix": "{ programs.tmux.enable = true; }\n",
    }
    fleet = _graph(tmp_path, files)
    assert [_unresolved(fleet, c) for c in fleet.configurations] == [
        [("flake.nix", 6, '{ ... }: { imports = [ (./home/profiles + "/${name}.nix") ]; }')]] * 2


def test_an_unresolved_output_is_named_once(tmp_path: Path) -> None:
    files = {
        "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [ ./parts/hosts.nix ];
    };
}
""",
        "parts/hosts.nix": """{ inputs, lib, ... }:
let
  hosts = lib.attrsets.someHelper ../hosts;
in
{
  flake.nixosConfigurations = hosts;
  flake.darwinConfigurations = hosts;
  flake.homeConfigurations = hosts;
}
""",
    }
    fleet = _graph(tmp_path, files)
    assert len(fleet.unresolved) == len(set(fleet.unresolved)) >= 1


RAKE_LEAVES = {
    "flake.nix": """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = inputs@{ nixpkgs, ... }:
    let
      lib = nixpkgs.lib.extend (final: prev: import ./lib { lib = final; });
      profiles = lib.my.rakeLeaves ./profiles;
    in {
      nixosConfigurations.apollo = lib.nixosSystem {
        specialArgs = { inherit profiles; };
        modules = [ ./hosts/apollo.nix ];
      };
    };
}
""",
    "lib/default.nix": """{ lib }:
{
  my.rakeLeaves = dir:
    let
      collect = file: type: {
        name = lib.removeSuffix ".nix" file;
        value = if type == "regular" then dir + "/${file}"
          else lib.my.rakeLeaves (dir + "/${file}");
      };
      files = lib.filterAttrs (f: t: t == "directory" || lib.hasSuffix ".nix" f)
        (builtins.readDir dir);
    in lib.filterAttrs (n: v: v != { }) (lib.mapAttrs' collect files);
}
""",
    "hosts/apollo.nix": """{ profiles, pkgs, ... }:
{
  imports = with profiles; [
    graphical.firefox
    hardware.bluetooth
    (./hardware + "/${pkgs.stdenv.hostPlatform.system}.nix")
  ];
}
""",
    "hosts/hardware/x86_64-linux.nix": "{ boot.loader.systemd-boot.enable = true; }\n",
    "profiles/graphical/firefox.nix": "{ programs.firefox.enable = true; }\n",
    "profiles/hardware/bluetooth.nix": "{ hardware.bluetooth.enable = true; }\n",
    "profiles/empty/README.md": "nothing here\n",
}


def test_a_library_extended_with_the_repository_s_own_functions(tmp_path: Path) -> None:
    # `lib.extend`'s `final` is the extended library; `v != { }` drops empty directories
    fleet = _graph(tmp_path, RAKE_LEAVES)
    (apollo,) = fleet.configurations
    assert _modules(fleet) == {"nixosConfigurations.apollo": [
        "hosts/apollo.nix", "profiles/graphical/firefox.nix",
        "profiles/hardware/bluetooth.nix"]}
    # a path of the repository plus a part from `pkgs`: unresolved, not external
    assert _unresolved(fleet, apollo) == [
        ("hosts/apollo.nix", 6, './hardware + "/${pkgs.stdenv.hostPlatform.system}.nix"')]
