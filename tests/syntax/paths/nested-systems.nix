{ lib, ... }:
{
  containers.web = {
    autoStart = true;
    config = { pkgs, ... }: {
      services.nginx.enable = true;
      system.stateVersion = "24.11";
    };
  };
  specialisation.gaming.configuration = {
    hardware.graphics.enable32Bit = true;
  };
  imports = [ { services.tailscale.enable = true; } ];
}
