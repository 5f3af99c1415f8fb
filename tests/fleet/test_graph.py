"""The fleet graph on realistic layouts: configuration → module files, and what stays
unresolved (named, never dropped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixls_assist.context.fleet import Fleet, build_fleet
from nixls_assist.context.fleet_inputs import configuration_inputs
from tests.fleet import layouts


def _graph(tmp_path: Path, files: dict[str, str]) -> Fleet:
    return build_fleet(layouts.write(tmp_path, files))


def _modules(fleet: Fleet) -> dict[str, list[str]]:
    return {c.attribute: sorted(p.relative_to(fleet.root).as_posix() for p in c.modules)
            for c in fleet.configurations}


def test_plain_flake(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.PLAIN)
    common = ["modules/common.nix", "modules/nix-settings.nix", "modules/shell.nix"]
    assert _modules(fleet) == {
        "nixosConfigurations.kestrel": sorted(["hosts/kestrel/default.nix",
                                               "hosts/kestrel/hardware.nix", *common]),
        "nixosConfigurations.osprey": sorted(["hosts/osprey/configuration.nix",
                                              "hosts/osprey/hardware.nix", *common]),
    }
    assert fleet.complete  # the sops-nix input's module and `modulesPath` are external


def test_mkhost_with_genattrs_and_special_args(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.MKHOST_GENATTRS)
    assert _modules(fleet) == {
        "nixosConfigurations.heron": ["hosts/heron/default.nix",
                                      "hosts/heron/hardware.nix", "modules/default.nix",
                                      "modules/per-host/heron.nix", "modules/users.nix"],
        "nixosConfigurations.plover": ["hosts/plover/default.nix",
                                       "hosts/plover/hardware.nix", "modules/default.nix",
                                       "modules/per-host/plover.nix", "modules/users.nix"],
    }
    assert fleet.complete


def test_readdir_and_a_helper_from_lib(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.READDIR_LIB)
    assert _modules(fleet) == {
        "nixosConfigurations.lark": ["hosts/lark/default.nix", "hosts/lark/hardware.nix",
                                     "modules/base.nix"],
        "nixosConfigurations.wren": ["hosts/wren/default.nix", "hosts/wren/hardware.nix",
                                     "modules/base.nix"],
    }
    assert fleet.complete
    assert tmp_path / "lib" / "default.nix" in fleet.evaluated


def test_flake_parts(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.FLAKE_PARTS)
    assert _modules(fleet) == {
        "nixosConfigurations.gannet": ["hosts/gannet.nix", "modules/base.nix"],
        "nixosConfigurations.skua": ["hosts/skua.nix"],
    }
    assert fleet.complete


def test_nix_darwin_and_standalone_home_manager(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.DARWIN_AND_HOME)
    assert _modules(fleet) == {
        "darwinConfigurations.puffin": ["darwin/puffin.nix"],
        "homeConfigurations.ana@tern": ["home/ana.nix", "home/git.nix"],
    }
    assert [c.kind for c in fleet.configurations] == ["darwin", "home-manager"]
    assert fleet.systems_of(tmp_path / "home" / "git.nix") == {"home-manager"}


def test_home_manager_as_a_nixos_module(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.HOME_MANAGER_MODULE)
    (egret,) = fleet.configurations
    systems = {p.relative_to(tmp_path).as_posix(): s for p, s in egret.modules.items()}
    assert systems == {
        "flake.nix": {"nixos"},  # the inline module
        "hosts/egret.nix": {"nixos"},
        "home/ana.nix": {"home-manager"},
        "home/editor.nix": {"home-manager"},
        "home/bo.nix": {"home-manager"},
        "home/shared.nix": {"home-manager"},
    }
    assert egret.complete


def test_import_tree_makes_the_configuration_incomplete(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.IMPORT_TREE)
    (shag,) = fleet.configurations
    assert _modules(fleet) == {"nixosConfigurations.shag": ["hosts/shag.nix"]}
    assert not shag.complete
    (missing,) = shag.unresolved
    assert (missing.file.name, missing.line, missing.expression) == (
        "flake.nix", 6, "import-tree ./modules")
    assert "import-tree" in missing.reason


def test_snowfall_lib_by_its_directory_convention(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.SNOWFALL)
    assert fleet.complete
    modules = _modules(fleet)
    found = {c.attribute: (c.kind, modules[c.attribute]) for c in fleet.configurations}
    nixos_shared = ["modules/nixos/desktop/default.nix",
                    "modules/nixos/desktop/fonts/default.nix"]
    assert found == {
        "nixosConfigurations.cormorant": ("nixos", sorted([
            "systems/x86_64-linux/cormorant/default.nix",
            "systems/x86_64-linux/cormorant/hardware.nix", *nixos_shared,
            # the home named for this host, as a home-manager module of it
            "homes/x86_64-linux/ana@cormorant/default.nix", "modules/home/git/default.nix"])),
        "nixosConfigurations.tern": ("nixos", sorted([
            "systems/aarch64-linux/tern/default.nix", *nixos_shared])),
        "darwinConfigurations.puffin": ("darwin", [
            "modules/darwin/dock/default.nix", "systems/aarch64-darwin/puffin/default.nix"]),
        "homeConfigurations.ana@cormorant": ("home-manager", [
            "homes/x86_64-linux/ana@cormorant/default.nix", "modules/home/git/default.nix"]),
        "homeConfigurations.ana": ("home-manager", [
            "homes/aarch64-darwin/ana/default.nix", "modules/home/git/default.nix"]),
    }
    cormorant = next(c for c in fleet.configurations if c.name == "cormorant")
    assert cormorant.modules[tmp_path.resolve() / "modules/home/git/default.nix"] == \
        {"home-manager"}
    assert cormorant.input_modules == {"home-manager", "disko", "snowfall-lib"}
    # snowfall-lib puts every input's `lib` into the modules' `lib`: which inputs they use
    # cannot be told by what they name, so a lock change touches them all.
    use = configuration_inputs(cormorant, {"nixpkgs", "snowfall-lib", "home-manager",
                                           "darwin", "disko"})
    assert not use.known and use.unknown[0].startswith("snowfall-lib merges")
    assert use.inputs == {"nixpkgs", "snowfall-lib", "home-manager", "disko"}


def test_snowfall_lib_with_a_src_that_is_not_a_path_is_named(tmp_path: Path) -> None:
    files = dict(layouts.SNOWFALL)
    files["flake.nix"] = files["flake.nix"].replace("src = ./.;", "src = inputs.self.src;")
    fleet = _graph(tmp_path, files)
    assert fleet.configurations == []
    (missing,) = fleet.unresolved
    assert "snowfall-lib's `mkFlake`" in missing.reason
    assert not fleet.complete


def test_host_names_from_an_input_are_unresolved(tmp_path: Path) -> None:
    fleet = _graph(tmp_path, layouts.UNKNOWN_HOST_NAMES)
    assert fleet.configurations == []
    (missing,) = fleet.unresolved
    assert missing.expression.startswith("nixpkgs.lib.genAttrs hosts.names")


@pytest.mark.parametrize("text", [
    "{ outputs = { self }: { nixosConfigurations = self.nixosConfigurations; }; }\n",
    "{ outputs = _: let x = x; in { nixosConfigurations.a = x; }; }\n",
    "{ outputs = _: { nixosConfigurations.a = import ./missing.nix; }; }\n",
    "{ outputs = _: { nixosConfigurations = }; }\n",
])
def test_cycles_and_broken_files_do_not_crash(tmp_path: Path, text: str) -> None:
    fleet = _graph(tmp_path, {"flake.nix": text})
    assert not fleet.complete or fleet.configurations == []


def test_a_module_walk_is_reused_only_where_the_arguments_agree(tmp_path: Path) -> None:
    # `modules/default.nix` is walked once per host: its imports depend on `hostName`, read
    # through the whole argument set; `modules/users.nix` reads nothing that differs.
    files = dict(layouts.MKHOST_GENATTRS)
    files["modules/default.nix"] = """args@{ ... }:
{
  imports = [ ./users.nix ] ++ map (n: ./per-host/${n}.nix) [ args.hostName ];
}
"""
    files["modules/users.nix"] = """{ inputs, ... }:
{
  imports = [ ./shell.nix ];
  users.users.ana.isNormalUser = true;
}
"""
    files["modules/shell.nix"] = "{ programs.fish.enable = true; }\n"
    fleet = _graph(tmp_path, files)
    shared = ["modules/default.nix", "modules/shell.nix", "modules/users.nix"]
    assert _modules(fleet) == {
        "nixosConfigurations.heron": sorted(["hosts/heron/default.nix",
                                             "hosts/heron/hardware.nix",
                                             "modules/per-host/heron.nix", *shared]),
        "nixosConfigurations.plover": sorted(["hosts/plover/default.nix",
                                              "hosts/plover/hardware.nix",
                                              "modules/per-host/plover.nix", *shared]),
    }


def test_per_system_outputs_do_not_make_the_flake_incomplete(tmp_path: Path) -> None:
    # `apps.${system}` names an app nobody knows without evaluating, but `apps` cannot hold
    # configurations; `foldAttrs` builds per-system outputs from known names.
    files = dict(layouts.PLAIN)
    files["flake.nix"] = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }:
    let
      inherit (nixpkgs) lib;
      eachSystem = systems: f:
        lib.foldAttrs lib.mergeAttrs { }
          (map (s: lib.mapAttrs (_: v: { ${s} = v; }) (f s)) systems);
      mkHost = name: {
        nixosConfigurations.${name} = lib.nixosSystem {
          modules = [ ./hosts/kestrel ./modules/common.nix ];
        };
        apps.${nixpkgs.legacyPackages.x86_64-linux.stdenv.hostPlatform.system} = {
          "activate/${name}" = { type = "app"; program = "/bin/true"; };
        };
      };
    in lib.recursiveUpdate
      (mkHost "kestrel")
      (eachSystem [ "x86_64-linux" "aarch64-linux" ] (system: {
        formatter = nixpkgs.legacyPackages.${system}.nixfmt-rfc-style;
      }));
}
"""
    fleet = _graph(tmp_path, files)
    assert [c.attribute for c in fleet.configurations] == ["nixosConfigurations.kestrel"]
    assert fleet.complete, fleet.unresolved
