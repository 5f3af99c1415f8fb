{ config, lib, ... }:
let
  cfg = config.services.myapp;
in
{
  imports = [ ./hardware-configuration.nix ];
  options.services.myapp = {
    enable = lib.mkEnableOption "my app";
    port = lib.mkOption { type = lib.types.port; default = 8080; };
  };
  config = {
    systemd.services.myapp.wantedBy = [ "multi-user.target" ];
    networking.firewall.allowedTCPPorts = [ cfg.port ];
  };
  config.users.users.myapp.isSystemUser = true;
}
