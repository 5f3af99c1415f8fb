let
  pkgs = import <nixpkgs> {
    config = { allowUnfree = true; };
    overlays = [ ];
  };
  inherit (pkgs) lib;
in
{
  hello = pkgs.hello;
  tools = pkgs.buildEnv {
    name = "my-tools";
    paths = with pkgs; [ git curl jq ];
  };
  isLinux = pkgs.stdenv.isLinux;
  greeting = lib.optionalString (pkgs ? hello) "hello is available";
}
