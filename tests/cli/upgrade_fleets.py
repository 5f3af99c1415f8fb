"""Fixture fleets for `upgrade`, one per release, each pinned one release behind its target."""

from __future__ import annotations

import json

_LOCKED = {
    "23.11": ("1719145550", "e4ad989506ec7d71f7302cc3067abd82730a4beb"),
    "24.05": ("1735471104", "88195a94f390381c6afcdaa933c2f6ff93959cb4"),
    "24.11": ("1748162331", "7c43f080a7f28b2774f3b3f43234ca11661bf334"),
}


def _lock(release: str) -> str:
    modified, rev = _LOCKED[release]
    hm = {"inputs": {"nixpkgs": ["nixpkgs"]},
          "locked": {"lastModified": int(modified), "narHash": "sha256-" + "A" * 43 + "=",
                     "owner": "nix-community", "repo": "home-manager", "rev": "1" * 40,
                     "type": "github"},
          "original": {"owner": "nix-community", "ref": f"release-{release}",
                       "repo": "home-manager", "type": "github"}}
    nixpkgs = {"locked": {"lastModified": int(modified), "narHash": "sha256-" + "B" * 43 + "=",
                          "owner": "NixOS", "repo": "nixpkgs", "rev": rev, "type": "github"},
               "original": {"owner": "NixOS", "ref": f"nixos-{release}", "repo": "nixpkgs",
                            "type": "github"}}
    unstable = {"locked": {**nixpkgs["locked"], "rev": "2" * 40},
                "original": {**nixpkgs["original"], "ref": "nixos-unstable"}}
    return json.dumps({"nodes": {"home-manager": hm, "nixpkgs": nixpkgs,
                                 "nixpkgs-unstable": unstable,
                                 "root": {"inputs": {"home-manager": "home-manager",
                                                     "nixpkgs": "nixpkgs",
                                                     "nixpkgs-unstable": "nixpkgs-unstable"}}},
                       "root": "root", "version": 7}, indent=2) + "\n"


def _flake(release: str, hosts: list[str], home: bool) -> str:
    configurations = "\n".join(
        f"""    nixosConfigurations.{host} = nixpkgs.lib.nixosSystem {{
      system = "x86_64-linux";
      modules = [
        ./hosts/{host}/configuration.nix
        ./modules/common.nix{'''
        home-manager.nixosModules.home-manager
        { home-manager.users.alice = import ./home/alice.nix; }''' if home and i == 0 else ''}
      ];
    }};""" for i, host in enumerate(hosts))
    return f"""{{
  description = "A small fleet";

  inputs = {{
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-{release}";
    nixpkgs-unstable.url = "github:NixOS/nixpkgs/nixos-unstable";
    home-manager = {{
      url = "github:nix-community/home-manager/release-{release}";
      inputs.nixpkgs.follows = "nixpkgs";
    }};
  }};

  outputs = {{ self, nixpkgs, home-manager, ... }}: {{
{configurations}
  }};
}}
"""


def _host(name: str, body: str, state: str) -> str:
    return f"""{{ config, pkgs, ... }}:
{{
  networking.hostName = "{name}";
  boot.loader.systemd-boot.enable = true;
{body}
  system.stateVersion = "{state}";
}}
"""


FLEETS: dict[str, dict[str, str]] = {
    # 23.11 → 24.05
    "23.11": {
        "flake.nix": _flake("23.11", ["heron", "wren"], home=False),
        "flake.lock": _lock("23.11"),
        "hosts/heron/configuration.nix": _host("heron", """
  # Printing for the office.
  services.printing.enable = true;
  services.xserver.layout = "us";
  services.xserver.xkbVariant = "intl";
""", "23.05"),
        "hosts/wren/configuration.nix": _host("wren", """
  services.xserver.libinput.enable = true;
""", "23.11"),
        "modules/common.nix": """{ pkgs, ... }:
{
  time.timeZone = "Europe/Berlin";
  services.openssh.enable = true;
}
""",
    },
    # 24.05 → 24.11
    "24.05": {
        "flake.nix": _flake("24.05", ["kestrel", "osprey"], home=True),
        "flake.lock": _lock("24.05"),
        "hosts/kestrel/configuration.nix": _host("kestrel", """
  # The GPU: 32-bit support for Steam.
  hardware.opengl = {
    enable = true;
    driSupport32Bit = true;
  };

  sound.enable = true;
  services.pipewire.enable = true;
""", "23.11"),
        "hosts/osprey/configuration.nix": _host("osprey", """
  services.samba.enableNmbd = false;
""", "24.05"),
        "modules/common.nix": """{ pkgs, ... }:
{
  hardware.opengl.extraPackages = [ pkgs.intel-media-driver ];
  services.openssh.enable = true;
}
""",
        "home/alice.nix": """{ pkgs, ... }:
{
  home.stateVersion = "24.05";
  programs.kitty = {
    enable = true;
    theme = "Tokyo Night";
  };
}
""",
    },
    # 24.11 → 25.05
    "24.11": {
        "flake.nix": _flake("24.11", ["plover"], home=True),
        "flake.lock": _lock("24.11"),
        "hosts/plover/configuration.nix": _host("plover", """
  services.xserver.enable = true;
""", "24.11"),
        "modules/common.nix": """{ ... }:
{
  services.openssh.enable = true;
}
""",
        "home/alice.nix": """{ pkgs, ... }:
{
  home.stateVersion = "24.11";
  programs.git.signing.gpgPath = "${pkgs.gnupg}/bin/gpg2";
  services.gpg-agent = {
    enable = true;
    pinentryPackage = pkgs.pinentry-gnome3;
  };
  programs.vscode.userSettings."editor.fontSize" = 14;
}
""",
    },
}
