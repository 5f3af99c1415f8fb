{ config, pkgs, ... }:

{
  services.openssh.enable = true;
  services.openssh.settings.PasswordAuthentication = false;

  networking.firewall.allowedTCPPorts = [ 22 80 443 ];

  services.nginx.enable = true;

  # remote access
  services.openssh.enable = true;
  services.openssh.ports = [ 22 ];
}
