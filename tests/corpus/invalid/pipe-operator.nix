{ lib, ... }:

let
  hosts = [ "alpha" "beta" "gamma" ];
in
{
  networking.extraHosts = hosts
    |> lib.imap1 (i: h: "10.0.0.${toString i} ${h}.lan")
    |> lib.concatStringsSep "\n";
}
