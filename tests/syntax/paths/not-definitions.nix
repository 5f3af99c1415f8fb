{ config, lib, pkgs, hostName ? "default", ... }:
let
  services.fake.enable = true;
  helper = { x, y ? { services.alsoFake = 1; } }: x;
in
{
  imports = [ ./a.nix ];
  environment.etc."motd".text = ''
    Welcome to ${config.networking.hostName} — services.nope = 1;
  '';
  systemd.services.backup = pkgs.lib.recursiveUpdate { serviceConfig.Type = "oneshot"; } { };
  users.users.alice.openssh.authorizedKeys.keys = [ { services.inList = 1; } ];
  fileSystems = builtins.listToAttrs [ { name = "/data"; value = { device = "x"; }; } ];
  networking.hosts = { "127.0.0.1" = [ "localhost" ]; };
  inherit (import ./vars.nix) time;
}
