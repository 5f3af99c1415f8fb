{ system ? builtins.currentSystem
, nixpkgs ? builtins.fetchTarball {
    url = "https://github.com/NixOS/nixpkgs/archive/5ef6c425980847c78a80d759abc476e941a9bf42.tar.gz";
    sha256 = "0vb3pmzcb2a1qd2kj7kxg4wfvqc1ay1m6wgzl6ka22c9nb7rpqzf";
  }
}:

let
  pkgs = import nixpkgs { inherit system; };
  # pinned niv-style source
  sources = import ./nix/sources.nix;
in
pkgs.callPackage ./package.nix {
  src = sources.my-project or ./.;
}
