{ lib }:

/*
  Small helpers shared by all hosts.

  Usage:
    myLib = import ./lib { inherit lib; };
*/
rec {
  # Turn "foo-bar" into "fooBar"
  toCamel = s:
    let
      parts = lib.splitString "-" s;
      capitalise = w: lib.toUpper (builtins.substring 0 1 w) + builtins.substring 1 (-1) w;
    in
    builtins.head parts + lib.concatMapStrings capitalise (builtins.tail parts);

  # enable a list of services in one go: enableAll [ "tailscale" "fwupd" ]
  enableAll = names: lib.genAttrs names (_: { enable = true; });

  mkUserHome = { name, uid ? 1000, shell ? "bash", ... }@args: {
    inherit name uid;
    home = "/home/${name}";
    isNormalUser = true;
    description = args.fullName or name;
    useDefaultShell = shell == "bash";
  };

  hasFeature = cfg: feature: cfg ? features && builtins.elem feature cfg.features;

  # collect all default.nix files below a directory
  importDir = dir:
    let
      entries = builtins.readDir dir;
      isModule = name: type: type == "directory" && builtins.pathExists (dir + "/${name}/default.nix");
    in
    lib.mapAttrsToList (name: _: dir + "/${name}") (lib.filterAttrs isModule entries);

  versionAtLeast' = a: b: builtins.compareVersions a b >= 0;

  isNewerThan2405 = release: versionAtLeast' release "24.05";
}
