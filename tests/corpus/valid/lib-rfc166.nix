{
  lib,
  ...
}:
let
  inherit (lib) mapAttrs' nameValuePair;
in
{
  mkPorts =
    services:
    mapAttrs' (
      name: port:
      nameValuePair "port-${name}" {
        inherit port;
        protocol = if port == 53 then "udp" else "tcp";
      }
    ) services;

  bool2str = b: if b then "yes" else "no";

  attrsToEnv =
    attrs: lib.concatStringsSep "\n" (lib.mapAttrsToList (k: v: "${k}=${toString v}") attrs);

  clamp =
    lo: hi: x:
    assert lo <= hi;
    if x < lo then
      lo
    else if x > hi then
      hi
    else
      x;
}
