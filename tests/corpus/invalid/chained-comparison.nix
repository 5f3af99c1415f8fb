{ config, lib, ... }:

let
  cfg = config.services.imgproxy-cache;
in
{
  options.services.imgproxy-cache = {
    enable = lib.mkEnableOption "an image resizing cache";
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = 1024 <= cfg.port <= 49151;
        message = "services.imgproxy-cache.port must be a registered, unprivileged port";
      }
    ];

    networking.firewall.allowedTCPPorts = [ cfg.port ];
  };
}
