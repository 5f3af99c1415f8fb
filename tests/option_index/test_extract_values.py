"""Static extractor: option declarations whose pieces live in let bindings or other files.

Shapes taken from home-manager's modules (i3/sway's shared `lib/options.nix`, `home.file`'s
`lib/file-type.nix`, ssh's `bindOptions`, `hm.types.dagOf`); these were the bulk of what the
extractor missed against home-manager 24.11's evaluated manual.
"""

from __future__ import annotations

from pathlib import Path

from option_index.paths import show_path
from option_index.sources.extract import extract_tree
from tests.option_index.store_trees import write_tree

TREE = {
    "wm/i3.nix": """{ config, lib, pkgs, ... }:
with lib;
let
  commonOptions = import ./lib/options.nix { inherit lib; moduleName = "i3"; };
  configModule = types.submodule {
    options = {
      inherit (commonOptions) fonts gaps;
      modifier = mkOption { type = types.str; default = "Mod1"; };
    };
  };
in {
  options.xsession.windowManager.i3.config = mkOption {
    type = types.nullOr configModule;
    default = { };
  };
}
""",
    "wm/lib/options.nix": """{ lib, moduleName }:
with lib;
let
  fontOptions = types.submodule { options.size = mkOption { type = types.float; }; };
in {
  fonts = mkOption { type = types.either (types.listOf types.str) fontOptions; };
  gaps = mkOption {
    type = types.nullOr (types.submodule { options.inner = mkOption { type = types.int; }; });
  };
  notInherited = mkOption { type = types.int; };
}
""",
    "files.nix": """{ config, lib, pkgs, ... }:
let
  fileType = (import ./lib/file-type.nix { inherit lib; }).fileType;
in {
  options.home.file = lib.mkOption {
    type = fileType "home.file" "HOME" config.home.homeDirectory;
    default = { };
  };
}
""",
    "lib/file-type.nix": """{ lib }:
{
  fileType = opt: basePathDesc: basePath:
    lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
      options.source = lib.mkOption { type = lib.types.path; };
      options.force = lib.mkOption { type = lib.types.bool; default = false; };
    }));
}
""",
    "ssh.nix": """{ config, lib, ... }:
with lib;
let
  bindOptions = {
    address = mkOption { type = types.str; default = "localhost"; };
    port = mkOption { type = types.nullOr types.port; default = null; };
  };
  forwardModule = types.submodule { options = { bind = bindOptions; }; };
  matchBlockModule = types.submodule ({ dagName, ... }: {
    options.localForwards = mkOption { type = types.listOf forwardModule; default = [ ]; };
  });
in {
  options.programs.ssh.matchBlocks = mkOption {
    type = hm.types.dagOf matchBlockModule;
    default = { };
  };
  options.programs.ssh.style = mkOption {
    type = types.oneOf [ types.str (types.submodule { options.colour = mkOption { }; }) ];
  };
}
""",
}


def test_values_from_let_bindings_and_other_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "modules", TREE)
    paths = {show_path(o.segments) for o in extract_tree(root).options}
    expected = {
        "xsession.windowManager.i3.config.fonts",
        "xsession.windowManager.i3.config.fonts.size",
        "xsession.windowManager.i3.config.gaps.inner",
        "xsession.windowManager.i3.config.modifier",
        "home.file.<name>.source",
        "home.file.<name>.force",
        "programs.ssh.matchBlocks.<name>.localForwards.*.bind.address",
        "programs.ssh.matchBlocks.<name>.localForwards.*.bind.port",
        "programs.ssh.style.colour",
    }
    assert expected <= paths, expected - paths
    assert "xsession.windowManager.i3.config.notInherited" not in paths
    # helper files are read as values, never as top-level modules of their own
    assert not any(p.startswith(("fonts", "gaps", "fileType", "source")) for p in paths)


def test_option_makers_updated_with_attrsets_and_helper_functions(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "modules", {
        "nix.nix": """{ config, lib, pkgs, ... }:
let
  browserModule = defaultPkg: name: visible: {
    enable = lib.mkOption { inherit visible; type = lib.types.bool; default = false; };
    package = lib.mkOption { type = lib.types.package; default = defaultPkg; };
  };
  shared = import ./shared.nix { inherit lib; };
in {
  options.nix.enable = lib.mkEnableOption "nix" // { default = true; visible = false; };
  options.programs.chromium = browserModule pkgs.chromium "Chromium" true;
  options.programs.kanshi.settings = lib.mkOption {
    type = lib.types.listOf (lib.types.attrTag {
      profile = lib.mkOption { type = lib.types.submodule { options.name = lib.mkOption { }; }; };
    });
  };
  options.programs.khal = shared // { extra = lib.mkOption { type = lib.types.str; }; };
}
""",
        "shared.nix": "{ lib }: { locale = lib.mkOption { type = lib.types.str; }; }\n",
    })
    rows = {show_path(o.segments): o for o in extract_tree(root).options}
    assert rows["nix.enable"].default == "true"
    assert not any(p.startswith("nix.enable.") for p in rows)  # `default`/`visible` are no options
    assert {"programs.chromium.enable", "programs.chromium.package",
            "programs.kanshi.settings.*.profile.name", "programs.khal.locale",
            "programs.khal.extra"} <= set(rows)


def test_module_factories_called_with_static_paths(tmp_path: Path) -> None:
    factory = """{ modulePath, name, wrappedPackageName ? null }:
{ config, lib, ... }:
let
  inherit (lib) setAttrByPath;
in {
  options = setAttrByPath modulePath {
    enable = lib.mkEnableOption name;
    profiles = lib.mkOption {
      type = lib.types.attrsOf (lib.types.submodule { options.isDefault = lib.mkOption { }; });
    };
  };
}
"""
    root = write_tree(tmp_path / "modules", {
        "firefox/mkFirefoxModule.nix": factory,
        "firefox/default.nix": """{ lib, ... }:
let
  modulePath = [ "programs" "firefox" ];
  mkFirefoxModule = import ./mkFirefoxModule.nix;
in {
  imports = [ (mkFirefoxModule { inherit modulePath; name = "Firefox"; }) ];
}
""",
        "floorp.nix": """{ lib, ... }: {
  imports = [
    ((import ./firefox/mkFirefoxModule.nix) { modulePath = [ "programs" "floorp" ]; name = "F"; })
  ];
}
""",
    })
    paths = {show_path(o.segments) for o in extract_tree(root).options}
    assert {"programs.firefox.enable", "programs.firefox.profiles.<name>.isDefault",
            "programs.floorp.enable", "programs.floorp.profiles.<name>.isDefault"} <= paths
    assert not any(p.startswith(("enable", "profiles")) for p in paths)
