{ config, lib, pkgs, ... }:
{
  services.openssh = {
    enable = true;
    settings.PermitRootLogin = "no";
    settings = {
      PasswordAuthentication = false;
    };
  };
  networking.firewall.allowedTCPPorts = [ 22 80 ];
  boot = {
    loader.systemd-boot.enable = true;
    kernelParams = [ "quiet" ];
  };
}
