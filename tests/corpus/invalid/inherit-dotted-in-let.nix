{ config, lib, pkgs, ... }:

let
  inherit lib.types;
  cfg = config.services.myapp;
in
{
  options.services.myapp = {
    enable = lib.mkEnableOption "myapp";
    port = lib.mkOption {
      type = types.port;
      default = 8080;
    };
  };

  config = lib.mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = [ cfg.port ];
  };
}
