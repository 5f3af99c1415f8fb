"""Small nixpkgs / home-manager source trees, put into a fake Nix store at their real paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from option_index.sources.nix_store import fixed_output_path, nar_hash

NIXPKGS = {
    ".version": "24.11",
    "nixos/modules/module-list.nix": "[\n  ./rename.nix\n  ./services/misc/frobnicator.nix\n]\n",
    "nixos/modules/rename.nix": """{ lib, ... }:
with lib;
{
  imports = [
    (mkRenamedOptionModule
      [ "services" "frobnicator" "colour" ] [ "services" "frobnicator" "color" ])
    (mkRemovedOptionModule [ "services" "oldfrob" ] "It was never maintained.")
  ];
}
""",
    "nixos/modules/services/misc/frobnicator.nix": """{ config, lib, pkgs, ... }:
let
  cfg = config.services.frobnicator;
in
{
  imports = [
    (lib.mkRenamedOptionModule
      [ "services" "frobnicator" "speed" ] [ "services" "frobnicator" "rate" ])
  ];

  options.services.frobnicator = {
    enable = lib.mkEnableOption "the frobnicator";
    color = lib.mkOption {
      type = lib.types.str;
      default = "red";
      description = "Colour of the frob.";
    };
    rate = lib.mkOption { type = lib.types.int; default = 3; };
  };

  config = lib.mkIf cfg.enable { };
}
""",
    # not in module-list.nix: its shim must not count
    "nixos/modules/profiles/unused.nix": """{ lib, ... }: {
  imports = [ (lib.mkRenamedOptionModule [ "services" "frobnicator" "enable" ] [ "x" "y" ]) ];
}
""",
}

HOME_MANAGER = {
    "release.json": json.dumps({"release": "24.11", "isReleaseBranch": True}),
    "modules/modules.nix": ("{ lib, ... }:\nlet\n  allModules = [\n    ./programs/frobtool.nix\n"
                            "    ./programs/git.nix\n  ];\nin allModules\n"),
    # an option of an existing module that home-manager 24.11's manual does not list
    "modules/programs/git.nix": """{ lib, ... }:
{
  options.programs.git.frobnicate = lib.mkEnableOption "frobnication of commits";
}
""",
    "modules/programs/frobtool.nix": """{ config, lib, pkgs, ... }:
{
  options.programs.frobtool = {
    enable = lib.mkEnableOption "frobtool";
    settings = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      description = "Settings written to frobtool.conf.";
    };
  };
}
""",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def into_store(tree: Path, store: Path) -> tuple[str, Path]:
    """Copy `tree` to its fixed-output path in `store`: (narHash, store path)."""
    sri = nar_hash(tree)
    dest = Path(fixed_output_path(sri, "source", store=str(store)))
    shutil.copytree(tree, dest, symlinks=True)
    return sri, dest


def lock_node(owner: str, repo: str, ref: str, rev: str, sri: str) -> dict:
    return {
        "locked": {"lastModified": 1734566935, "narHash": sri, "owner": owner, "repo": repo,
                   "rev": rev, "type": "github"},
        "original": {"owner": owner, "ref": ref, "repo": repo, "type": "github"},
    }


def flake_lock(nodes: dict[str, dict]) -> str:
    """A version 7 flake.lock whose root has `nodes` as direct inputs."""
    return json.dumps({
        "nodes": {**nodes, "root": {"inputs": {name: name for name in nodes}}},
        "root": "root", "version": 7}, indent=2) + "\n"
